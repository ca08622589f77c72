/**
 * The model interface: the one seam between a protocol and the checker.
 *
 * A model is a transition system over plain immutable data. The checker knows nothing else about
 * it. The interface follows Stateright's `Model` trait: initial states, the enabled actions of a
 * state, the successor of a state under an action, and named properties.
 *
 * @module
 */

/**
 * A state is a record of *components*: a plain object whose fields hold plain immutable data
 * (objects, arrays, numbers, strings, booleans, `null`). No class instances, functions, `Map` or
 * `Set`. Every state of a model has the same field names.
 *
 * The checker interns each field's value once into a small integer id, so a successor that shares
 * a field with its parent (the same object reference) costs nothing for that field. Return
 * successors with structural sharing (`{ ...state, tm: newTm }`) and keep sets as sorted arrays
 * (see `impl/sorted-set.ts`) so that two states that mean the same encode the same.
 */
export type State = object;

/**
 * An action is a labelled step. Its `kind` names the step (`"RMPrepare"`), and the checker's
 * coverage counts firings per kind; every kind a model can produce must be listed in
 * {@link Model.actionKinds}. Models usually build their action objects once, up front, and push
 * the same objects from {@link Model.actions}: that keeps the hot loop free of allocation.
 */
export interface Action {
  readonly kind: string;
}

/** A named predicate that must hold in every reachable state. */
export interface Invariant<S extends State> {
  /** A short stable id such as `TCConsistent` or `MG-SINGLE`. */
  readonly id: string;
  /** One sentence: what the invariant says. */
  readonly description: string;
  /** `true` when the invariant holds in `state`. */
  holds(state: S): boolean;
}

/** A named predicate over one step `(before, action, after)`, for properties like "never decreases". */
export interface StepInvariant<S extends State, A extends Action> {
  readonly id: string;
  readonly description: string;
  holds(before: S, action: A, after: S): boolean;
}

/**
 * A transition system the checker can explore. Build one with a {@link ModelDefinition} from a
 * size and a set of enabled bugs.
 */
export interface Model<S extends State = State, A extends Action = Action> {
  /** The initial states, in a deterministic order. */
  init(): readonly S[];
  /**
   * Push every action that may be enabled in `state` onto `out`, in a deterministic order. An
   * action pushed here may still turn out disabled: {@link Model.next} then returns `undefined`.
   */
  actions(state: S, out: A[]): void;
  /**
   * The successor of `state` under `action`, or `undefined` when the action is not enabled.
   * Returning `state` itself is a self-loop: an enabled step that changes nothing (a TLA+
   * stuttering step such as a receive of a message already received). It counts as a transition
   * and for coverage, and costs the checker no fingerprint.
   */
  next(state: S, action: A): S | undefined;
  /** Every action kind this model can produce, so that coverage can name the ones that never fired. */
  readonly actionKinds: readonly string[];
  /** Properties of single states. */
  readonly invariants: readonly Invariant<S>[];
  /** Properties of steps. */
  readonly stepInvariants: readonly StepInvariant<S, A>[];
  /** A human label of an action for traces, e.g. `RMPrepare(r2)`. */
  describe(action: A): string;
  /** A per-role JSON view of a state for traces, e.g. `{ tm: {...}, r1: {...} }`. */
  view(state: S): Record<string, unknown>;
  /** The message an action delivers, for traces (optional; models without a network omit it). */
  message?(action: A): unknown;
  /**
   * Optional: the actions of {@link Model.actions} partitioned into groups by the components they
   * touch (typically one group per role). When given, and the model has no step invariants,
   * breadth-first search memoises each group's transitions over the ids of its footprint, so that
   * expanding a state is a few table lookups instead of calls to `actions` and `next`
   * (see {@link ActionGroup} for the contract, and `docs/checker.md` § 4.3).
   */
  readonly groups?: readonly ActionGroup<S, A>[];
}

