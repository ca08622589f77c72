/**
 * Memoised transitions of an action group (see `ActionGroup` in `model.ts`): for each combination
 * of ids in the group's footprint slots, the transitions the group's actions take from there — per
 * transition, its action kind and the ids its successor has in those slots. This is the role's
 * transition table over interned ids (snapshot id × event → successor id), built lazily by running
 * the model once per combination, for whatever components the group touches.
 *
 * Keys are tuples of ids in one `Int32Array` (open addressing, linear probing, load ≤ 1/2); the
 * transitions are runs of integers in a second array: `[n, (head, dLo, dHi, changed, id_1 … id_k) × n]`,
 * where `head` is the action kind's index times two, plus one when the successor differs from its
 * parent, `(dHi, dLo)` is what the successor's fingerprint differs from its parent's by (XOR), and
 * `changed` is the mask of the vector slots it changed (bit `s` for slot `s`; every bit past 30).
 *
 * @module
 */
import { fmix32 } from './hash.js';

export class GroupMemo {
  /** The vector slots of the footprint, ascending. */
  readonly slots: Int32Array;
  /** `slots.length`: the key length and the number of ids per transition. */
  readonly k: number;
  private keys: Int32Array;
  /** Per table slot: offset of the transitions in {@link pool} plus one; 0 marks an empty slot. */
  private offsets: Int32Array;
  private mask: number;
  private count = 0;
  /** The transitions of every key, as runs `[n, (head, dLo, dHi, changed, id_1 … id_k) × n]`. */
  pool = new Int32Array(1 << 12);
  private poolLength = 0;
  /** Table slot where the last {@link find} that missed stopped: where {@link insert} puts the key. */
  private missAt = 0;

  constructor(slots: readonly number[]) {
    this.slots = Int32Array.from(slots);
    this.k = slots.length;
    const capacity = 1 << 8;
    this.keys = new Int32Array(capacity * this.k);
    this.offsets = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  /** Number of footprint combinations memoised. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.keys.byteLength + this.offsets.byteLength + this.pool.byteLength;
  }

  /**
   * The offset in {@link pool} of the transitions from the footprint ids of `vector[offset ..]`, or
   * -1 when they are not memoised yet (then {@link insert} adds them).
   */
  find(vector: Int32Array, offset: number): number {
    const slots = this.slots;
    const k = this.k;
    let h = k;
    for (let i = 0; i < k; i++) h = Math.imul(h ^ vector[offset + slots[i]!]!, 0x5bd1e995) ^ (h >>> 15);
    const keys = this.keys;
    const offsets = this.offsets;
    const mask = this.mask;
    let at = fmix32(h) & mask;
    for (;;) {
      const found = offsets[at]!;
      if (found === 0) {
        this.missAt = at;
        return -1;
      }
      let i = 0;
      const base = at * k;
      while (i < k && keys[base + i] === vector[offset + slots[i]!]) i++;
      if (i === k) return found - 1;
      at = (at + 1) & mask;
    }
  }

  /**
   * Memoise the transitions from the footprint ids of `vector[offset ..]`, right after a
   * {@link find} of the same ids missed: `transitions` holds `(head, dLo, dHi, changed, id_1 … id_k)` per
   * transition.
   * Returns their offset in {@link pool}.
   */
  insert(vector: Int32Array, offset: number, transitions: readonly number[]): number {
    const k = this.k;
    const length = 1 + transitions.length;
    if (this.poolLength + length > this.pool.length) {
      const bigger = new Int32Array(Math.max(this.pool.length * 2, this.poolLength + length));
      bigger.set(this.pool.subarray(0, this.poolLength));
      this.pool = bigger;
    }
    const start = this.poolLength;
    this.pool[start] = transitions.length / (k + 4);
    for (let i = 0; i < transitions.length; i++) this.pool[start + 1 + i] = transitions[i]!;
    this.poolLength += length;
    const base = this.missAt * k;
    for (let i = 0; i < k; i++) this.keys[base + i] = vector[offset + this.slots[i]!]!;
    this.offsets[this.missAt] = start + 1;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return start;
  }

  private grow(): void {
    const k = this.k;
    const oldKeys = this.keys;
    const oldOffsets = this.offsets;
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const keys = new Int32Array(capacity * k);
    const offsets = new Int32Array(capacity);
    for (let from = 0; from < oldOffsets.length; from++) {
      const found = oldOffsets[from]!;
      if (found === 0) continue;
      let h = k;
      for (let i = 0; i < k; i++) h = Math.imul(h ^ oldKeys[from * k + i]!, 0x5bd1e995) ^ (h >>> 15);
      let at = fmix32(h) & mask;
      while (offsets[at] !== 0) at = (at + 1) & mask;
      for (let i = 0; i < k; i++) keys[at * k + i] = oldKeys[from * k + i]!;
      offsets[at] = found;
    }
    this.keys = keys;
    this.offsets = offsets;
    this.mask = mask;
  }
}
