/**
 * A neutral model of a statechart, read once from an XState v5 machine, that every diagram format
 * renders: the states as a tree (atomic, compound, parallel, final, history), and the transitions
 * with readable labels `EVENT [guard] / action1, action2`.
 *
 * Guards and actions are shown by name, with their static `params` (`sendTo(role="tm")`); `not`,
 * `and` and `or` read as `!g`, `a && b`, `a || b`; `stateIn` as `in(#id)`. Events read as their
 * type, except XState's own: eventless transitions read `always`, delayed ones `after 100ms`, a
 * compound state's completion `onDone`, an invoked actor's `onDone(id)` / `onError(id)`. The
 * raise and cancel actions that XState adds for delayed transitions are left out.
 *
 * @module
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** The kinds of state, as XState names them. */
export type NodeKind = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

/** A state of the chart. */
export interface ChartNode {
  /** XState's id, unique in the machine: `machineId.path.to.state` unless the state sets its own. */
  readonly id: string;
  /** The state's key in its parent (the machine's id for the root). */
  readonly key: string;
  readonly kind: NodeKind;
  /** The parent's id; `undefined` for the root. */
  readonly parent: string | undefined;
  /** Nesting depth: 0 for the root. */
  readonly depth: number;
  /** The child states, in document order. */
  readonly children: readonly ChartNode[];
  /**
   * A compound state's initial child (ids); a history state's default target; otherwise empty.
   */
  readonly initial: readonly string[];
  /** `shallow` or `deep` for a history state. */
  readonly history?: 'shallow' | 'deep';
  /** Entry and exit actions, as labels. */
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  /** `true` for a region: a direct child of a parallel state. */
  readonly region: boolean;
}

/** A transition of the chart. A transition with several targets (into parallel regions) is one. */
export interface ChartTransition {
  /** The source state's id. */
  readonly source: string;
  /** The target states' ids; empty for a targetless transition (actions only, no state change). */
  readonly targets: readonly string[];
  /** XState's event type: `''` for an eventless (`always`) transition. */
  readonly eventType: string;
  /** The readable event: `GO`, `always`, `after 100ms`, `onDone`, `*`. */
  readonly event: string;
  /** The delay of an `after` transition (milliseconds, or the name of a delay). */
  readonly delay?: number | string;
  /** The readable guard, if any. */
  readonly guard?: string;
  /** The actions, as labels. */
  readonly actions: readonly string[];
  /** XState's `reenter`: the source is exited and entered again even when it contains the target. */
  readonly reenter: boolean;
  /** `EVENT [guard] / action1, action2`. */
  readonly label: string;
}

export interface Chart {
  /** The machine's id. */
  readonly id: string;
  readonly root: ChartNode;
  /** Every state by id, in document order (the root first). */
  readonly nodes: ReadonlyMap<string, ChartNode>;
  /** Every transition, in document order of their sources, then in the order XState lists them. */
  readonly transitions: readonly ChartTransition[];
}

/** `true` when `value` looks like an XState v5 machine (a `StateMachine` with a root state node). */
export function isStateMachine(value: unknown): value is AnyStateMachine {
  if (typeof value !== 'object' || value === null || !('root' in value)) return false;
  const root: unknown = value.root;
  return typeof root === 'object' && root !== null && 'states' in root && 'transitions' in root && 'type' in root;
}

/** Read the chart of an XState v5 machine. */
export function chartOf(machine: AnyStateMachine): Chart {
  const nodes = new Map<string, ChartNode>();
  const transitions: ChartTransition[] = [];
  const visit = (node: AnyStateNode, depth: number): ChartNode => {
    const chartNode: ChartNode = {
      id: node.id,
      key: node.parent === undefined ? node.machine.id : node.key,
      kind: node.type,
      parent: node.parent?.id,
      depth,
      children: [],
      initial: initialOf(node),
      ...(node.type === 'history' && { history: node.history === 'deep' ? 'deep' : 'shallow' }),
      entry: actionLabels(node.entry),
      exit: actionLabels(node.exit),
      region: node.parent?.type === 'parallel',
    };
    nodes.set(node.id, chartNode);
    for (const list of node.transitions.values()) for (const t of list) transitions.push(transitionOf(t));
    for (const t of node.always ?? []) transitions.push(transitionOf(t));
    (chartNode.children as ChartNode[]).push(...Object.values(node.states).map((child) => visit(child, depth + 1)));
    return chartNode;
  };
  const root = visit(machine.root, 0);
  return { id: machine.id, root, nodes, transitions };
}

