/**
 * `clusterspec check`: run the checker over each model of a validated {@link CheckPlan}, print the
 * results (human text or `--json`), write `--trace-out`, and decide the exit code.
 *
 * @module
 */
import type { Action, CheckResult, Model, State } from '../checker/index.js';
import { check } from '../checker/index.js';
import { EXIT, type ExitCode } from './errors.js';
import type { CheckPlan, ModelRun } from './options.js';
import { startProgress } from './progress.js';
import { formatSize, renderSummary, runLabel } from './render.js';
import { checkReport, traceFile, type TraceFile } from './report.js';
import { writeFileAtomically } from './atomic-write.js';
import { serializeTrace } from '../traces/format.js';

interface Outcome {
  readonly run: ModelRun;
  readonly model: Model;
  readonly result: CheckResult<State, Action>;
}

/**
 * The bugs of a run that are caught only at a size of their own, which this run does not use: a
 * pass would otherwise look like the checker missing the bug.
 */
export function bugsOutsideTheirSize(run: ModelRun): string[] {
  return run.bugs.flatMap((id) => {
    const size = run.definition.bugs.find((b) => b.id === id)?.size;
    if (size === undefined || Object.entries(size).every(([k, v]) => run.size[k] === v)) return [];
    return [`note: ${run.definition.name} bug ${id} is caught at size ${formatSize(size)}; this run uses ${formatSize(run.size)}`];
  });
}

/** Check one model, with progress on stderr. */
function checkOne(plan: CheckPlan, run: ModelRun): Outcome {
  const model = run.definition.build(run.size, new Set(run.bugs));
  const progress = startProgress(runLabel(run), plan.quiet);
  try {
    const result = check(model, {
      ...plan.options,
      ...(progress !== undefined && { onProgress: progress.onProgress, progressIntervalMs: progress.progressIntervalMs }),
    });
    return { run, model, result };
  } finally {
    progress?.end();
  }
}

/** 1 if any model has a violation, else 3 if any search is incomplete, else 0. */
export function exitCodeOf(outcomes: readonly { readonly result: CheckResult<State, Action> }[]): ExitCode {
  if (outcomes.some((o) => o.result.result === 'violation')) return EXIT.violation;
  if (outcomes.some((o) => o.result.result === 'incomplete')) return EXIT.incomplete;
  return EXIT.pass;
}

export function runCheck(plan: CheckPlan): ExitCode {
  const outcomes: Outcome[] = [];
  plan.runs.forEach((run, i) => {
    if (!plan.quiet) for (const note of bugsOutsideTheirSize(run)) process.stderr.write(`${note}\n`);
    const outcome = checkOne(plan, run);
    outcomes.push(outcome);
    if (!plan.json) {
      process.stdout.write(`${i > 0 ? '\n' : ''}${renderSummary(run, outcome.model, outcome.result)}`);
    }
  });

  if (plan.json) {
    const reports = outcomes.map((o) => checkReport(o.run, o.result));
    process.stdout.write(`${JSON.stringify(plan.single ? reports[0] : reports, null, 2)}\n`);
  }

  if (plan.traceOut !== undefined) {
    const traces = outcomes
      .map((o) => traceFile(o.run, o.model, o.result))
      .filter((t): t is TraceFile => t !== undefined);
    if (traces.length > 0) {
      writeFileAtomically(plan.traceOut, serializeTrace(plan.single ? traces[0]! : traces));
      if (!plan.json) process.stdout.write(`\ncounterexample written to ${plan.traceOut}\n`);
    }
  }
  return exitCodeOf(outcomes);
}
