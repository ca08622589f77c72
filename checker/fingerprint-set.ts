/**
 * The visited set: 64-bit fingerprints in one typed array with open addressing (linear probing),
 * in the spirit of TLC's FPSet. Each entry maps a fingerprint to a state number; the table doubles
 * when it is more than half full.
 *
 * An entry is three consecutive 32-bit words — high half, low half, value + 1 (0 marks an empty
 * slot) — so that a probe touches one cache line, not three arrays.
 *
 * @module
 */

const INITIAL_CAPACITY = 1 << 14;

export class FingerprintSet {
  private table: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    let capacity = INITIAL_CAPACITY;
    while (capacity < initialCapacity) capacity *= 2;
    this.table = new Int32Array(capacity * 3);
    this.mask = capacity - 1;
  }

  /** Number of fingerprints stored. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.table.byteLength;
  }

  /**
   * Insert `(hi, lo) → value` unless the fingerprint is present. Returns -1 when it was inserted,
   * otherwise the value already stored for it. `hi` and `lo` are 32-bit integers (signed or not).
   */
  insert(hi: number, lo: number, value: number): number {
    hi |= 0;
    lo |= 0;
    const table = this.table;
    const mask = this.mask;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      const at = slot * 3;
      const stored = table[at + 2]!;
      if (stored === 0) {
        table[at] = hi;
        table[at + 1] = lo;
        table[at + 2] = value + 1;
        if (++this.count * 2 > mask + 1) this.grow();
        return -1;
      }
      if (table[at + 1] === lo && table[at] === hi) return stored - 1;
      slot = (slot + 1) & mask;
    }
  }

  /** The value stored for `(hi, lo)`, or -1. */
  get(hi: number, lo: number): number {
    hi |= 0;
    lo |= 0;
    const table = this.table;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = slot * 3;
      const stored = table[at + 2]!;
      if (stored === 0) return -1;
      if (table[at + 1] === lo && table[at] === hi) return stored - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  /** `true` when `(hi, lo)` is present. */
  has(hi: number, lo: number): boolean {
    return this.get(hi, lo) >= 0;
  }

  /**
   * The probability that two distinct states of the `size` stored share a fingerprint, assuming a
   * uniform 64-bit hash: the birthday bound n(n-1)/2 · 2⁻⁶⁴ (TLC's "optimistic" estimate).
   */
  collisionProbability(): number {
    const n = this.count;
    return Math.min(1, (n * (n - 1)) / 2 / 2 ** 64);
  }

  private grow(): void {
    const old = this.table;
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const table = new Int32Array(capacity * 3);
    for (let at = 0; at < old.length; at += 3) {
      const value = old[at + 2]!;
      if (value === 0) continue;
      const hi = old[at]!;
      const lo = old[at + 1]!;
      let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
      while (table[slot * 3 + 2] !== 0) slot = (slot + 1) & mask;
      table[slot * 3] = hi;
      table[slot * 3 + 1] = lo;
      table[slot * 3 + 2] = value;
    }
    this.table = table;
    this.mask = mask;
  }
}
