/**
 * What the test suites written by `clusterspec testgen` call: drive a role's implementation along
 * a path of its chart, and replay a stored counterexample. Each throws an `Error` that says what
 * differs, so the generated tests are one line each.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { compileRole } from '../machines/compile.js';
import { ROLE_CASES } from '../protocols/role-samples.js';
import { findModel } from '../protocols/registry.js';
import { parseTrace } from './format.js';
import { replay } from './replay.js';

/**
 * The paths of one role's chart, stored compactly: every distinct event and every distinct
 * (state value, context) snapshot once, and the paths as a prefix tree (a trie) over them, so a
 * prefix shared by many paths is stored, and driven, once.
 */
export interface ChartPathTable {
  readonly role: string;
  /** The initial contexts the paths start from. */
  readonly inputs: readonly unknown[];
  /** The distinct events of the paths. */
  readonly events: readonly { readonly type: string }[];
  /** The distinct state values of the chart along the paths. */
  readonly values: readonly unknown[];
  /** The distinct `[key, value]` fields of the contexts (of object contexts) along the paths. */
  readonly fields: readonly (readonly [string, unknown])[];
  /**
   * The distinct snapshots the chart is in after a step: `[value, fields]` (indices into `values`
   * and `fields`), or `[value, null, context]` for a context that is not a plain object.
   */
  readonly snapshots: readonly (readonly [number, readonly number[]] | readonly [number, null, unknown])[];
  /**
   * The trie: `[parent, event, snapshot]`, a parent before its children; a parent `-1 - i` is the
   * initial state of input `i`. Following a node from its root gives a path's steps.
   */
  readonly nodes: readonly (readonly [number, number, number])[];
  /** The paths: `[kind (0 shortest, 1 simple), input, last node (-1: no step)]`. */
  readonly paths: readonly (readonly [0 | 1, number, number])[];
}

/** One test per path: its description, and a check that drives the implementation along it. */
export interface ChartPathSuite {
  readonly descriptions: readonly string[];
  /** Drive the implementation along path `i`; throws at the first step where it is elsewhere than the chart. */
  check(i: number): void;
}

type Outcome = { readonly ok: true; readonly state: { at: number; ctx: unknown } } | { readonly ok: false; readonly message: string };

/**
 * The tests of a role's chart paths. Every step of every path is checked: the implementation is
 * stepped once per trie node (its stepping is deterministic, so a shared prefix gives the same
 * snapshots on every path through it) and each path's test checks the outcome of each of its steps.
 */
export function chartPathSuite(model: string, table: ChartPathTable): ChartPathSuite {
  const sample = ROLE_CASES.find((c) => c.model === model && c.role === table.role);
  const compiled = sample === undefined ? undefined : compileRole(table.role, sample.machine, sample.implement(new Set()));
  const depth: number[] = [];
  for (const [parent] of table.nodes) depth.push(parent < 0 ? 1 : depth[parent]! + 1);
  const outcomes: (Outcome | undefined)[] = [];
  const roots: { at: number; ctx: unknown }[] = [];
  const stateBefore = (parent: number): { at: number; ctx: unknown } => {
    if (parent >= 0) {
      const o = outcome(parent);
      if (!o.ok) throw new Error('unreachable');
      return o.state;
    }
    const i = -1 - parent;
    return (roots[i] ??= compiled!.initial(table.inputs[i] as never));
  };
  const outcome = (n: number): Outcome => {
    const cached = outcomes[n];
    if (cached !== undefined) return cached;
    const [parent, e, snap] = table.nodes[n]!;
    let result: Outcome;
    if (parent >= 0 && !outcome(parent).ok) {
      result = outcome(parent);
    } else {
      const event = table.events[e]!;
      const step = depth[n]!;
      const before = stateBefore(parent);
      const s = compiled!.step(before as never, event as never, []) ?? before;
      const value = compiled!.configs[s.at]!.value;
      const [chartValue, chartContext] = snapshot(snap);
      if (!isDeepStrictEqual(value, chartValue)) {
        result = { ok: false, message: `step ${step} (${event.type}): the implementation is in ${JSON.stringify(value)}, the chart says ${JSON.stringify(chartValue)}` };
      } else if (!isDeepStrictEqual(s.ctx === undefined ? null : JSON.parse(JSON.stringify(s.ctx)), chartContext)) {
        result = { ok: false, message: `step ${step} (${event.type}): the context is ${JSON.stringify(s.ctx)}, the chart says ${JSON.stringify(chartContext)}` };
      } else {
        result = { ok: true, state: s };
      }
    }
    outcomes[n] = result;
    return result;
  };
  const snapshot = (i: number): [unknown, unknown] => {
    const [value, fields, context] = table.snapshots[i]!;
    return [table.values[value], fields === null ? context : Object.fromEntries(fields.map((f) => table.fields[f]!))];
  };
  const eventsOf = (n: number): string[] => {
    const types: string[] = [];
    for (let m = n; m >= 0; m = table.nodes[m]![0]) types.push(table.events[table.nodes[m]![1]]!.type);
    return types.reverse();
  };
  const descriptions = table.paths.map(([kind, input, last]) => {
    const from = table.inputs.length > 1 ? ` (initial context ${input})` : '';
    const end = last < 0 ? '' : ` ⇒ ${JSON.stringify(table.values[table.snapshots[table.nodes[last]![2]]![0]])}`;
    return `${kind === 0 ? 'shortest' : 'simple'}${from}: ${last < 0 ? '(initial state)' : eventsOf(last).join(' → ')}${end}`;
  });
  return {
    descriptions,
    check(i: number): void {
      if (compiled === undefined) throw new Error(`clusterspec has no role "${table.role}" in model "${model}"`);
      const [, input, last] = table.paths[i]!;
      if (last < 0) {
        compiled.initial(table.inputs[input] as never);
        return;
      }
      const o = outcome(last);
      if (!o.ok) throw new Error(o.message);
    },
  };
}

/**
 * Replay a stored counterexample (the text of a trace file): with its bugs on, the model must
 * reproduce it and its last step break the recorded invariant; with them off, it must not.
 */
export function replayStoredTrace(text: string, bugsOn: boolean): void {
  const trace = parseTrace(text);
  const definition = findModel(trace.model);
  if (definition === undefined) throw new Error(`unknown model "${trace.model}"`);
  const result = replay(definition.build(trace.size, new Set(bugsOn ? trace.bugs : [])), trace);
  if (bugsOn) {
    if (!result.ok) throw new Error(`the model no longer produces the trace: step ${result.divergedAt}: ${result.reason}`);
    if (result.brokenInvariant !== trace.invariant) throw new Error(`the last step breaks ${result.brokenInvariant ?? 'no invariant'}, not ${trace.invariant}`);
  } else if (result.ok && result.brokenInvariant === trace.invariant) {
    throw new Error(`the trace breaks ${trace.invariant} even without ${trace.bugs.join(', ')}`);
  }
}
