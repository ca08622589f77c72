import { defineConfig } from 'vitest/config';
import { SummaryReporter } from './test/support/summary-reporter.js';

export default defineConfig({
  test: {
    // Suites written by `clusterspec testgen` run with `npx vitest run <dir>` too.
    include: ['test/**/*.test.ts', '**/*.clusterspec.test.mjs'],
    testTimeout: 60_000,
    reporters: ['default', new SummaryReporter()],
  },
});
