/**
 * A deliberately naive breadth-first exploration of a model, independent of the checker's
 * interning, fingerprinting and queues: the visited set is a `Map` keyed by `JSON.stringify` of
 * each state. Tests compare the checker against it.
 *
 * Only for models whose states are built with one key order (so that JSON is canonical).
 */
import type { Action, Model, State } from '../../checker/model.js';

export interface ReferenceExploration<S extends State> {
  /** Every reachable state, in breadth-first order. */
  readonly states: readonly S[];
  /** `JSON.stringify(state)` → length of a shortest path from an initial state. */
  readonly distance: ReadonlyMap<string, number>;
  /** Enabled (state, action) pairs over all reachable states, self-loops included. */
  readonly transitions: number;
  /** The largest shortest-path distance. */
  readonly depth: number;
}

export function referenceBfs<S extends State, A extends Action>(model: Model<S, A>): ReferenceExploration<S> {
  const distance = new Map<string, number>();
  const states: S[] = [];
  for (const s of model.init()) {
    const key = JSON.stringify(s);
    if (distance.has(key)) continue;
    distance.set(key, 0);
    states.push(s);
  }
  let transitions = 0;
  let depth = 0;
  const actions: A[] = [];
  for (let i = 0; i < states.length; i++) {
    const state = states[i]!;
    const d = distance.get(JSON.stringify(state))!;
    depth = Math.max(depth, d);
    actions.length = 0;
    model.actions(state, actions);
    for (const action of actions) {
      const next = model.next(state, action);
      if (next === undefined) continue;
      transitions++;
      const key = JSON.stringify(next);
      if (distance.has(key)) continue;
      distance.set(key, d + 1);
      states.push(next);
    }
  }
  return { states, distance, transitions, depth };
}
