/**
 * Counterexample reconstruction by re-execution (Stateright's `follow_fingerprints`): the search
 * keeps only fingerprints and parent numbers, so the path to a state is a list of fingerprints;
 * replaying the model from its initial states and, at each step, picking the successor with the
 * next fingerprint recovers the states and the actions.
 *
 * @module
 */
import type { Action, Model, State } from './model.js';
import type { Found, TraceStep } from './search.js';
import type { StateCodec } from './state-codec.js';
import type { VisitedStates } from './visited.js';

/** Rebuild the steps from an initial state to state `target` of `visited`. */
export function rebuildPath<S extends State, A extends Action>(
  model: Model<S, A>,
  codec: StateCodec,
  visited: VisitedStates,
  target: number,
): TraceStep<S, A>[] {
  const path = visited.pathTo(target);
  const width = codec.width;
  let vector = new Int32Array(width);
  let candidate = new Int32Array(width);
  const matches = (n: number): boolean => {
    const [hi, lo] = visited.fingerprintOf(n);
    codec.fingerprint(candidate, 0);
    return codec.hi === hi && codec.lo === lo;
  };

  let current: S | undefined;
  for (const s of model.init()) {
    codec.encode(s, candidate, 0);
    if (matches(path[0]!)) {
      current = s;
      break;
    }
  }
  if (current === undefined) throw new Error('trace reconstruction failed: no initial state has the recorded fingerprint');
  [vector, candidate] = [candidate, vector];
  const steps: TraceStep<S, A>[] = [{ action: null, state: current }];

  const actions: A[] = [];
  for (let i = 1; i < path.length; i++) {
    actions.length = 0;
    model.actions(current, actions);
    let found = false;
    for (const action of actions) {
      const next = model.next(current, action);
      if (next === undefined || next === current) continue;
      codec.encode(next, candidate, 0, current, vector, 0);
      if (matches(path[i]!)) {
        steps.push({ action, state: next });
        current = next;
        [vector, candidate] = [candidate, vector];
        found = true;
        break;
      }
    }
    if (!found) {
      throw new Error(`trace reconstruction failed at step ${i}: the model is not deterministic (no successor has the recorded fingerprint)`);
    }
  }
  return steps;
}

/** The full counterexample steps of a found violation (a step violation adds its last step). */
export function rebuildCounterexample<S extends State, A extends Action>(
  model: Model<S, A>,
  codec: StateCodec,
  visited: VisitedStates,
  found: Found<S, A>,
): TraceStep<S, A>[] {
  const steps = rebuildPath(model, codec, visited, found.stateNumber);
  if (found.kind === 'step' && found.action !== undefined && found.target !== undefined) {
    steps.push({ action: found.action, state: found.target });
  }
  return steps;
}
