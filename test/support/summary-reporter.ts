/**
 * Prints one plain line after the run, for CI: `N passed, M failed` (with `, K skipped` when some
 * tests were skipped). A test file that failed without a failing test (an import or syntax
 * error, a failing `beforeAll`) counts as one failure, and so does each unhandled error, so the
 * line never says `0 failed` about a run that failed.
 */
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      let failedInModule = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedInModule++;
        else if (state === 'skipped') skipped++;
      }
      if (failedInModule === 0 && (module.state() === 'failed' || module.errors().length > 0)) failedInModule = 1;
      failed += failedInModule;
    }
    failed += unhandledErrors.length;
    const line = `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
    process.stdout.write(`\n${line}\n`);
  }
}

export default SummaryReporter;
