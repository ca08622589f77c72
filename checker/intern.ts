/**
 * Hash-consing of plain immutable data into small integer ids.
 *
 * Every distinct value gets one id, for the lifetime of an interner: primitives through a `Map`,
 * arrays and objects as tuples of their children's ids in one flat `Int32Array` pool, looked up in
 * an open-addressing table. Two values get the same id exactly when they are structurally equal,
 * with object keys compared as sets (insertion order does not matter). This is SPIN's COLLAPSE idea:
 * a state becomes a short vector of component ids, and a successor that shares most of its parent
 * costs only the parts that changed.
 *
 * The speed comes from {@link ValueInterner.intern}'s `previous` argument: when a value is encoded
 * next to the value it replaced (a successor next to its parent), any child that is the *same
 * reference* as the corresponding child of `previous` reuses that child's id straight from the pool,
 * without being walked. Models that build successors with structural sharing therefore pay only for
 * the path from the root to what they changed.
 *
 * @module
 */

import { fmix32 } from './hash.js';

/** Tag of an array tuple; object tuples are tagged with their (non-negative) shape id. */
const ARRAY_TAG = -1;
/** `offsets[id]` of a primitive: it has no tuple in the pool. */
const NO_TUPLE = -1;

interface Shape {
  /** Id of the sorted key list; equal for objects with the same keys in any insertion order. */
  readonly id: number;
  /** The keys, sorted: the order in which children are encoded. */
  readonly keys: readonly string[];
}

function describeBadValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (value instanceof Map) return 'a Map';
  if (value instanceof Set) return 'a Set';
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return `an instance of ${ctor?.name ?? 'an unknown class'}`;
}

/** Interns plain immutable values (see the module comment). */
export class ValueInterner {
  private readonly primitives = new Map<unknown, number>();
  private readonly frozen = new Map<object, number>();
  /**
   * Per id: the first value interned with it, from which states are rebuilt. Public so that a
   * generated decoder can index it directly (see `state-codec.ts`); never written from outside.
   */
  readonly values: unknown[] = [];
  private readonly shapesByInsertionOrder = new Map<string, Shape>();
  private readonly shapeIdsBySortedKeys = new Map<string, number>();
  private pool = new Int32Array(1 << 16);
  private poolLength = 0;
  /** Per id: offset of its tuple in `pool`, or NO_TUPLE for a primitive. */
  private offsets = new Int32Array(1 << 12);
  /** Per id: number of ints in its tuple (tag included). */
  private lengths = new Int32Array(1 << 12);
  /** Per id: the tuple's hash, kept to make growth and probing cheap. */
  private hashes = new Int32Array(1 << 12);
  /** Open-addressing table of tuples: pairs (hash, id + 1), 0 marking an empty slot. */
  private slots = new Int32Array(2 << 12);
  private slotMask = (1 << 12) - 1;
  private tupleCount = 0;
  private nextId = 0;
  /** A stack on which tuples are assembled; nested values push above their parent's entries. */
  private scratch = new Int32Array(256);
  private scratchTop = 0;

  /** The value with id `id` (the first one interned; any other is structurally equal to it). */
  valueOf(id: number): unknown {
    return this.values[id];
  }

  /** Number of distinct values interned so far. */
  get size(): number {
    return this.nextId;
  }

  /** Bytes held by the typed arrays of this interner (an estimate of its memory). */
  get typedArrayBytes(): number {
    return (
      this.pool.byteLength +
      this.offsets.byteLength +
      this.lengths.byteLength +
      this.hashes.byteLength +
      this.slots.byteLength
    );
  }

  /**
   * The id of `value`. `previous` is the value `value` replaced (or `undefined`) and `previousId`
   * its id (or -1): children shared by reference with `previous` reuse their ids.
   */
  intern(value: unknown, previous: unknown, previousId: number): number {
    if (value === previous && previousId >= 0) return previousId;
    if (typeof value !== 'object' || value === null) {
      const id = this.primitives.get(value);
      return id !== undefined ? id : this.addPrimitive(value);
    }
    if (Array.isArray(value)) {
      // The hot path: an array next to the array it replaced (no identity lookup needed).
      if (previousId >= 0 && Array.isArray(previous)) {
        // A deeply frozen array (a hash-consed set) is found by identity, cheaper than a walk.
        const known = this.frozen.get(value);
        if (known !== undefined) return known;
        const id = this.internArray(value, previous, previousId);
        if (Object.isFrozen(value) && deeplyFrozen(value, this.frozen)) this.frozen.set(value, id);
        return id;
      }
      return this.internByIdentity(value, true, undefined, -1);
    }
    return this.internByIdentity(value, false, previous, previousId);
  }

