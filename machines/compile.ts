/**
 * Compiling a role's statechart into a fast stepper for the checker.
 *
 * XState's `transition()` costs about ten microseconds a call: it builds an actor scope each time.
 * The checker steps roles tens of millions of times, so each chart is compiled once into a table:
 * for every configuration (state value) and event type, a small decision tree over the guards that
 * XState would evaluate, whose leaves say which configuration comes next and which updates and
 * effects run, in XState's order.
 *
 * The table is not computed by re-implementing statechart semantics. It is computed by *asking
 * XState*: the chart is run with oracle guards that answer from a script and record what they are
 * asked, and with recording actions. Each event type is probed from each configuration with every
 * answer script the guards can produce, so compound and parallel states, entry and exit actions,
 * guard combinators and eventless transitions all come out exactly as XState does them. A
 * differential property test (`test/role-differential.test.ts`) checks the compiled stepper against
 * `transition()` on random event sequences from reachable states.
 *
 * The limits, each reported by a {@link ChartCompileError}: guards and actions must be named (no
 * inline functions over the context), their params static, and no delayed (`after`) transitions:
 * time is an environment event in clusterspec, never a clock.
 *
 * @module
 */
import { assign, initialTransition, transition } from 'xstate';
import type { AnyStateMachine, EventObject, MachineContext, StateValue } from 'xstate';
import type { GuardFn, Params, RoleImpl } from './role.js';

/** A role's local state in a model: its configuration (an index) and its context. */
export interface RoleSnapshot<C> {
  /** The configuration: an index into {@link CompiledRole.configs}. */
  readonly at: number;
  readonly ctx: C;
}

/** A chart that cannot be compiled, with the reason. */
export class ChartCompileError extends Error {
  constructor(role: string, reason: string) {
    super(`role "${role}": ${reason}`);
    this.name = 'ChartCompileError';
  }
}

interface Op<C, E, O> {
  readonly name: string;
  readonly params: Params;
  readonly update?: (ctx: C, event: E, params: Params) => C;
  readonly effect?: (ctx: C, event: E, params: Params) => readonly O[];
}

interface GuardNode<C, E, O> {
  /** Actions that run before the guard is asked (eventless transitions' guards see their effect). */
  readonly pre: readonly Op<C, E, O>[];
  readonly guard: GuardFn<C, E>;
  readonly name: string;
  readonly params: Params;
  readonly yes: DecisionNode<C, E, O>;
  readonly no: DecisionNode<C, E, O>;
}

interface Leaf<C, E, O> {
  readonly guard?: undefined;
  /** `false` when no transition is enabled: XState ignores the event. */
  readonly taken: boolean;
  readonly target: number;
  readonly ops: readonly Op<C, E, O>[];
}

type DecisionNode<C, E, O> = GuardNode<C, E, O> | Leaf<C, E, O>;

/** One configuration of a chart. */
export interface Configuration {
  /** XState's state value. */
  readonly value: StateValue;
  /** A readable name: the active leaf states' paths, e.g. `working` or `serving.idle, replication.behind`. */
  readonly name: string;
  /** Every active state's path (`serving`, `serving.idle`, ...). */
  readonly active: ReadonlySet<string>;
}

/** `lastCtx` before any context is seen (a context may be `undefined`). */
const NO_CONTEXT: unique symbol = Symbol('no context');

/** A chart compiled against an implementation. */
export class CompiledRole<C, E extends EventObject, O> {
  /** Every configuration reachable in the chart's structure (guards taken as either outcome). */
  readonly configs: readonly Configuration[];
  /** The event types the chart handles somewhere. */
  readonly eventTypes: readonly string[];
  private readonly table: readonly Readonly<Record<string, DecisionNode<C, E, O>>>[];
  private readonly initialTree: DecisionNode<C, E, O>;
  // Snapshots, one per configuration and context, so that a role steps without allocating and the
  // checker interns these frozen snapshots by identity. A frozen context is a constant: its
  // snapshots are kept for as long as it lives (a WeakMap), so a role whose contexts are frozen
  // values (hash-consed by its implementation) only ever has one snapshot per (configuration,
  // context). An unfrozen context may be a new object every step: only the snapshots of the most
  // recent one are kept.
  private lastCtx: unknown = NO_CONTEXT;
  private lastSnapshots: (RoleSnapshot<C> | undefined)[] = [];
  private readonly byFrozenCtx = new WeakMap<object, (RoleSnapshot<C> | undefined)[]>();

