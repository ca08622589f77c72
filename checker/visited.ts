/**
 * The distinct states found so far: a fingerprint set that numbers states in discovery order, and
 * per state number its parent's number and its fingerprint. That is all a search keeps of a state
 * once it has been expanded; a trace is rebuilt from it by re-execution (see `trace.ts`).
 *
 * @module
 */
import { FingerprintSet } from './fingerprint-set.js';

/** Parent number of an initial state. */
export const NO_PARENT = -1;

export class VisitedStates {
  readonly fingerprints = new FingerprintSet();
  private parents = new Int32Array(1 << 14);
  private his = new Uint32Array(1 << 14);
  private los = new Uint32Array(1 << 14);
  private count = 0;

  /** Number of distinct states. */
  get size(): number {
    return this.count;
  }

  /** Record a state; returns its new number, or -1 when its fingerprint was already there. */
  add(hi: number, lo: number, parent: number): number {
    const n = this.count;
    if (!this.fingerprints.add(hi, lo)) return -1;
    if (n === this.parents.length) this.grow();
    this.parents[n] = parent;
    this.his[n] = hi;
    this.los[n] = lo;
    this.count = n + 1;
    return n;
  }

  /** `true` when a state with this fingerprint is recorded. */
  has(hi: number, lo: number): boolean {
    return this.fingerprints.has(hi, lo);
  }

  parentOf(n: number): number {
    return this.parents[n]!;
  }

  /** The fingerprint of state `n` as `[hi, lo]`. */
  fingerprintOf(n: number): readonly [number, number] {
    return [this.his[n]!, this.los[n]!];
  }

  /** The state numbers from an initial state to `n`, inclusive. */
  pathTo(n: number): number[] {
    const path: number[] = [];
    for (let at = n; at !== NO_PARENT; at = this.parents[at]!) path.push(at);
    return path.reverse();
  }

  /** Bytes held by typed arrays. */
  get byteLength(): number {
    return this.fingerprints.byteLength + this.parents.byteLength + this.his.byteLength + this.los.byteLength;
  }

  private grow(): void {
    const capacity = this.parents.length * 2;
    const parents = new Int32Array(capacity);
    parents.set(this.parents);
    const his = new Uint32Array(capacity);
    his.set(this.his);
    const los = new Uint32Array(capacity);
    los.set(this.los);
    this.parents = parents;
    this.his = his;
    this.los = los;
  }
}