function initialOf(node: AnyStateNode): string[] {
  if (node.type === 'compound') return node.initial.target.map((t) => t.id);
  if (node.type !== 'history') return [];
  const target: unknown = node.config.target;
  const parent = node.parent;
  if (parent === undefined) return [];
  const resolved = (typeof target === 'string' ? [target] : Array.isArray(target) ? target : [])
    .map((t: unknown) => (typeof t === 'string' ? resolveFrom(parent, t) : undefined))
    .filter((n): n is AnyStateNode => n !== undefined);
  if (resolved.length > 0) return resolved.map((n) => n.id);
  // Without a target, a history state with no history enters its parent's initial state.
  return parent.type === 'compound' ? parent.initial.target.map((t) => t.id) : [];
}

/** The state a history target names: `#id`, or a path of keys from the history state's parent. */
function resolveFrom(parent: AnyStateNode, target: string): AnyStateNode | undefined {
  if (target.startsWith('#')) {
    const id = target.slice(1);
    const find = (n: AnyStateNode): AnyStateNode | undefined =>
      n.id === id ? n : Object.values(n.states).reduce<AnyStateNode | undefined>((found, c) => found ?? find(c), undefined);
    return find(parent.machine.root);
  }
  let node: AnyStateNode | undefined = parent;
  for (const key of target.split('.')) node = node?.states[key];
  return node;
}

/** The readable parts of an XState transition: its event, guard, actions and the whole label. */
export function describeTransition(t: AnyTransitionDefinition): Pick<ChartTransition, 'event' | 'guard' | 'actions' | 'label'> {
  const event = eventLabel(String(t.eventType), (t as { delay?: unknown }).delay);
  const guard = t.guard === undefined ? undefined : guardLabel(t.guard);
  const actions = actionLabels(t.actions);
  return { event, ...(guard !== undefined && { guard }), actions, label: transitionLabel(event, guard, actions) };
}

function transitionOf(t: AnyTransitionDefinition): ChartTransition {
  const delay: unknown = (t as { delay?: unknown }).delay;
  return {
    source: t.source.id,
    targets: (t.target ?? []).map((n) => n.id),
    eventType: String(t.eventType),
    ...((typeof delay === 'number' || typeof delay === 'string') && { delay }),
    ...describeTransition(t),
    reenter: t.reenter,
  };
}

/** `EVENT [guard] / action1, action2`. */
function transitionLabel(event: string, guard: string | undefined, actions: readonly string[]): string {
  return `${event}${guard === undefined ? '' : ` [${guard}]`}${actions.length === 0 ? '' : ` / ${actions.join(', ')}`}`;
}

/** The readable name of an event type (see the module comment). */
function eventLabel(eventType: string, delay?: unknown): string {
  if (eventType === '') return 'always';
  if (eventType.startsWith('xstate.after.')) {
    if (typeof delay === 'number') return `after ${delay}ms`;
    if (typeof delay === 'string') return `after ${delay}`;
    return 'after';
  }
  if (eventType.startsWith('xstate.done.state.')) return 'onDone';
  const actor = /^xstate\.(done|error)\.actor\.(.*)$/.exec(eventType);
  if (actor !== null) return `${actor[1] === 'done' ? 'onDone' : 'onError'}(${actor[2]})`;
  return eventType;
}

/** `k=v, …` for a params object (values as JSON); the JSON of anything else. */
function paramsText(params: unknown): string {
  if (typeof params === 'object' && params !== null && !Array.isArray(params)) {
    return Object.entries(params)
      .map(([k, v]) => `${k}=${JSON.stringify(v) ?? String(v)}`)
      .join(', ');
  }
  return JSON.stringify(params) ?? String(params);
}

/** A named reference, `name` or `{ type: name, params }`, as `name` or `name(k=v)`; else `undefined`. */
function referenceText(ref: unknown): string | undefined {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'object' && ref !== null && 'type' in ref && typeof ref.type === 'string') {
    const params: unknown = 'params' in ref ? ref.params : undefined;
    return params === undefined ? ref.type : `${ref.type}(${paramsText(params)})`;
  }
  return undefined;
}

const INLINE = '(inline)';

