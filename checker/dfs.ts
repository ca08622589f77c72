/**
 * Depth-first exhaustive search: the same visited set as breadth-first, with a stack instead of a
 * queue. It finds violations deep in the graph with little memory for the frontier, but its
 * counterexamples are not shortest.
 *
 * @module
 */
import type { Action, Model, State } from './model.js';
import type { CheckOptions, CheckResult, Found } from './search.js';
import { SearchRun } from './search.js';
import { rebuildCounterexample } from './trace.js';
import { NO_PARENT } from './visited.js';

/** A stack of state vectors with their numbers and depths in growable typed arrays. */
class VectorStack {
  private vectors: Int32Array;
  private numbers = new Int32Array(1024);
  private depths = new Int32Array(1024);
  private count = 0;
  constructor(private readonly width: number) {
    this.vectors = new Int32Array(1024 * width);
  }
  get size(): number {
    return this.count;
  }
  push(vector: Int32Array, number: number, depth: number): void {
    const i = this.count;
    if (i === this.numbers.length) {
      this.numbers = grow(this.numbers, i * 2);
      this.depths = grow(this.depths, i * 2);
      this.vectors = grow(this.vectors, i * 2 * this.width);
    }
    this.numbers[i] = number;
    this.depths[i] = depth;
    for (let k = 0, at = i * this.width; k < this.width; k++) this.vectors[at + k] = vector[k]!;
    this.count = i + 1;
  }
  /** Pop the top entry, copying its vector into `into`; returns its number and depth. */
  pop(into: Int32Array): { number: number; depth: number } {
    const i = --this.count;
    for (let k = 0, at = i * this.width; k < this.width; k++) into[k] = this.vectors[at + k]!;
    return { number: this.numbers[i]!, depth: this.depths[i]! };
  }
}

function grow(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

export function depthFirst<S extends State, A extends Action>(
  model: Model<S, A>,
  options: CheckOptions,
): CheckResult<S, A> {
  const run = new SearchRun(model, options);
  const { codec, visited } = run;
  const width = codec.width;
  const stack = new VectorStack(width);
  const parentVector = new Int32Array(width);
  const child = new Int32Array(width);
  const maxDepth = options.maxDepth ?? Infinity;
  let found: Found<S, A> | undefined;

  // Pushed in reverse so that the first initial state is expanded first.
  const initial = run.initialStates;
  for (let i = initial.length - 1; i >= 0 && found === undefined; i--) {
    const s = initial[i]!;
    codec.encode(s, child, 0);
    codec.fingerprint(child, 0);
    if (run.atStateLimit(codec.hi, codec.lo)) break;
    const n = visited.add(codec.hi, codec.lo, NO_PARENT);
    if (n < 0) continue;
    codec.checkShape(s);
    const broken = run.brokenInvariant(s);
    if (broken !== undefined) found = { invariant: broken, kind: 'state', stateNumber: n };
    else stack.push(child, n, 0);
  }

  const actions: A[] = [];
  let expanded = 0;
  search: while (found === undefined && stack.size > 0) {
    const { number, depth } = stack.pop(parentVector);
    const state = codec.decode(parentVector, 0) as S;
    codec.fingerprint(parentVector, 0);
    const parentHi = codec.hi;
    const parentLo = codec.lo;
    if (depth > run.depth) run.depth = depth;
    if ((++expanded & 0xff) === 0 && !run.tick(stack.size)) break;
    actions.length = 0;
    model.actions(state, actions);
    // Successors are pushed in reverse so that the first action's successor is expanded next.
    for (let i = actions.length - 1; i >= 0; i--) {
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
      codec.encodeAndFingerprint(next, child, 0, state, parentVector, 0, parentHi, parentLo);
      if (depth >= maxDepth) {
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
      stack.push(child, n, depth + 1);
    }
  }
  return run.finish(found, (f) => rebuildCounterexample(model, codec, visited, f));
}
