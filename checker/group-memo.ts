/**
 * Memoised transitions of an action group (see `ActionGroup` in `model.ts`): for each combination
 * of ids in the group's footprint slots, the transitions the group's actions take from there — per
 * transition, its action kind and the ids its successor has in those slots. This is the role's
 * transition table over interned ids (snapshot id × event → successor id), built lazily by running
 * the model once per combination, for whatever components the group touches.
 *
 * The table is one `Int32Array` with open addressing and linear probing (load ≤ 1/2), whose slots
 * hold the entry's offset plus one (0: empty) followed by the key's ids, so that a probe reads one
 * cache line. The transitions are runs of integers in a second array, one **entry** per key:
 *
 *     [n, c, e, (index, dLo, dHi, changed, id_1 … id_k) × c, (head, dLo, dHi, changed, id_1 … id_k) × n]
 *
 * At the end, the `n` transitions in the order of the group's actions, where `head` is the action
 * kind's index times two, plus one when the successor differs from its parent, `(dHi, dLo)` is
 * what the successor's fingerprint differs from its parent's by (XOR), and `changed` is the mask
 * of the vector slots it changed (bit `s` for slot `s`; every bit past 30). First, in the same
 * order, the `c` of them whose successor differs from the parent, with `index`, their place among
 * the `n`, instead of the head: all a search needs to visit the successors, next to the header and
 * without stepping over the self-loops. `e` is the entry's number, under which
 * {@link GroupMemo.uses} counts how often the entry was expanded, from which the coverage of its
 * action kinds follows.
 *
 * @module
 */
import { fmix32 } from './hash.js';

/** Ints before an entry's transitions: n, c, e. */
export const HEADER = 3;
/** Ints per memoised transition before its ids: head (or index), fingerprint delta (lo, hi), changed slots. */
export const STRIDE = 4;

export class GroupMemo {
  /** The vector slots of the footprint, ascending. */
  readonly slots: Int32Array;
  /** `slots.length`: the key length and the number of ids per transition. */
  readonly k: number;
  /** Per table slot, `k + 1` ints: the entry's offset in {@link pool} plus one (0: empty), the key. */
  private table: Int32Array;
  private mask: number;
  private count = 0;
  /** The entries of every key (see the module comment). */
  pool = new Int32Array(1 << 12);
  private poolLength = 0;
  /** Per entry number: how many times the search expanded a state through it (kept by the search). */
  uses = new Float64Array(1 << 8);
  /** Per entry number: its offset in {@link pool}. */
  private starts = new Int32Array(1 << 8);
  /** Table slot where the last {@link find} that missed stopped: where {@link insert} puts the key. */
  private missAt = 0;

  constructor(slots: readonly number[]) {
    this.slots = Int32Array.from(slots);
    this.k = slots.length;
    const capacity = 1 << 8;
    this.table = new Int32Array(capacity * (this.k + 1));
    this.mask = capacity - 1;
  }

  /** Number of footprint combinations memoised. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays. */
  get byteLength(): number {
    return this.table.byteLength + this.pool.byteLength + this.uses.byteLength + this.starts.byteLength;
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
    const table = this.table;
    const mask = this.mask;
    const width = k + 1;
    let at = fmix32(h) & mask;
    for (;;) {
      const base = at * width;
      const found = table[base]!;
      if (found === 0) {
        this.missAt = at;
        return -1;
      }
      let i = 0;
      while (i < k && table[base + 1 + i] === vector[offset + slots[i]!]) i++;
      if (i === k) return found - 1;
      at = (at + 1) & mask;
    }
  }

  /** The offset in {@link pool} of entry number `e` (`0 <= e < size`). */
  entryAt(e: number): number {
    return this.starts[e]!;
  }

  /**
   * Memoise the transitions from the footprint ids of `vector[offset ..]`, right after a
   * {@link find} of the same ids missed: `transitions` holds `(head, dLo, dHi, changed, id_1 … id_k)`
   * per transition. Returns the entry's offset in {@link pool}.
   */
  insert(vector: Int32Array, offset: number, transitions: readonly number[]): number {
    const k = this.k;
    const record = k + STRIDE;
    const n = transitions.length / record;
    let c = 0;
    for (let t = 0; t < n; t++) c += transitions[t * record]! & 1;
    const length = HEADER + (n + c) * record;
    if (this.poolLength + length > this.pool.length) {
      const bigger = new Int32Array(Math.max(this.pool.length * 2, this.poolLength + length));
      bigger.set(this.pool.subarray(0, this.poolLength));
      this.pool = bigger;
    }
    const e = this.count;
    if (e === this.starts.length) {
      const starts = new Int32Array(e * 2);
      starts.set(this.starts);
      this.starts = starts;
      const uses = new Float64Array(e * 2);
      uses.set(this.uses);
      this.uses = uses;
    }
    const pool = this.pool;
    const start = this.poolLength;
    pool[start] = n;
    pool[start + 1] = c;
    pool[start + 2] = e;
    let p = start + HEADER;
    for (let t = 0; t < n; t++) {
      const from = t * record;
      if ((transitions[from]! & 1) === 0) continue;
      pool[p] = t;
      for (let i = 1; i < record; i++) pool[p + i] = transitions[from + i]!;
      p += record;
    }
    for (let i = 0; i < transitions.length; i++) pool[p + i] = transitions[i]!;
    this.poolLength += length;
    this.starts[e] = start;
    const base = this.missAt * (k + 1);
    this.table[base] = start + 1;
    for (let i = 0; i < k; i++) this.table[base + 1 + i] = vector[offset + this.slots[i]!]!;
    if (++this.count * 2 > this.mask + 1) this.grow();
    return start;
  }

  private grow(): void {
    const k = this.k;
    const width = k + 1;
    const old = this.table;
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const table = new Int32Array(capacity * width);
    for (let from = 0; from < old.length; from += width) {
      if (old[from] === 0) continue;
      let h = k;
      for (let i = 0; i < k; i++) h = Math.imul(h ^ old[from + 1 + i]!, 0x5bd1e995) ^ (h >>> 15);
      let at = fmix32(h) & mask;
      while (table[at * width] !== 0) at = (at + 1) & mask;
      for (let i = 0; i < width; i++) table[at * width + i] = old[from + i]!;
    }
    this.table = table;
    this.mask = mask;
  }
}
