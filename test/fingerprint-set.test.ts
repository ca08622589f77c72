/**
 * FingerprintSet against a reference Set: the same `add` results, membership and size, through
 * duplicates, the fingerprint (0, 0), long probe chains (wrapping around the end of the table)
 * and growth.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FingerprintSet } from '../checker/fingerprint-set.js';
import { seededRandom } from '../checker/random.js';

const INITIAL_CAPACITY = 1 << 8;
const INITIAL_BYTES = new FingerprintSet().byteLength;

type Key = readonly [hi: number, lo: number];
type Op = { readonly op: 'add' | 'has'; readonly key: Key };

/** The fingerprint as the set sees it: two 32-bit words, signed or unsigned spelling alike. */
const keyOf = ([hi, lo]: Key): string => `${hi | 0}:${lo | 0}`;

/** A 32-bit word, spelled signed or unsigned at random (both must mean the same fingerprint). */
const word = (arb: fc.Arbitrary<number>): fc.Arbitrary<number> =>
  fc.tuple(arb, fc.boolean()).map(([x, signed]) => (signed ? x | 0 : x >>> 0));

const anyWord = word(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));

const keyArb: fc.Arbitrary<Key> = fc.oneof(
  // A tiny space, (0, 0) included: many duplicates.
  fc.tuple(word(fc.integer({ min: -1, max: 2 })), word(fc.integer({ min: -1, max: 6 }))),
  // hi = 0 and lo small, or just below 2^32: the home slot is the top bits of the hash, which for
  // hi = 0 is lo, so every key lands in the first or the last slot of the initial table, making
  // long probe chains that wrap around.
  fc.tuple(
    fc.constant(0),
    fc.tuple(fc.integer({ min: 0, max: 63 }), fc.boolean()).map(([k, last]) => (last ? 0xffffffff - k : k)),
  ),
  // One word zero, the other anything.
  fc.tuple(fc.constant(0), anyWord),
  fc.tuple(anyWord, fc.constant(0)),
  // Anything.
  fc.tuple(anyWord, anyWord),
);

const opArb: fc.Arbitrary<Op> = fc.record({ op: fc.constantFrom('add' as const, 'add' as const, 'has' as const), key: keyArb });

/** Throws (naming the step) unless `actual` is `expected`: cheaper than `expect` in hot loops. */
function same(actual: unknown, expected: unknown, what: string): void {
  if (!Object.is(actual, expected)) throw new Error(`${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** Apply `ops` to a FingerprintSet and to a Set, asserting they agree at every step. */
function agree(set: FingerprintSet, ops: Iterable<Op>): Set<string> {
  const reference = new Set<string>();
  let step = 0;
  for (const { op, key } of ops) {
    const [hi, lo] = key;
    const k = keyOf(key);
    const known = reference.has(k);
    const at = `step ${step++}: ${op}(${hi}, ${lo})`;
    if (op === 'add') {
      same(set.add(hi, lo), !known, at);
      reference.add(k);
    } else {
      same(set.has(hi, lo), known, at);
    }
    same(set.size, reference.size, `${at} size`);
  }
  for (const k of reference) {
    const [hi, lo] = k.split(':').map(Number) as [number, number];
    same(set.has(hi, lo), true, `final has(${k})`);
    same(set.has(hi >>> 0, lo >>> 0), true, `final has(${k}) unsigned`);
    same(set.add(hi >>> 0, lo), false, `final add(${k}) again`);
  }
  same(set.size, reference.size, 'final size');
  return reference;
}

describe('FingerprintSet', () => {
  it('agrees with a Set on random add/has sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), (ops) => {
        agree(new FingerprintSet(), ops);
      }),
      { numRuns: 400 },
    );
  });

  it('the fingerprint (0, 0) is a fingerprint like any other', () => {
    const set = new FingerprintSet();
    expect(set.has(0, 0)).toBe(false);
    expect(set.add(0, 0)).toBe(true);
    expect(set.has(0, 0)).toBe(true);
    expect(set.has(0, 1)).toBe(false);
    expect(set.has(1, 0)).toBe(false);
    expect(set.add(0, 0)).toBe(false);
    expect(set.add(-0, 0 >>> 0)).toBe(false);
    expect(set.size).toBe(1);
    expect(set.add(0, 1)).toBe(true);
    expect(set.add(1, 0)).toBe(true);
    expect(set.size).toBe(3);
  });

  it('agrees with a Set through growth past the initial capacity', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          count: fc.integer({ min: 21_000, max: 40_000 }),
          // (hi, lo) drawn from a space of this many values each: small spaces give many duplicates.
          space: fc.constantFrom([256, 64] as const, [1 << 16, 1 << 16] as const, [2 ** 32, 2 ** 32] as const, [1, 2 ** 32] as const),
          initialCapacity: fc.constantFrom(undefined, 1, 1 << 16),
        }),
        ({ seed, count, space: [hiSpace, loSpace], initialCapacity }) => {
          const random = seededRandom(seed);
          function* ops(): Generator<Op> {
            for (let i = 0; i < count; i++) {
              const key = [Math.floor(random() * hiSpace), Math.floor(random() * loSpace)] as const;
              yield { op: random() < 0.8 ? 'add' : 'has', key };
            }
          }
          const set = new FingerprintSet(initialCapacity);
          const reference = agree(set, ops());
          if (reference.size > INITIAL_CAPACITY / 2) expect(set.byteLength).toBeGreaterThan(INITIAL_BYTES);
          // The table doubles whenever it is more than half full.
          const capacity = (set.byteLength / INITIAL_BYTES) * INITIAL_CAPACITY;
          expect(2 * set.size).toBeLessThanOrEqual(capacity);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('grows: more than half the initial capacity of distinct keys in one probe chain', () => {
    // Every key hashes to slot 0 of the initial table and of every table it grows into (for hi = 0
    // the hash is lo, whose top bits are 0): the worst case for probing and rehashing.
    const set = new FingerprintSet();
    // Far more than half the initial capacity: the chain survives several doublings.
    const n = (1 << 13) + 10;
    for (let k = 0; k < n; k++) same(set.add(0, k), true, `add ${k}`);
    expect(set.size).toBe(n);
    expect(set.byteLength).toBeGreaterThan(INITIAL_BYTES);
    for (let k = 0; k < n; k++) same(set.add(0, k), false, `add ${k} again`);
    for (let k = 0; k < n; k++) same(set.has(0, k), true, `has ${k}`);
    expect(set.has(0, n)).toBe(false);
    expect(set.size).toBe(n);
  });

  it('reports a collision probability that starts at 0 and grows with size', () => {
    const set = new FingerprintSet();
    // (=== rather than toBe: n(n-1)/2 is -0 for n = 0.)
    expect(set.collisionProbability() === 0).toBe(true);
    set.add(1, 2);
    expect(set.collisionProbability() === 0).toBe(true);
    set.add(3, 4);
    const two = set.collisionProbability();
    expect(two).toBeGreaterThan(0);
    set.add(5, 6);
    expect(set.collisionProbability()).toBeGreaterThan(two);
    expect(set.collisionProbability()).toBeLessThan(1e-15);
  });
});