  /** @internal use {@link compileRole} */
  constructor(
    readonly name: string,
    compiled: {
      configs: Configuration[];
      eventTypes: string[];
      table: Record<string, DecisionNode<C, E, O>>[];
      initial: DecisionNode<C, E, O>;
    },
  ) {
    this.configs = compiled.configs;
    this.eventTypes = compiled.eventTypes;
    this.table = compiled.table;
    this.initialTree = compiled.initial;
  }

  /** The snapshot of a fresh role: the chart's initial configuration, its entry actions run on `ctx`. */
  initial(ctx: C, sent: O[] = []): RoleSnapshot<C> {
    const event = { type: 'xstate.init' } as unknown as E;
    let node = this.initialTree;
    // Guards of eventless transitions taken on the way in decide the initial configuration.
    while (node.guard !== undefined) {
      ctx = this.run(node.pre, ctx, event, sent);
      node = node.guard(ctx, event, node.params) ? node.yes : node.no;
    }
    return this.snapshot(node.target, this.run(node.ops, ctx, event, sent));
  }

  /**
   * Step the role with `event`. Returns `undefined` when the chart takes no transition (the event
   * is ignored), `s` itself when a transition is taken but changes nothing, and otherwise the new
   * snapshot. Effects are pushed onto `sent`.
   */
  step(s: RoleSnapshot<C>, event: E, sent: O[]): RoleSnapshot<C> | undefined {
    const node = this.table[s.at]![event.type];
    return node === undefined ? undefined : this.follow(node, s, event, sent);
  }

  /**
   * A stepper for one event type: {@link CompiledRole.step} without looking the event type up,
   * for hot loops that step the same kind of event many times.
   */
  stepper(type: E['type']): (s: RoleSnapshot<C>, event: E, sent: O[]) => RoleSnapshot<C> | undefined {
    const byConfig = this.table.map((row) => row[type]);
    return (s, event, sent) => {
      const node = byConfig[s.at];
      if (node === undefined) return undefined;
      // The commonest case, an unguarded transition with no actions: no walk, nothing to run.
      if (node.guard === undefined && node.ops.length === 0) {
        if (!node.taken) return undefined;
        return node.target === s.at ? s : this.snapshot(node.target, s.ctx);
      }
      return this.follow(node, s, event, sent);
    };
  }

  /** For each configuration, whether the chart has a transition for `type` there (guards aside). */
  handlers(type: E['type']): readonly boolean[] {
    return this.table.map((row) => row[type] !== undefined);
  }

  private follow(node: DecisionNode<C, E, O>, s: RoleSnapshot<C>, event: E, sent: O[]): RoleSnapshot<C> | undefined {
    let ctx = s.ctx;
    while (node.guard !== undefined) {
      if (node.pre.length > 0) ctx = this.run(node.pre, ctx, event, sent);
      node = node.guard(ctx, event, node.params) ? node.yes : node.no;
    }
    if (!node.taken) return undefined;
    if (node.ops.length > 0) ctx = this.run(node.ops, ctx, event, sent);
    if (ctx === s.ctx && node.target === s.at) return s;
    return this.snapshot(node.target, ctx);
  }

  /** `true` when the chart has a transition for `type` in configuration `at` (guards aside). */
  handles(at: number, type: string): boolean {
    return this.table[at]![type] !== undefined;
  }

  /** The index of the configuration whose name is `name` (see {@link Configuration.name}). */
  indexOf(name: string): number {
    const at = this.configs.findIndex((c) => c.name === name);
    if (at < 0) throw new Error(`role "${this.name}" has no configuration "${name}"`);
    return at;
  }

  /** `true` when the state at `path` (e.g. `serving.idle`) is active in configuration `at`. */
  isIn(at: number, path: string): boolean {
    return this.configs[at]!.active.has(path);
  }

  private run(ops: readonly Op<C, E, O>[], ctx: C, event: E, sent: O[]): C {
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.update !== undefined) ctx = op.update(ctx, event, op.params);
      else {
        const outs = op.effect!(ctx, event, op.params);
        for (let k = 0; k < outs.length; k++) sent.push(outs[k]!);
      }
    }
    return ctx;
  }

  private snapshot(at: number, ctx: C): RoleSnapshot<C> {
    if (ctx !== this.lastCtx) this.useContext(ctx);
    const cached = this.lastSnapshots[at];
    return cached !== undefined ? cached : (this.lastSnapshots[at] = Object.freeze({ at, ctx }));
  }

  private useContext(ctx: C): void {
    this.lastCtx = ctx;
    if (typeof ctx === 'object' && ctx !== null && Object.isFrozen(ctx)) {
      let snapshots = this.byFrozenCtx.get(ctx);
      if (snapshots === undefined) this.byFrozenCtx.set(ctx, (snapshots = []));
      this.lastSnapshots = snapshots;
    } else {
      this.lastSnapshots = [];
    }
  }
}

