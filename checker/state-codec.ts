/**
 * Encodes a state (a record of components) as a vector of component ids, and fingerprints that
 * vector to 64 bits.
 *
 * The vector is never interned itself: only the visited set's fingerprint of it is kept, so memory
 * per distinct state stays a few bytes while components shared by many states are stored once.
 *
 * @module
 */
import { ValueInterner } from './intern.js';
import type { State } from './model.js';

/** The encoder of one model's states. Not reentrant: one search uses one codec. */
export class StateCodec {
  /** The component names, sorted: position i of a vector is `state[fields[i]]`. */
  readonly fields: readonly string[];
  readonly interner = new ValueInterner();
  /** High and low 32 bits of the last {@link fingerprint}. Returned this way to avoid allocation. */
  hi = 0;
  lo = 0;

  constructor(example: State) {
    if (typeof example !== 'object' || example === null || Array.isArray(example)) {
      throw new TypeError('a state must be a plain object whose fields are its components');
    }
    this.fields = Object.keys(example).sort();
    this.encodeSuccessor = compileSuccessorEncoder(this.fields, this.interner);
  }

  /** Vector length: the number of components. */
  get width(): number {
    return this.fields.length;
  }

  /**
   * Write the component ids of `state` into `out[outOffset ..]`. When `parent` is given, with its
   * vector at `parentVector[parentOffset ..]`, components shared by reference cost nothing.
   */
  encode(
    state: State,
    out: Int32Array,
    outOffset: number,
    parent?: State,
    parentVector?: Int32Array,
    parentOffset = 0,
  ): void {
    if (parent === undefined || parentVector === undefined) {
      const record = state as Readonly<Record<string, unknown>>;
      for (let i = 0; i < this.fields.length; i++) {
        out[outOffset + i] = this.interner.intern(record[this.fields[i]!], undefined, -1);
      }
      return;
    }
    this.encodeSuccessor(state, out, outOffset, parent, parentVector, parentOffset);
  }

  /**
   * The hot path of `encode`, generated once per model with the field names spelled out:
   * `state.msgs` is a monomorphic property load where `state[fields[i]]` would be a megamorphic
   * keyed load, and that difference is a third of the encoding time.
   */
  private readonly encodeSuccessor: (
    state: State,
    out: Int32Array,
    outOffset: number,
    parent: State,
    parentVector: Int32Array,
    parentOffset: number,
  ) => void;

  /** Checks that `state` has exactly this model's components (used on every new distinct state). */
  checkShape(state: State): void {
    const keys = Object.keys(state);
    if (keys.length !== this.fields.length || keys.some((k) => !this.fields.includes(k))) {
      throw new TypeError(
        `every state must have the components [${this.fields.join(', ')}], but one has [${keys.sort().join(', ')}]`,
      );
    }
  }

  /** Fingerprint `vector[offset .. offset+width)` into {@link hi} and {@link lo}. */
  fingerprint(vector: Int32Array, offset: number): void {
    let h1 = 0x9e3779b9 ^ this.fields.length;
    let h2 = 0x7f4a7c15;
    const end = offset + this.fields.length;
    for (let i = offset; i < end; i++) {
      const x = vector[i]!;
      h1 = Math.imul(h1 ^ x, 0xcc9e2d51);
      h1 = (h1 << 15) | (h1 >>> 17);
      h1 = Math.imul(h1, 0x1b873593);
      h2 = Math.imul(h2 ^ x, 0x85ebca77);
      h2 = (h2 << 13) | (h2 >>> 19);
      h2 = Math.imul(h2, 0xc2b2ae3d) + h1;
    }
    h1 ^= h2;
    h1 ^= h1 >>> 16;
    h1 = Math.imul(h1, 0x85ebca6b);
    h1 ^= h1 >>> 13;
    h1 = Math.imul(h1, 0xc2b2ae35);
    h1 ^= h1 >>> 16;
    h2 ^= h1;
    h2 ^= h2 >>> 15;
    h2 = Math.imul(h2, 0x2c1b3c6d);
    h2 ^= h2 >>> 12;
    h2 = Math.imul(h2, 0x297a2d39);
    h2 ^= h2 >>> 15;
    this.hi = h2 >>> 0;
    this.lo = h1 >>> 0;
  }
}

function compileSuccessorEncoder(
  fields: readonly string[],
  interner: ValueInterner,
): (state: State, out: Int32Array, o: number, parent: State, pv: Int32Array, po: number) => void {
  const lines = fields.map((field, i) => {
    const key = JSON.stringify(field);
    return (
      `v = state[${key}]; b = parent[${key}]; id = pv[po + ${i}];\n` +
      `out[o + ${i}] = v === b ? id : interner.intern(v, b, id);`
    );
  });
  const body = `return function encodeSuccessor(state, out, o, parent, pv, po) {\nlet v, b, id;\n${lines.join('\n')}\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the model's own field names
  return new Function('interner', body)(interner) as ReturnType<typeof compileSuccessorEncoder>;
}
