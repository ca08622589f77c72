/**
 * The vector-clock invariants every protocol checks (DESIGN § 4.1), over any list of node clocks:
 * `VC-ORDER` (ClusterTime ≥ ConfigTime ≥ TopologyTime at every node) and `VC-MONOTONE` (no
 * component of any node's clock decreases in a step, crash and restart included).
 *
 * A protocol passes a function that lists its nodes' vector times in a fixed order (the same
 * order in every state), e.g. `(s) => [s.router.ctx.clock, ...s.shards.map((x) => x.ctx.clock)]`.
 *
 * @module
 */
import type { Action, Invariant, State, StepInvariant } from '../checker/model.js';
import type { VectorTime } from '../impl/logical-time.js';

/** `VC-ORDER` over the clocks that `clocks` lists. */
export function clockOrder<S extends State>(clocks: (s: S) => readonly VectorTime[]): Invariant<S> {
  return {
    id: 'VC-ORDER',
    description: 'ClusterTime ≥ ConfigTime ≥ TopologyTime at every node, always',
    holds: (s) => clocks(s).every((t) => t.cluster >= t.config && t.config >= t.topology),
  };
}

/** `VC-MONOTONE` over the clocks that `clocks` lists (position i is the same node in every state). */
export function clockMonotone<S extends State, A extends Action = Action>(clocks: (s: S) => readonly VectorTime[]): StepInvariant<S, A> {
  return {
    id: 'VC-MONOTONE',
    description: 'no vector-time component decreases at any node in any step, crash and restart included',
    holds: (before, _action, after) => {
      const b = clocks(before);
      const a = clocks(after);
      for (let i = 0; i < b.length; i++) {
        const x = b[i]!;
        const y = a[i]!;
        if (x === y) continue;
        if (y.cluster < x.cluster || y.config < x.config || y.topology < x.topology) return false;
      }
      return true;
    },
  };
}
