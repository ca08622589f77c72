/**
 * Seeded random simulation: walks from a random initial state, taking a uniformly chosen enabled
 * step each time, checking every invariant on the way. For spaces too large to finish. It never
 * proves anything, so without a violation its result is `incomplete`.
 *
 * @module
 */
import type { Action, Model, State } from './model.js';
import { seededRandom } from './random.js';
import type { CheckOptions, CheckResult, Found, TraceStep } from './search.js';
import { SearchRun } from './search.js';
import { NO_PARENT } from './visited.js';

const DEFAULT_WALKS = 1000;
const DEFAULT_WALK_DEPTH = 100;
/** What `visit` returns when the state limit stops the walk. */
const LIMIT: unique symbol = Symbol('state limit');

export function randomSimulation<S extends State, A extends Action>(
  model: Model<S, A>,
  options: CheckOptions,
): CheckResult<S, A> {
  const run = new SearchRun(model, options);
  const { codec, visited } = run;
  const random = seededRandom(options.seed ?? 0);
  const walks = options.walks ?? DEFAULT_WALKS;
  const walkDepth = options.maxDepth ?? DEFAULT_WALK_DEPTH;
  let vector = new Int32Array(codec.width);
  let child = new Int32Array(codec.width);
  const actions: A[] = [];
  const enabledActions: A[] = [];
  const enabledStates: S[] = [];
  let path: TraceStep<S, A>[] = [];
  let found: Found<S, A> | undefined;
  let steps = 0;

  /**
   * Record a state reached by the walk (its vector is in `child`). Returns the invariant it breaks
   * if it is new and breaks one, `LIMIT` if it would exceed the state limit, else `undefined`.
   */
  const visit = (state: S): string | typeof LIMIT | undefined => {
    codec.fingerprint(child, 0);
    if (run.atStateLimit(codec.hi, codec.lo)) return LIMIT;
    if (visited.add(codec.hi, codec.lo, NO_PARENT) < 0) return undefined;
    codec.checkShape(state);
    return run.brokenInvariant(state);
  };

  walking: for (let walk = 0; walk < walks; walk++) {
    const initial = run.initialStates;
    let state = initial[Math.floor(random() * initial.length)]!;
    path = [{ action: null, state }];
    codec.encode(state, child, 0);
    const brokenAtStart = visit(state);
    if (brokenAtStart === LIMIT) break;
    if (brokenAtStart !== undefined) {
      found = { invariant: brokenAtStart, kind: 'state', stateNumber: -1 };
      break;
    }
    [vector, child] = [child, vector];
    for (let depth = 0; depth < walkDepth; depth++) {
      if ((++steps & 0xff) === 0 && !run.tick(0)) break walking;
      actions.length = 0;
      enabledActions.length = 0;
      enabledStates.length = 0;
      model.actions(state, actions);
      for (const action of actions) {
        const next = model.next(state, action);
        if (next === undefined) continue;
        enabledActions.push(action);
        enabledStates.push(next);
      }
      if (enabledActions.length === 0) break;
      const k = Math.floor(random() * enabledActions.length);
      const action = enabledActions[k]!;
      const next = enabledStates[k]!;
      run.fired(action);
      path.push({ action, state: next });
      if (path.length - 1 > run.depth) run.depth = path.length - 1;
      const brokenStep = run.brokenStepInvariant(state, action, next);
      if (brokenStep !== undefined) {
        found = { invariant: brokenStep, kind: 'step', stateNumber: -1 };
        break walking;
      }
      if (next !== state) {
        codec.encode(next, child, 0, state, vector, 0);
        const broken = visit(next);
        if (broken === LIMIT) break walking;
        if (broken !== undefined) {
          found = { invariant: broken, kind: 'state', stateNumber: -1 };
          break walking;
        }
        [vector, child] = [child, vector];
      }
      state = next;
    }
  }
  if (run.incompleteReason === null) run.incompleteReason = 'simulation';
  const trace = path;
  return run.finish(found, () => trace);
}
