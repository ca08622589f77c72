/**
 * What every search strategy shares: options and results, coverage, invariant checks, limits,
 * progress and statistics. The strategies themselves (`bfs.ts`, `dfs.ts`, `simulation.ts`) are
 * each one small loop over this.
 *
 * @module
 */
import type { Action, Invariant, Model, State, StepInvariant } from './model.js';
import { StateCodec } from './state-codec.js';
import { VisitedStates } from './visited.js';

export type Strategy = 'bfs' | 'dfs' | 'random';
export const STRATEGIES: readonly Strategy[] = ['bfs', 'dfs', 'random'];

export interface CheckOptions {
  /** `bfs` (default; shortest counterexamples), `dfs`, or `random` (seeded simulation). */
  readonly strategy?: Strategy;
  /** Seed of the random simulation (recorded for every strategy). Default 0. */
  readonly seed?: number;
  /** Stop, incomplete, once this many distinct states are found. */
  readonly maxStates?: number;
  /** Do not go deeper than this many steps from an initial state (random: the length of a walk, default 100). */
  readonly maxDepth?: number;
  /** Stop, incomplete, after this many seconds. */
  readonly timeLimitSeconds?: number;
  /** `random`: how many walks to run (default 1000). */
  readonly walks?: number;
  /** Called about once per `progressIntervalMs` (default 1000) while the search runs. */
  readonly onProgress?: (progress: Progress) => void;
  readonly progressIntervalMs?: number;
}

export interface Progress {
  readonly seconds: number;
  /** Transitions computed so far (TLC's "states generated"). */
  readonly transitions: number;
  readonly distinctStates: number;
  readonly statesPerSecond: number;
  readonly depth: number;
  /** States waiting to be expanded. */
  readonly queue: number;
  readonly rssBytes: number;
}

export type Verdict = 'pass' | 'violation' | 'incomplete';
export type IncompleteReason = 'max-states' | 'max-depth' | 'time-limit' | 'simulation';

/** How often each kind of action fired (a transition whose `next` returned a state). */
export interface ActionCoverage {
  readonly kind: string;
  readonly fired: number;
}

export interface TraceStep<S extends State, A extends Action> {
  /** The action that led here; `null` for the initial state. */
  readonly action: A | null;
  readonly state: S;
}

export interface Counterexample<S extends State, A extends Action> {
  /** Id of the invariant that does not hold. */
  readonly invariant: string;
  /** `state` for an invariant of the last state, `step` for an invariant of the last step. */
  readonly kind: 'state' | 'step';
  /** From an initial state (step 0, action `null`) to the violating state. */
  readonly steps: readonly TraceStep<S, A>[];
}

export interface CheckResult<S extends State = State, A extends Action = Action> {
  readonly strategy: Strategy;
  readonly seed: number;
  readonly result: Verdict;
  /** Why a search is incomplete; `null` unless `result` is `incomplete`. */
  readonly incompleteReason: IncompleteReason | null;
  readonly distinctStates: number;
  readonly transitions: number;
  /** Longest shortest path found (bfs), deepest state (dfs), longest walk (random). */
  readonly depth: number;
  readonly seconds: number;
  /** Distinct states per second. */
  readonly statesPerSecond: number;
  /** Peak resident set size of this process so far. */
  readonly peakRssBytes: number;
  /** Estimated probability that a fingerprint collision hid a state. */
  readonly collisionProbability: number;
  readonly coverage: readonly ActionCoverage[];
  /** The action kinds that never fired. */
  readonly neverFired: readonly string[];
  readonly violation: Counterexample<S, A> | null;
}

/** A found violation, before its trace is rebuilt. */
export interface Found<S extends State, A extends Action> {
  readonly invariant: string;
  readonly kind: 'state' | 'step';
  /** Number of the violating state (kind `state`) or of the step's source state (kind `step`). */
  readonly stateNumber: number;
  /** For a step violation: the action and its target. */
  readonly action?: A;
  readonly target?: S;
}

/**
 * `kind => its index in kinds, or -1`, generated as one `switch` over the kinds written out: the
 * kinds are string constants, which V8 compares by pointer, so the count of a fired transition
 * costs a few comparisons instead of a `Map` lookup (about 3 % of a TwoPhase run).
 */
function compileKindIndex(kinds: readonly string[]): (kind: string) => number {
  const index = new Map<string, number>();
  kinds.forEach((kind, i) => index.set(kind, i));
  const cases = [...index].map(([kind, i]) => `case ${JSON.stringify(kind)}: return ${i};`);
  return new Function('kind', `switch (kind) {\n${cases.join('\n')}\ndefault: return -1;\n}`) as (kind: string) => number;
}

/** Mutable bookkeeping of one search run. */
export class SearchRun<S extends State, A extends Action> {
  readonly codec: StateCodec;
  readonly visited = new VisitedStates();
  readonly initialStates: readonly S[];
  readonly maxStates: number;
  readonly timeLimitMs: number;
  transitions = 0;
  depth = 0;
  incompleteReason: IncompleteReason | null = null;
  private readonly coverageCounts: Float64Array;
  /** The index of an action kind in `model.actionKinds`, or -1 (generated: a `switch` over the kinds). */
  private readonly kindIndex: (kind: string) => number;
  private readonly startMs = performance.now();
  private readonly progressIntervalMs: number;
  private lastProgressMs = this.startMs;
  private readonly invariants: readonly Invariant<S>[];
  private readonly stepInvariants: readonly StepInvariant<S, A>[];