/** The readable name and active paths of a state value. */
export function describeValue(value: StateValue): Configuration {
  const leaves: string[] = [];
  const active = new Set<string>();
  const walk = (v: StateValue, prefix: string): void => {
    if (typeof v === 'string') {
      const path = prefix + v;
      active.add(path);
      leaves.push(path);
      return;
    }
    for (const [key, sub] of Object.entries(v)) {
      active.add(prefix + key);
      if (sub !== undefined) walk(sub as StateValue, `${prefix}${key}.`);
    }
  };
  walk(value, '');
  return { value, name: leaves.join(', '), active };
}

/** What the probes record while XState runs the chart. */
class Probe {
  script: readonly boolean[] = [];
  /** Each guard asked, with how many actions had run when it was asked. */
  queries: { name: string; params: Params; opsBefore: number }[] = [];
  ops: { name: string; params: Params }[] = [];
  private muted = 0;

  reset(script: readonly boolean[]): void {
    this.script = script;
    this.queries = [];
    this.ops = [];
  }

  ask(name: string, params: Params): boolean {
    if (this.muted > 0) return false;
    const answer = this.script[this.queries.length] ?? false;
    this.queries.push({ name, params, opsBefore: this.ops.length });
    return answer;
  }

  record(name: string, params: Params): void {
    if (this.muted === 0) this.ops.push({ name, params });
  }

  /** Run `f` without recording (XState builds a throwaway initial snapshot inside `transition()`). */
  mute<T>(f: () => T): T {
    this.muted++;
    try {
      return f();
    } finally {
      this.muted--;
    }
  }
}

// The context the probes run with: oracles answer guards, so a chart that reads it is using an
// inline function, which the compiled table could not reproduce.
function probeContext(role: string): MachineContext {
  return new Proxy(
    {},
    {
      get(_, key) {
        if (typeof key === 'symbol' || key === 'toJSON' || key === 'then') return undefined;
        throw new ChartCompileError(role, `an inline guard, action or params function reads context.${key}; name it in the role's implementation`);
      },
    },
  );
}

/**
 * Compile `machine` with the guards and actions of `impl`. Every name the chart references must be
 * in `impl`; compiling probes XState about (configurations × event types × guard outcomes) times.
 */
