/**
 * The machine-readable shapes `clusterspec` prints (`list --json`, `check --json`) and writes
 * (`--trace-out`). They are a contract for CI: `docs/cli.md` documents them; change both together.
 *
 * @module
 */
import type {
  Action,
  CheckResult,
  Model,
  ModelDefinition,
  Size,
  State,
} from '../checker/index.js';
import type { ModelRun } from './options.js';
import type { TraceDocument } from '../traces/format.js';
import { traceDocument } from '../traces/format.js';

/** One element of `clusterspec list --json`. */
export interface ModelListing {
  readonly name: string;
  readonly summary: string;
  readonly sizes: { readonly default: Size; readonly large: Size };
  readonly invariants: readonly { readonly id: string; readonly description: string }[];
  /** `size` only for a bug that is caught at a size other than the model's default. */
  readonly bugs: readonly { readonly id: string; readonly breaks: string; readonly description: string; readonly size?: Size }[];
}

/** The statistics of a check, shared by the `check --json` report and the benchmark. */
export type CheckStatistics = Pick<
  CheckResult,
  | 'distinctStates'
  | 'transitions'
  | 'depth'
  | 'seconds'
  | 'statesPerSecond'
  | 'peakRssBytes'
>;

/** The result of checking one model, as `clusterspec check --json` prints it. */
export interface CheckReport
  extends CheckStatistics,
    Pick<CheckResult, 'strategy' | 'seed' | 'result' | 'incompleteReason' | 'collisionProbability'> {
  readonly model: string;
  readonly size: Size;
  readonly bugs: readonly string[];
  /** Times each action kind fired, in the model's order of kinds. */
  readonly coverage: { readonly [kind: string]: number };
  readonly neverFired: readonly string[];
  readonly violation: {
    readonly invariant: string;
    readonly kind: 'state' | 'step';
    /** Number of actions from the initial state to the violation. */
    readonly traceLength: number;
  } | null;
}

/** The counterexample file `--trace-out` writes (one per violating model). */
export type TraceFile = TraceDocument;

export function modelListing(m: ModelDefinition): ModelListing {
  return {
    name: m.name,
    summary: m.summary,
    sizes: { default: m.sizes.default, large: m.sizes.large },
    invariants: m.invariants.map(({ id, description }) => ({ id, description })),
    bugs: m.bugs.map(({ id, breaks, description, size }) => ({ id, breaks, description, ...(size !== undefined && { size }) })),
  };
}

export function checkReport(run: ModelRun, result: CheckResult<State, Action>): CheckReport {
  const v = result.violation;
  return {
    model: run.definition.name,
    size: run.size,
    bugs: run.bugs,
    strategy: result.strategy,
    seed: result.seed,
    result: result.result,
    incompleteReason: result.incompleteReason,
    distinctStates: result.distinctStates,
    transitions: result.transitions,
    depth: result.depth,
    seconds: result.seconds,
    statesPerSecond: result.statesPerSecond,
    peakRssBytes: result.peakRssBytes,
    collisionProbability: result.collisionProbability,
    coverage: Object.fromEntries(result.coverage.map((c) => [c.kind, c.fired])),
    neverFired: result.neverFired,
    violation: v === null ? null : { invariant: v.invariant, kind: v.kind, traceLength: v.steps.length - 1 },
  };
}

/** The trace file of a violating run, or `undefined` when the run found no violation. */
export function traceFile(run: ModelRun, model: Model, result: CheckResult<State, Action>): TraceFile | undefined {
  const v = result.violation;
  if (v === null) return undefined;
  const header = { model: run.definition.name, size: run.size, bugs: run.bugs, strategy: result.strategy, seed: result.seed, invariant: v.invariant, kind: v.kind };
  return traceDocument(header, model, v.steps);
}
