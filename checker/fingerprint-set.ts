/**
 * The visited set: 64-bit fingerprints in one typed array with open addressing (linear probing),
 * in the spirit of TLC's FPSet. The table doubles when it is more than half full.
 *
 * An entry is two consecutive 32-bit words, high half and low half, so that a probe touches one
 * cache line. A fingerprint's home slot is the top bits of a hash of it (so the table can double
 * in one sequential pass). The fingerprint (0, 0) marks an empty slot; the one real fingerprint
 * equal to it is remembered in a flag.
 *
 * @module
 */

/**
 * Small, so that the table's growth path runs within the first hundred states, before V8 optimises
 * the search loop into which `add` is inlined (a path first taken after that throws the optimised
 * loop away, to be compiled again).
 */
const INITIAL_CAPACITY = 1 << 8;
const RECENT_SIZE = 1 << 14;
const RECENT_MASK = RECENT_SIZE - 1;

export class FingerprintSet {
  private table: Int32Array;
  private mask: number;
  /** `32 - log2(capacity)`: a fingerprint's home slot is the top bits of its hash (see {@link grow}). */
  private shift: number;
  private count = 0;
  private hasZero = false;
  /**
   * A small direct-mapped cache of fingerprints known to be in the set, small enough to stay in
   * the processor's cache. Breadth-first search meets most duplicates soon after their first
   * sighting (the two orders of a diamond are expanded close together), so most lookups of a
   * duplicate end here without touching the big table.
   */
  private readonly recent = new Int32Array(2 * RECENT_SIZE);

  constructor(initialCapacity = INITIAL_CAPACITY) {
    let capacity = INITIAL_CAPACITY;
    while (capacity < initialCapacity) capacity *= 2;
    this.table = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
    this.shift = Math.clz32(capacity) + 1;
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
   * Add the fingerprint `(hi, lo)` (two 32-bit integers, signed or not). Returns `true` when it
   * was new, `false` when it was already present.
   */
  add(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 && lo === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      this.count++;
      return true;
    }
    const recent = this.recent;
    const r = (hi & RECENT_MASK) << 1;
    if (recent[r + 1] === lo && recent[r] === hi) return false;
    recent[r] = hi;
    recent[r + 1] = lo;
    const table = this.table;
    const mask = this.mask;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> this.shift;
    for (;;) {
      const at = slot << 1;
      const storedHi = table[at]!;
      const storedLo = table[at + 1]!;
      if (storedLo === lo && storedHi === hi) return false;
      if (storedLo === 0 && storedHi === 0) {
        table[at] = hi;
        table[at + 1] = lo;
        if (++this.count * 2 > mask + 1) this.grow();
        return true;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** `true` when `(hi, lo)` is present. */
  has(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 && lo === 0) return this.hasZero;
    const table = this.table;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> this.shift;
    for (;;) {
      const at = slot << 1;
      const storedHi = table[at]!;
      const storedLo = table[at + 1]!;
      if (storedLo === lo && storedHi === hi) return true;
      if (storedLo === 0 && storedHi === 0) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  /**
   * The probability that two distinct states of the `size` stored share a fingerprint, assuming a
   * uniform 64-bit hash: the birthday bound n(n-1)/2 · 2⁻⁶⁴ (TLC's "optimistic" estimate).
   */
  collisionProbability(): number {
    const n = this.count;
    return n < 2 ? 0 : Math.min(1, (n * (n - 1)) / 2 / 2 ** 64);
  }

  /**
   * Double the table. A fingerprint's home slot is the top bits of its hash, so home slot `h`
   * becomes `2h` or `2h + 1`: reading the old table in order writes the new one almost in order
   * (instead of scattering every entry over a table that no longer fits in a cache).
   */
  private grow(): void {
    const old = this.table;
    const capacity = (this.mask + 1) * 2;
    const mask = capacity - 1;
    const shift = this.shift - 1;
    const table = new Int32Array(capacity * 2);
    for (let at = 0; at < old.length; at += 2) {
      const hi = old[at]!;
      const lo = old[at + 1]!;
      if (hi === 0 && lo === 0) continue;
      let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> shift;
      while (table[slot << 1] !== 0 || table[(slot << 1) + 1] !== 0) slot = (slot + 1) & mask;
      table[slot << 1] = hi;
      table[(slot << 1) + 1] = lo;
    }
    this.table = table;
    this.mask = mask;
    this.shift = shift;
  }
}