export function compileRole<C, E extends EventObject, O>(name: string, machine: AnyStateMachine, impl: RoleImpl<C, E, O>): CompiledRole<C, E, O> {
  rejectDelays(name, machine);
  const probe = new Probe();
  const guards: Record<string, (args: unknown, params: Params) => boolean> = {};
  for (const g of Object.keys(impl.guards)) guards[g] = (_args, params) => probe.ask(g, params);
  const actions: Record<string, unknown> = {};
  for (const a of [...Object.keys(impl.updates), ...Object.keys(impl.effects)]) {
    // Recorders run as XState runs assign actions: in order, during the transition itself.
    actions[a] = assign((_args: unknown, params: Params) => {
      probe.record(a, params);
      return {};
    });
  }
  const probed = machine.provide({ guards, actions } as never) as AnyStateMachine;
  const ctx = probeContext(name);
  // transition() and initialTransition() each build a throwaway actor, whose constructor takes a
  // throwaway initial snapshot (with no input); only initialTransition's own call, the one given
  // our probe context as input, is the initial transition. Recording the throwaway one too ran a
  // fresh role's entry actions twice.
  const getInitialSnapshot = probed.getInitialSnapshot.bind(probed);
  let initialRecording = false;
  probed.getInitialSnapshot = ((...args: Parameters<typeof getInitialSnapshot>) =>
    initialRecording && args[1] === ctx ? getInitialSnapshot(...args) : probe.mute(() => getInitialSnapshot(...args))) as typeof getInitialSnapshot;

  const configs: Configuration[] = [];
  const indexByKey = new Map<string, number>();
  const indexOf = (value: StateValue): number => {
    const key = JSON.stringify(value);
    let at = indexByKey.get(key);
    if (at === undefined) {
      at = configs.length;
      indexByKey.set(key, at);
      configs.push(describeValue(value));
    }
    return at;
  };

  const lookupOp = (op: { name: string; params: Params }): Op<C, E, O> => {
    const update = impl.updates[op.name];
    if (update !== undefined) return { ...op, update };
    const effect = impl.effects[op.name];
    if (effect !== undefined) return { ...op, effect };
    throw new ChartCompileError(name, `the chart runs action "${op.name}", which the implementation does not define`);
  };

  // A decision tree: run with `script`; each guard asked beyond the script was answered `false`,
  // and its `true` branch is probed in turn. The tree covers the actions recorded after the answer
  // to the script's last guard; each guard node carries the actions that ran before it was asked.
  const explore = (script: readonly boolean[], run: () => { taken: boolean; value: StateValue }): DecisionNode<C, E, O> => {
    probe.reset(script);
    const result = run();
    const { queries, ops } = probe;
    const k = script.length;
    const base = k === 0 ? 0 : queries[k - 1]!.opsBefore;
    const lastAsked = queries.length > k ? queries[queries.length - 1]!.opsBefore : base;
    let node: DecisionNode<C, E, O> = { taken: result.taken, target: indexOf(result.value), ops: ops.slice(lastAsked).map(lookupOp) };
    for (let i = queries.length - 1; i >= k; i--) {
      const q = queries[i]!;
      const guard = impl.guards[q.name];
      if (guard === undefined) throw new ChartCompileError(name, `the chart asks guard "${q.name}", which the implementation does not define`);
      const from = i === k ? base : queries[i - 1]!.opsBefore;
      const prefix = [...script, ...new Array<boolean>(i - k).fill(false), true];
      node = { pre: ops.slice(from, q.opsBefore).map(lookupOp), guard, name: q.name, params: q.params, yes: explore(prefix, run), no: node };
    }
    return node;
  };

  const initial = foldConstantGuards(explore([], () => {
    initialRecording = true;
    try {
      const [snapshot] = initialTransition(probed, ctx);
      return { taken: true, value: snapshot.value };
    } finally {
      initialRecording = false;
    }
  }));

  const eventTypes = [...(probed as unknown as { events: string[] }).events].filter((t) => !t.startsWith('xstate.'));
  for (const t of eventTypes) if (t.includes('*')) throw new ChartCompileError(name, `wildcard event "${t}" is not supported`);
  const table: Record<string, DecisionNode<C, E, O>>[] = [];
  for (let at = 0; at < configs.length; at++) {
    const row: Record<string, DecisionNode<C, E, O>> = {};
    const snapshot = probed.resolveState({ value: configs[at]!.value, context: ctx });
    for (const type of eventTypes) {
      const event = { type };
      const tree = foldConstantGuards(explore([], () => {
        // Whether a transition is enabled, even one that changes nothing (a root transition to
        // the active state is a no-op for XState, but an enabled step for the checker).
        const script = probe.script;
        const taken = probed.getTransitionData(snapshot, event).length > 0;
        probe.reset(script);
        const [next] = transition(probed, snapshot, event);
        return { taken, value: next.value };
      }));
      if (tree.guard !== undefined || tree.taken) row[type] = tree;
    }
    table.push(row);
  }
  return new CompiledRole<C, E, O>(name, { configs, eventTypes, table, initial });
}

/** Thrown by {@link UNREADABLE} when a guard reads its context or event. */
const READS = Symbol('reads');
/** A context or event that a guard may not read: reading it shows the guard is not constant. */
const UNREADABLE: unknown = new Proxy(
  {},
  {
    get: () => {
      throw READS;
    },
    has: () => {
      throw READS;
    },
    ownKeys: () => {
      throw READS;
    },
  },
);

/**
 * Fold guards that read neither the context nor the event (a seeded bug's switch, say
 * `() => abortAfterPrepare`) into the branch they always take, so the table holds no transition
 * that can never be taken and the stepper asks no guard whose answer is known.
 */
function foldConstantGuards<C, E, O>(node: DecisionNode<C, E, O>): DecisionNode<C, E, O> {
  if (node.guard === undefined) return node;
  let constant: boolean | undefined;
  try {
    constant = node.guard(UNREADABLE as C, UNREADABLE as E, node.params) === true;
  } catch (error) {
    if (error !== READS) throw error;
  }
  if (constant === undefined) return { ...node, yes: foldConstantGuards(node.yes), no: foldConstantGuards(node.no) };
  const taken = foldConstantGuards(constant ? node.yes : node.no);
  if (node.pre.length === 0) return taken;
  // The actions that ran before the guard was asked still run, first.
  return taken.guard === undefined ? { ...taken, ops: [...node.pre, ...taken.ops] } : { ...taken, pre: [...node.pre, ...taken.pre] };
}

function rejectDelays(role: string, machine: AnyStateMachine): void {
  const visit = (node: { after?: unknown[]; states: Record<string, unknown>; id: string }): void => {
    if (Array.isArray(node.after) && node.after.length > 0) {
      throw new ChartCompileError(role, `state "${node.id}" has a delayed (after) transition; model time as an environment event`);
    }
    for (const child of Object.values(node.states)) visit(child as typeof node);
  };
  visit(machine.root as unknown as { after?: unknown[]; states: Record<string, unknown>; id: string });
}