  /**
   * Frozen objects and arrays are interned once and then found by identity: models freeze their
   * constants (messages, documents built up front) so that re-inserting one costs one map lookup
   * instead of a walk. Unfrozen values are walked every time (they may be new objects each step,
   * and remembering them all would keep every state alive).
   */
  private internByIdentity(value: object, isArray: boolean, previous: unknown, previousId: number): number {
    const known = this.frozen.get(value);
    if (known !== undefined) return known;
    const id = isArray
      ? this.internArray(value as readonly unknown[], undefined, -1)
      : this.internObject(value as Record<string, unknown>, previous, previousId);
    // Only deeply frozen values are remembered: a frozen wrapper around fresh data (a role's
    // snapshot around a context built this step) may be a new object every step, and
    // remembering each would keep them all alive and grow the map without end.
    if (deeplyFrozen(value, this.frozen)) this.frozen.set(value, id);
    return id;
  }

  private addPrimitive(value: unknown): number {
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`a state may hold only plain data, but it holds ${describeBadValue(value)}`);
    }
    const id = this.allocateId(NO_TUPLE, 0, 0, value);
    this.primitives.set(value, id);
    return id;
  }

  private internArray(value: readonly unknown[], previous: unknown, previousId: number): number {
    const n = value.length;
    const base = this.reserve(n + 1);
    this.scratch[base] = ARRAY_TAG;
    // Children are written with `this.scratch[...] = id` only after `id` is computed: a nested
    // intern may grow (replace) the scratch array.
    if (previousId < 0 || !Array.isArray(previous)) {
      for (let i = 0; i < n; i++) {
        const id = this.intern(value[i], undefined, -1);
        this.scratch[base + 1 + i] = id;
      }
    } else {
      const old = previous as readonly unknown[];
      const oldOffset = this.offsets[previousId]! + 1;
      const oldLength = old.length;
      for (let i = 0; i < n; i++) {
        const child = value[i];
        let id: number;
        // Same index, or shifted by one (an element inserted into or removed from a sorted set).
        if (i < oldLength && child === old[i]) id = this.pool[oldOffset + i]!;
        else if (i > 0 && i - 1 < oldLength && child === old[i - 1]) id = this.pool[oldOffset + i - 1]!;
        else if (i + 1 < oldLength && child === old[i + 1]) id = this.pool[oldOffset + i + 1]!;
        else if (i < oldLength) id = this.intern(child, old[i], this.pool[oldOffset + i]!);
        else id = this.intern(child, undefined, -1);
        this.scratch[base + 1 + i] = id;
      }
    }
    return this.internTuple(base, n + 1, value);
  }

  private internObject(value: Record<string, unknown>, previous: unknown, previousId: number): number {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(`a state may hold only plain data, but it holds ${describeBadValue(value)}`);
    }
    const shape = this.shapeOf(value);
    const keys = shape.keys;
    const n = keys.length;
    const base = this.reserve(n + 1);
    this.scratch[base] = shape.id;
    let oldOffset = -1;
    if (previousId >= 0 && typeof previous === 'object' && previous !== null && !Array.isArray(previous)) {
      const offset = this.offsets[previousId]!;
      if (offset !== NO_TUPLE && this.pool[offset] === shape.id) oldOffset = offset + 1;
    }
    // Children are stored only after `id` is computed: a nested intern may replace `scratch`.
    if (oldOffset < 0) {
      for (let i = 0; i < n; i++) {
        const id = this.intern(value[keys[i]!], undefined, -1);
        this.scratch[base + 1 + i] = id;
      }
    } else {
      const old = previous as Record<string, unknown>;
      for (let i = 0; i < n; i++) {
        const key = keys[i]!;
        const id = this.intern(value[key], old[key], this.pool[oldOffset + i]!);
        this.scratch[base + 1 + i] = id;
      }
    }
    return this.internTuple(base, n + 1, value);
  }

  private shapeOf(value: object): Shape {
    const keys = Object.keys(value);
    // JSON, not a join: keys may contain any character, and `{}` must differ from `{"": x}`.
    const insertionKey = JSON.stringify(keys);
    let shape = this.shapesByInsertionOrder.get(insertionKey);
    if (shape === undefined) {
      const sorted = [...keys].sort();
      const sortedKey = JSON.stringify(sorted);
      let id = this.shapeIdsBySortedKeys.get(sortedKey);
      if (id === undefined) {
        id = this.shapeIdsBySortedKeys.size;
        this.shapeIdsBySortedKeys.set(sortedKey, id);
      }
      shape = { id, keys: sorted };
      this.shapesByInsertionOrder.set(insertionKey, shape);
    }
    return shape;
  }

  /** Reserve `n` scratch ints; returns their base index. */
  private reserve(n: number): number {
    const base = this.scratchTop;
    const top = base + n;
    if (top > this.scratch.length) {
      const bigger = new Int32Array(Math.max(top, this.scratch.length * 2));
      bigger.set(this.scratch);
      this.scratch = bigger;
    }
    this.scratchTop = top;
    return base;
  }

  /** Find or add the tuple at `scratch[base .. base+length)`, and pop it off the scratch stack. */
  private internTuple(base: number, length: number, value: unknown): number {
    const scratch = this.scratch;
    let h = length;
    for (let i = 0; i < length; i++) {
      h = Math.imul(h ^ scratch[base + i]!, 0x5bd1e995);
      h ^= h >>> 15;
    }
    h = fmix32(h);
    const pool = this.pool;
    const slots = this.slots;
    const mask = this.slotMask;
    let slot = h & mask;
    for (;;) {
      const entry = slots[2 * slot + 1]!;
      if (entry === 0) break;
      if (slots[2 * slot] === h) {
        const id = entry - 1;
        if (this.lengths[id] === length) {
          const offset = this.offsets[id]!;
          let i = 0;
          while (i < length && pool[offset + i] === scratch[base + i]) i++;
          if (i === length) {
            this.scratchTop = base;
            return id;
          }
        }
      }
      slot = (slot + 1) & mask;
    }
    if (this.poolLength + length > pool.length) {
      const bigger = new Int32Array(Math.max(pool.length * 2, this.poolLength + length));
      bigger.set(pool.subarray(0, this.poolLength));
      this.pool = bigger;
    }
    const offset = this.poolLength;
    const target = this.pool;
    for (let i = 0; i < length; i++) target[offset + i] = scratch[base + i]!;
    this.poolLength += length;
    const id = this.allocateId(offset, length, h, value);
    slots[2 * slot] = h;
    slots[2 * slot + 1] = id + 1;
    this.scratchTop = base;
    if (++this.tupleCount * 2 > mask + 1) this.growSlots();
    return id;
  }

  private allocateId(offset: number, length: number, hash: number, value: unknown): number {
    const id = this.nextId++;
    this.values.push(value);
    if (id >= this.offsets.length) {
      const capacity = this.offsets.length * 2;
      this.offsets = growInt32(this.offsets, capacity);
      this.lengths = growInt32(this.lengths, capacity);
      this.hashes = growInt32(this.hashes, capacity);
    }
    this.offsets[id] = offset;
    this.lengths[id] = length;
    this.hashes[id] = hash;
    return id;
  }

  private growSlots(): void {
    const capacity = (this.slotMask + 1) * 2;
    const slots = new Int32Array(capacity * 2);
    const mask = capacity - 1;
    for (let id = 0; id < this.nextId; id++) {
      if (this.offsets[id] === NO_TUPLE) continue;
      const h = this.hashes[id]!;
      let slot = h & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = h;
      slots[2 * slot + 1] = id + 1;
    }
    this.slots = slots;
    this.slotMask = mask;
  }
}

/**
 * `true` when `value` is a primitive, or a frozen object or array whose children are all deeply
 * frozen. Values already in `known` (remembered by identity) are deeply frozen.
 */
function deeplyFrozen(value: unknown, known: Map<object, number>): boolean {
  if (typeof value !== 'object' || value === null || known.has(value)) return true;
  if (!Object.isFrozen(value)) return false;
  const children = Array.isArray(value) ? (value as readonly unknown[]) : Object.values(value);
  for (const child of children) if (!deeplyFrozen(child, known)) return false;
  return true;
}

function growInt32(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(capacity);
  bigger.set(array);
  return bigger;
}