  constructor(
    readonly model: Model<S, A>,
    readonly options: CheckOptions,
  ) {
    this.initialStates = model.init();
    const first = this.initialStates[0];
    if (first === undefined) throw new Error('the model has no initial state');
    this.codec = new StateCodec(first);
    this.kindIndex = compileKindIndex(model.actionKinds);
    this.coverageCounts = new Float64Array(model.actionKinds.length);
    this.invariants = model.invariants;
    this.stepInvariants = model.stepInvariants;
    this.maxStates = options.maxStates ?? Infinity;
    this.timeLimitMs = options.timeLimitSeconds === undefined ? Infinity : options.timeLimitSeconds * 1000;
    this.progressIntervalMs = options.progressIntervalMs ?? 1000;
  }

  /** Count a fired transition. */
  fired(action: A): void {
    this.transitions++;
    const i = this.kindIndex(action.kind);
    if (i < 0) {
      throw new Error(`action kind "${action.kind}" is not listed in the model's actionKinds`);
    }
    this.coverageCounts[i]!++;
  }

  /** The index of `action`'s kind in the model's `actionKinds`; throws for an unlisted kind. */
  kindOf(action: A): number {
    const i = this.kindIndex(action.kind);
    if (i < 0) throw new Error(`action kind "${action.kind}" is not listed in the model's actionKinds`);
    return i;
  }

  /** Count a fired transition of the kind with index `kind` (see {@link kindOf}). */
  firedKind(kind: number): void {
    this.transitions++;
    this.coverageCounts[kind]!++;
  }

  /**
   * Add `count` to the coverage of the kind with index `kind`, for transitions already counted in
   * {@link transitions} (grouped search counts coverage per memo entry, at the end).
   */
  coverKind(kind: number, count: number): void {
    this.coverageCounts[kind]! += count;
  }

  /** The name of the kind with index `kind`. */
  kindName(kind: number): string {
    return this.model.actionKinds[kind]!;
  }

  /**
   * `true` when the state limit is reached and the state with this fingerprint would be one more:
   * the search must stop, incomplete. Checked before a state is added, so a search never holds
   * more than `maxStates` states, and one that finds exactly `maxStates` can still pass.
   */
  atStateLimit(hi: number, lo: number): boolean {
    if (this.visited.size < this.maxStates || this.visited.has(hi, lo)) return false;
    this.incompleteReason = 'max-states';
    return true;
  }

  /** The id of the first invariant `state` breaks, or `undefined`. */
  brokenInvariant(state: S): string | undefined {
    const invariants = this.invariants;
    for (let i = 0; i < invariants.length; i++) {
      if (!invariants[i]!.holds(state)) return invariants[i]!.id;
    }
    return undefined;
  }

  /** The id of the first step invariant the step breaks, or `undefined`. */
  brokenStepInvariant(before: S, action: A, after: S): string | undefined {
    const stepInvariants = this.stepInvariants;
    for (let i = 0; i < stepInvariants.length; i++) {
      if (!stepInvariants[i]!.holds(before, action, after)) return stepInvariants[i]!.id;
    }
    return undefined;
  }

  elapsedMs(): number {
    return performance.now() - this.startMs;
  }

  /** Check the time limit and report progress; call every few hundred expansions. */
  tick(queue: number): boolean {
    const now = performance.now();
    if (now - this.startMs >= this.timeLimitMs) {
      this.incompleteReason = 'time-limit';
      return false;
    }
    if (this.options.onProgress !== undefined && now - this.lastProgressMs >= this.progressIntervalMs) {
      this.lastProgressMs = now;
      const seconds = (now - this.startMs) / 1000;
      this.options.onProgress({
        seconds,
        transitions: this.transitions,
        distinctStates: this.visited.size,
        statesPerSecond: Math.round(this.visited.size / seconds),
        depth: this.depth,
        queue,
        rssBytes: process.memoryUsage.rss(),
      });
    }
    return true;
  }

  /** Assemble the result; rebuilds the counterexample's trace when there is one. */
  finish(found: Found<S, A> | undefined, rebuild: (found: Found<S, A>) => readonly TraceStep<S, A>[]): CheckResult<S, A> {
    const seconds = this.elapsedMs() / 1000;
    const kinds = this.model.actionKinds;
    const coverage = kinds.map((kind, i) => ({ kind, fired: this.coverageCounts[i]! }));
    const violation: Counterexample<S, A> | null =
      found === undefined ? null : { invariant: found.invariant, kind: found.kind, steps: rebuild(found) };
    const distinctStates = this.visited.size;
    return {
      strategy: this.options.strategy ?? 'bfs',
      seed: this.options.seed ?? 0,
      result: violation !== null ? 'violation' : this.incompleteReason !== null ? 'incomplete' : 'pass',
      incompleteReason: violation !== null ? null : this.incompleteReason,
      distinctStates,
      transitions: this.transitions,
      depth: this.depth,
      seconds,
      statesPerSecond: seconds > 0 ? Math.round(distinctStates / seconds) : distinctStates,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      collisionProbability: this.visited.fingerprints.collisionProbability(),
      coverage,
      neverFired: coverage.filter((c) => c.fired === 0).map((c) => c.kind),
      violation,
    };
  }
}