/**
 * A component of a state: a field name (`'msgs'`), or one element of a field that holds an array
 * of roles (`['rmState', 2]`).
 */
export type ComponentRef = string | readonly [field: string, index: number];

/**
 * A group of actions that depend on, and change, only a few components of the state: its
 * *footprint*. The contract, which the checker relies on:
 *
 * - `actions(state, out)` pushes the group's actions that may be enabled, and what it pushes
 *   depends only on the footprint's components;
 * - for each of those actions, whether `next` is enabled and the successor's footprint components
 *   depend only on the footprint's components of `state`, and every other component of the
 *   successor is the parent's (the same value);
 * - {@link Model.actions} pushes exactly what the groups push, group after group, in order.
 *
 * The checker verifies the third clause and "every other component is the parent's" whenever it
 * computes a group's transitions, and spot-checks the rest on a sample of states; a model that
 * breaks the contract gets an error, not a wrong answer, as far as those checks reach.
 */
export interface ActionGroup<S extends State, A extends Action> {
  /** The components the group's actions read or write. An element ref requires the field to stay an array of the same length. */
  readonly footprint: readonly ComponentRef[];
  /** Push the group's actions that may be enabled in `state`, in a deterministic order. */
  actions(state: S, out: A[]): void;
}

/** One size parameter of a model, e.g. the number of resource managers. */
export interface SizeParam {
  readonly description: string;
  /** Smallest accepted value (inclusive). */
  readonly min: number;
  /** Largest accepted value (inclusive). */
  readonly max: number;
}

/** A size: a value for every size parameter of a model. */
export type Size = { readonly [param: string]: number };

/** A seeded bug: a named mutant of the protocol that some invariant must catch. */
export interface BugInfo {
  readonly id: string;
  /** The id of the invariant that catches it. */
  readonly breaks: string;
  readonly description: string;
  /** The size at which the checker catches it, when not the model's default size. */
  readonly size?: Size;
}

/** The static description of an invariant (state or step), as `clusterspec list` shows it. */
export interface InvariantInfo {
  readonly id: string;
  readonly description: string;
}

/**
 * A registered model: its name, sizes, invariants, seeded bugs and a factory. This is what the
 * registry (`protocols/registry.ts`) holds and what the CLI reads.
 */
export interface ModelDefinition {
  /** The command-line name, e.g. `two-phase`. */
  readonly name: string;
  /** One line: what the model is. */
  readonly summary: string;
  /** Every size parameter with its range. */
  readonly sizeParams: { readonly [param: string]: SizeParam };
  /** The `default` size (explored exhaustively by `clusterspec check`) and a `large` one for benchmarks. */
  readonly sizes: { readonly default: Size; readonly large: Size };
  readonly invariants: readonly InvariantInfo[];
  readonly bugs: readonly BugInfo[];
  /**
   * The statechart of each role, for diagrams and model-based tests. The checker never looks at
   * them (it only sees {@link ModelDefinition.build}); the type is opaque here so that `checker/`
   * stays free of any statechart library. In practice each `machine` is an XState v5 machine.
   */
  readonly roles?: readonly RoleChart[];
  /** Build the model for a validated size with the given bugs switched on. */
  build(size: Size, bugs: ReadonlySet<string>): Model<State, Action>;
}

/** A role's statechart, as a model lists it for diagrams. */
export interface RoleChart {
  /** The role's name, e.g. `rm` or `config-server`. */
  readonly name: string;
  /** One line: what the role does. */
  readonly summary: string;
  /** The statechart (an XState v5 `StateMachine`). */
  readonly machine: unknown;
  /**
   * Which keys of the model's per-role view ({@link Model.view}) this chart draws, for trace
   * viewers: by default the key equal to {@link RoleChart.name}; roles with several instances
   * (`r1`, `r2`, …) say which keys are theirs.
   */
  readonly viewKeys?: (key: string) => boolean;
}