/** The readable form of a guard: a name, or `not`/`and`/`or`/`stateIn` of guards. */
function guardLabel(guard: unknown): string {
  const named = referenceText(guard);
  if (named !== undefined) return named;
  if (typeof guard !== 'function') return INLINE;
  const { check, guards, stateValue } = guard as { check?: { name?: string }; guards?: unknown[]; stateValue?: unknown };
  // Operands that are themselves `and`/`or` are parenthesised: `a && (b || c)`, `!(a && b)`.
  const operand = (g: unknown): string => {
    const text = guardLabel(g);
    const name = typeof g === 'function' ? (g as { check?: { name?: string } }).check?.name : undefined;
    return name === 'checkAnd' || name === 'checkOr' ? `(${text})` : text;
  };
  switch (check?.name) {
    case 'checkNot':
      return `!${operand(guards?.[0])}`;
    case 'checkAnd':
      return (guards ?? []).map(operand).join(' && ');
    case 'checkOr':
      return (guards ?? []).map(operand).join(' || ');
    case 'checkStateIn':
      return `in(${typeof stateValue === 'string' ? stateValue : JSON.stringify(stateValue)})`;
    default:
      return INLINE;
  }
}

/**
 * The label of an action: its name (with params); a built-in action creator by its kind
 * (`assign`, `raise(E)`, `log`); `undefined` for the raise/cancel XState adds for `after`.
 */
function actionLabel(action: unknown): string | undefined {
  const named = referenceText(action);
  if (named !== undefined) return named;
  if (typeof action !== 'function') return INLINE;
  const builtin = action as { type?: unknown; id?: unknown; sendId?: unknown; event?: unknown };
  if (typeof builtin.type !== 'string' || !builtin.type.startsWith('xstate.')) return INLINE;
  const delayed = (x: unknown): boolean => typeof x === 'string' && x.startsWith('xstate.after.');
  if (builtin.type === 'xstate.raise' && delayed(builtin.id)) return undefined;
  if (builtin.type === 'xstate.cancel' && delayed(builtin.sendId)) return undefined;
  const kind = builtin.type.slice('xstate.'.length);
  const event = builtin.event;
  if (typeof event === 'object' && event !== null && 'type' in event && typeof event.type === 'string') return `${kind}(${event.type})`;
  return kind;
}

function actionLabels(actions: readonly unknown[]): string[] {
  return actions.map(actionLabel).filter((a): a is string => a !== undefined);
}

/**
 * The lines drawn inside a state, as UML does: `entry / a, b`, `exit / c`, then its targetless
 * transitions (actions without a change of state), `EVENT [guard] / actions`. Diagrams draw no
 * arrow for a targetless transition.
 */
export function stateLines(chart: Chart, node: ChartNode): string[] {
  return [
    ...(node.entry.length > 0 ? [`entry / ${node.entry.join(', ')}`] : []),
    ...(node.exit.length > 0 ? [`exit / ${node.exit.join(', ')}`] : []),
    ...chart.transitions.filter((t) => t.source === node.id && t.targets.length === 0).map((t) => t.label),
  ];
}

/** `true` when `node` is `ancestor` or lies inside it. */
export function isWithin(chart: Chart, node: string, ancestor: string): boolean {
  for (let n: string | undefined = node; n !== undefined; n = chart.nodes.get(n)?.parent) if (n === ancestor) return true;
  return false;
}

/**
 * Whether the root must be drawn as a state of its own: when it is parallel, has transitions
 * (root-level `on`), is a transition's target, or has entry or exit actions. Otherwise its children
 * are drawn at the top level.
 */
export function rootIsDrawn(chart: Chart): boolean {
  const root = chart.root.id;
  return (
    chart.root.kind === 'parallel' ||
    chart.root.entry.length > 0 ||
    chart.root.exit.length > 0 ||
    chart.transitions.some((t) => t.source === root || t.targets.includes(root))
  );
}

/**
 * An id for every state that is unique and safe for a format: `sanitize(id)`, with `_2`, `_3`, …
 * appended when two states sanitize alike (in document order, so the result is deterministic).
 */
export function uniqueIds(chart: Chart, sanitize: (id: string) => string): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const id of chart.nodes.keys()) {
    const base = sanitize(id);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = `${base}_${n}`;
    taken.add(candidate);
    ids.set(id, candidate);
  }
  return ids;
}

/** `id` with every character outside `[A-Za-z0-9_]` replaced by `_`, prefixed when it starts with a digit. */
export const identifier = (id: string): string => {
  const safe = id.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(safe) ? safe : `_${safe}`;
};
