/**
 * Breadth-first exhaustive search. States are discovered in order of distance from the initial
 * states and checked when discovered, so the first violation found has a shortest trace.
 *
 * @module
 */
import type { Action, Model, State } from './model.js';
import { groupedBreadthFirst } from './bfs-grouped.js';
import { VectorQueue } from './queue.js';
import type { CheckOptions, CheckResult, Found } from './search.js';
import { SearchRun } from './search.js';
import { rebuildCounterexample } from './trace.js';
import { NO_PARENT } from './visited.js';

export function breadthFirst<S extends State, A extends Action>(
  model: Model<S, A>,
  options: CheckOptions,
): CheckResult<S, A> {
  // Models that declare action groups are explored through memoised group transitions (same
  // states, order and results); step invariants need the states of every step, so not then.
  const groups = model.groups;
  if (groups !== undefined && groups.length > 0 && model.stepInvariants.length === 0) {
    return groupedBreadthFirst(model, groups, options);
  }
  const run = new SearchRun(model, options);
  const { codec, visited } = run;
  const width = codec.width;
  const queue = new VectorQueue(width);
  const child = new Int32Array(width);
  const maxDepth = options.maxDepth ?? Infinity;
  let found: Found<S, A> | undefined;

  for (const s of run.initialStates) {
    codec.encode(s, child, 0);
    codec.fingerprint(child, 0);
    if (run.atStateLimit(codec.hi, codec.lo)) break;
    const n = visited.add(codec.hi, codec.lo, NO_PARENT);
    if (n < 0) continue;
    codec.checkShape(s);
    const broken = run.brokenInvariant(s);
    if (broken !== undefined) {
      found = { invariant: broken, kind: 'state', stateNumber: n };
      break;
    }
    queue.push(child, 0);
  }

  const actions: A[] = [];
  let expanded = 0;
  // States are numbered in the order they are enqueued, so the one taken out now is number
  // `expanded`; a level's states are numbered consecutively, and when the first state of the next
  // level is taken out, every state of the level after it has been found.
  let depth = 0;
  let levelEnd = visited.size;
  search: while (found === undefined && queue.shift()) {
    const number = expanded;
    if (number === levelEnd) {
      depth++;
      levelEnd = visited.size;
    }
    const vectors = queue.currentVectors;
    const offset = queue.currentOffset;
    const state = codec.decode(vectors, offset) as S;
    const parentHi = visited.hiOf(number);
    const parentLo = visited.loOf(number);
    if (depth > run.depth) run.depth = depth;
    if ((++expanded & 0xff) === 0 && !run.tick(queue.size)) break;
    // pop, not `length = 0`: truncating an array is a runtime call in V8.
    while (actions.length > 0) actions.pop();
    model.actions(state, actions);
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i]!;
      const next = model.next(state, action);
      if (next === undefined) continue;
      run.fired(action);
      const brokenStep = run.brokenStepInvariant(state, action, next);
      if (brokenStep !== undefined) {
        found = { invariant: brokenStep, kind: 'step', stateNumber: number, action, target: next };
        break search;
      }
      if (next === state) continue;
      codec.encodeAndFingerprint(next, child, 0, state, vectors, offset, parentHi, parentLo);
      if (depth >= maxDepth) {
        // Not expanded beyond the bound: the search is incomplete if this would be a new state.
        if (!visited.has(codec.hi, codec.lo)) run.incompleteReason = 'max-depth';
        continue;
      }
      if (run.atStateLimit(codec.hi, codec.lo)) break search;
      const n = visited.add(codec.hi, codec.lo, number);
      if (n < 0) continue;
      codec.checkShape(next);
      const broken = run.brokenInvariant(next);
      if (broken !== undefined) {
        if (depth + 1 > run.depth) run.depth = depth + 1;
        found = { invariant: broken, kind: 'state', stateNumber: n };
        break search;
      }
      queue.push(child, 0);
    }
  }
  return run.finish(found, (f) => rebuildCounterexample(model, codec, visited, f));
}
