/**
 * The distinct states found so far: a fingerprint set that numbers states in discovery order, and
 * per state number its parent's number and its fingerprint. That is all a search keeps of a state
 * once it has been expanded; a trace is rebuilt from it by re-execution (see `trace.ts`).
 *
 * The per-state records live in fixed chunks of 4,096 states (three 32-bit words each:
 * parent, fingerprint high, fingerprint low) that are allocated as the search goes and never
 * copied: a growing search pays for each page once, instead of copying every array into one twice
 * its size (and faulting in the new one) at each doubling.
 *
 * @module
 */
import { FingerprintSet } from './fingerprint-set.js';

/** Parent number of an initial state. */
export const NO_PARENT = -1;

/**
 * States per chunk of records (a power of two). Small enough that the path adding a chunk runs a
 * few times before V8 optimises the search loop (a path first taken after that throws the
 * optimised loop away, to be compiled again).
 */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/** Words per state in a chunk: parent, fingerprint high, fingerprint low. */
const RECORD = 3;

export class VisitedStates {
  readonly fingerprints = new FingerprintSet();
  private readonly chunks: Int32Array[] = [];
  private count = 0;

  /** Number of distinct states. */
  get size(): number {
    return this.count;
  }

  /** Record a state; returns its new number, or -1 when its fingerprint was already there. */
  add(hi: number, lo: number, parent: number): number {
    const n = this.count;
    if (!this.fingerprints.add(hi, lo)) return -1;
    if ((n & CHUNK_MASK) === 0) this.chunks.push(new Int32Array(CHUNK * RECORD));
    const chunk = this.chunks[n >>> CHUNK_BITS]!;
    const at = (n & CHUNK_MASK) * RECORD;
    chunk[at] = parent;
    chunk[at + 1] = hi;
    chunk[at + 2] = lo;
    this.count = n + 1;
    return n;
  }

  /** `true` when a state with this fingerprint is recorded. */
  has(hi: number, lo: number): boolean {
    return this.fingerprints.has(hi, lo);
  }

  parentOf(n: number): number {
    return this.chunks[n >>> CHUNK_BITS]![(n & CHUNK_MASK) * RECORD]!;
  }

  /** The high 32 bits of state `n`'s fingerprint, as a signed 32-bit integer. */
  hiOf(n: number): number {
    return this.chunks[n >>> CHUNK_BITS]![(n & CHUNK_MASK) * RECORD + 1]!;
  }

  /** The low 32 bits of state `n`'s fingerprint, as a signed 32-bit integer. */
  loOf(n: number): number {
    return this.chunks[n >>> CHUNK_BITS]![(n & CHUNK_MASK) * RECORD + 2]!;
  }

  /** The fingerprint of state `n` as `[hi, lo]`, each unsigned. */
  fingerprintOf(n: number): readonly [number, number] {
    return [this.hiOf(n) >>> 0, this.loOf(n) >>> 0];
  }

  /** The state numbers from an initial state to `n`, inclusive. */
  pathTo(n: number): number[] {
    const path: number[] = [];
    for (let at = n; at !== NO_PARENT; at = this.parentOf(at)) path.push(at);
    return path.reverse();
  }

  /** Bytes held by typed arrays. */
  get byteLength(): number {
    return this.fingerprints.byteLength + this.chunks.length * CHUNK * RECORD * 4;
  }
}
