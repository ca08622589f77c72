/**
 * Encodes a state (a record of components) as a vector of component ids, and fingerprints that
 * vector to 64 bits.
 *
 * Layout: one slot per field, in sorted field order — except that a field holding an array in the
 * first initial state (an array of roles, say `rmState`) is *spread*: a marker slot and one slot per
 * element, so that a step that changes one role costs one element, not the whole array. Whenever
 * that field holds an array of the same length the marker is -1 and the elements follow; otherwise
 * (another length, or not an array) the marker is the id of the whole value and the element slots
 * are 0. Ids are never negative, so the two forms never encode the same.
 *
 * The vector is never interned itself: only the visited set's fingerprint of it is kept, so memory
 * per distinct state stays a few bytes while components shared by many states are stored once.
 *
 * @module
 */
import { fmix32 } from './hash.js';
import { ValueInterner } from './intern.js';
import type { ComponentRef, State } from './model.js';

/** Marker slot of a spread array field holding its expected length. */
const SPREAD = -1;
/** Arrays at least this long in the initial state are spread. */
const MIN_SPREAD_LENGTH = 2;

/** Where one field of the state lives in the vector. */
export interface FieldSlot {
  readonly field: string;
  /** Index of the field's first slot. */
  readonly offset: number;
  /** Number of spread elements (0: the field takes one slot). */
  readonly spread: number;
}

type SuccessorEncoder = (
  state: State,
  out: Int32Array,
  outOffset: number,
  parent: State,
  parentVector: Int32Array,
  parentOffset: number,
  parentHi: number,
  parentLo: number,
) => void;

/** The encoder of one model's states. Not reentrant: one search uses one codec. */
export class StateCodec {
  /** The component names, sorted. */
  readonly fields: readonly string[];
  readonly layout: readonly FieldSlot[];
  /** Vector length. */
  readonly width: number;
  readonly interner = new ValueInterner();
  /** High and low 32 bits of the last {@link fingerprint}. Returned this way to avoid allocation. */
  hi = 0;
  lo = 0;
  /**
   * Encode a successor of `parent` (whose vector is at `parentVector[parentOffset ..]`) into
   * `out[outOffset ..]`, and fingerprint it from the parent's fingerprint `(parentHi, parentLo)`
   * in the same pass: the search's hot path. The result is in {@link hi}/{@link lo}. Generated
   * per model (see `compileSuccessorEncoder`).
   */
  readonly encodeAndFingerprint: SuccessorEncoder;
  /**
   * The state whose vector is at `vector[offset ..]`, rebuilt from the interned components. A
   * search keeps only vectors of the states it has yet to expand (SPIN's COLLAPSE): no state
   * object outlives the step that produced it, which keeps the garbage collector's work small.
   */
  readonly decode: (vector: Int32Array, offset: number) => State;

  constructor(example: State) {
    if (typeof example !== 'object' || example === null || Array.isArray(example)) {
      throw new TypeError('a state must be a plain object whose fields are its components');
    }
    const record = example as Readonly<Record<string, unknown>>;
    this.fields = Object.keys(example).sort();
    let offset = 0;
    this.layout = this.fields.map((field) => {
      const value = record[field];
      const spread = Array.isArray(value) && value.length >= MIN_SPREAD_LENGTH ? value.length : 0;
      const slot = { field, offset, spread };
      offset += spread === 0 ? 1 : 1 + spread;
      return slot;
    });
    this.width = offset;
    this.encodeAndFingerprint = compileSuccessorEncoder(this.layout, this.interner, this);
    // Rebuilt states list their fields in the example's order, so they share its object shape.
    const inExampleOrder = Object.keys(example).map((field) => this.layout.find((slot) => slot.field === field)!);
    this.decode = compileDecoder(inExampleOrder, this.interner);
  }

  /**
   * Write the vector of `state` into `out[outOffset ..]`. When `parent` is given, with its vector
   * at `parentVector[parentOffset ..]`, components shared by reference cost nothing.
   */
  encode(
    state: State,
    out: Int32Array,
    outOffset: number,
    parent?: State,
    parentVector?: Int32Array,
    parentOffset = 0,
  ): void {
    if (parent !== undefined && parentVector !== undefined) {
      this.encodeAndFingerprint(state, out, outOffset, parent, parentVector, parentOffset, 0, 0);
      return;
    }
    const record = state as Readonly<Record<string, unknown>>;
    for (const { field, offset, spread } of this.layout) {
      const value = record[field];
      const at = outOffset + offset;
      if (spread === 0) {
        out[at] = this.interner.intern(value, undefined, -1);
      } else if (Array.isArray(value) && value.length === spread) {
        out[at] = SPREAD;
        for (let i = 0; i < spread; i++) out[at + 1 + i] = this.interner.intern(value[i], undefined, -1);
      } else {
        out[at] = this.interner.intern(value, undefined, -1);
        out.fill(0, at + 1, at + 1 + spread);
      }
    }
  }

  /**
   * The vector slots of a component, ascending: a field's slots (its marker and elements, if it is
   * spread), or, for one element of a spread field, the field's marker slot and the element's slot
   * (of a field that is not spread, its one slot).
   */
  slotsOf(ref: ComponentRef): number[] {
    const field = typeof ref === 'string' ? ref : ref[0];
    const slot = this.layout.find((s) => s.field === field);
    if (slot === undefined) throw new TypeError(`the state has no component "${field}"; it has [${this.fields.join(', ')}]`);
    if (typeof ref === 'string') return Array.from({ length: slot.spread === 0 ? 1 : 1 + slot.spread }, (_, i) => slot.offset + i);
    const index = ref[1];
    if (!Number.isInteger(index) || index < 0) throw new TypeError(`component ["${field}", ${index}]: the index must be a natural number`);
    // A field that is not spread (too short an array, or not an array) takes one slot: the whole field.
    if (slot.spread === 0) return [slot.offset];
    if (index >= slot.spread) {
      throw new TypeError(`component ["${field}", ${index}]: "${field}" has ${slot.spread} elements in the initial state`);
    }
    return [slot.offset, slot.offset + 1 + index];
  }

  /** Checks that `state` has exactly this model's components (used on every new distinct state). */
  checkShape(state: State): void {
    const keys = Object.keys(state);
    if (keys.length !== this.fields.length || keys.some((k) => !this.fields.includes(k))) {
      throw new TypeError(
        `every state must have the components [${this.fields.join(', ')}], but one has [${keys.sort().join(', ')}]`,
      );
    }
  }

  /**
   * Fingerprint `vector[offset .. offset+width)` into {@link hi} and {@link lo}.
   *
   * The fingerprint is a Zobrist hash: the XOR over slots k of a pseudo-random 64-bit value
   * Z(k, id) of the slot and its id. So a successor's fingerprint follows from its parent's by
   * XOR-ing out and in the few slots that changed ({@link encodeAndFingerprint}), instead of
   * hashing the whole vector again.
   */
  fingerprint(vector: Int32Array, offset: number): void {
    let h1 = 0;
    let h2 = 0;
    for (let k = 0; k < this.width; k++) {
      const id = vector[offset + k]!;
      h1 ^= zobristLow(k, id);
      h2 ^= zobristHigh(k, id);
    }
    this.hi = h2 >>> 0;
    this.lo = h1 >>> 0;
  }
}

/** Low 32 bits of Z(slot, id). */
export function zobristLow(slot: number, id: number): number {
  return fmix32(Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(slot + 1, 0x27d4eb2f) ^ 0x165667b1);
}

/** High 32 bits of Z(slot, id): other multipliers, so the two halves are independent. */
export function zobristHigh(slot: number, id: number): number {
  return fmix32(Math.imul(id + 1, 0x85ebca77) ^ Math.imul(slot + 1, 0xc2b2ae3d) ^ 0x7f4a7c15);
}

/**
 * The successor encoder, generated once per model with the field names spelled out: `state.msgs`
 * is a monomorphic property load where `state[fields[i]]` would be a megamorphic keyed load, and
 * that difference is a large part of the encoding time. The generated code does what
 * `StateCodec.encode` does without a parent, plus the reference-equality shortcuts, and updates
 * the parent's Zobrist fingerprint for each slot whose id changed, in the same pass.
 */
function compileSuccessorEncoder(layout: readonly FieldSlot[], interner: ValueInterner, codec: StateCodec): SuccessorEncoder {
  const flip = (k: string, before: string, after: string): string =>
    `h1 ^= zl(${k}, ${before}) ^ zl(${k}, ${after}); h2 ^= zh(${k}, ${before}) ^ zh(${k}, ${after});`;
  const lines: string[] = ['let v, b, i, n, id, h1 = ph | 0, h2 = ph2 | 0;'];
  for (const { field, offset, spread } of layout) {
    const key = JSON.stringify(field);
    lines.push(`v = state[${key}]; b = parent[${key}];`);
    if (spread === 0) {
      lines.push(
        `id = pv[po + ${offset}];`,
        `if (v === b) out[o + ${offset}] = id;`,
        `else { n = interner.intern(v, b, id); out[o + ${offset}] = n; if (n !== id) { ${flip(String(offset), 'id', 'n')} } }`,
      );
      continue;
    }
    const end = offset + 1 + spread;
    lines.push(
      `if (v === b) { for (i = ${offset}; i < ${end}; i++) out[o + i] = pv[po + i]; }`,
      `else if (Array.isArray(v) && v.length === ${spread} && pv[po + ${offset}] === ${SPREAD}) {`,
      `  out[o + ${offset}] = ${SPREAD};`,
      `  for (i = 0; i < ${spread}; i++) {`,
      `    const e = v[i], f = b[i]; id = pv[po + ${offset + 1} + i];`,
      `    if (e === f) out[o + ${offset + 1} + i] = id;`,
      `    else { n = interner.intern(e, f, id); out[o + ${offset + 1} + i] = n; if (n !== id) { ${flip(`${offset + 1} + i`, 'id', 'n')} } }`,
      `  }`,
      `} else {`,
      // Rare: the field changes form (spread <-> whole value). Encode it afresh, then diff.
      `  if (Array.isArray(v) && v.length === ${spread}) {`,
      `    out[o + ${offset}] = ${SPREAD};`,
      `    for (i = 0; i < ${spread}; i++) out[o + ${offset + 1} + i] = interner.intern(v[i], undefined, -1);`,
      `  } else {`,
      `    out[o + ${offset}] = pv[po + ${offset}] === ${SPREAD} ? interner.intern(v, undefined, -1) : interner.intern(v, b, pv[po + ${offset}]);`,
      `    for (i = ${offset + 1}; i < ${end}; i++) out[o + i] = 0;`,
      `  }`,
      `  for (i = ${offset}; i < ${end}; i++) { id = pv[po + i]; n = out[o + i]; if (n !== id) { ${flip('i', 'id', 'n')} } }`,
      `}`,
    );
  }
  lines.push('codec.hi = h2 >>> 0;', 'codec.lo = h1 >>> 0;');
  const body = `return function encodeSuccessor(state, out, o, parent, pv, po, ph2, ph) {\n${lines.join('\n')}\n};`;
  return new Function('interner', 'codec', 'zl', 'zh', body)(interner, codec, zobristLow, zobristHigh) as SuccessorEncoder;
}

/** The decoder: one object literal with the fields in the model's own order. */
function compileDecoder(layout: readonly FieldSlot[], interner: ValueInterner): (vector: Int32Array, offset: number) => State {
  // A spread field is rebuilt as an array literal with its elements written out: V8 allocates it
  // packed ("holey" arrays, as `new Array(n)` makes, pay for a hole check on every read in the
  // model and the encoder) and at its final length, where pushing grows it (and copies it) once.
  const properties = layout.map(({ field, offset, spread }) => {
    const key = JSON.stringify(field);
    if (spread === 0) return `${key}: values[v[o + ${offset}]]`;
    const elements = Array.from({ length: spread }, (_, i) => `values[v[o + ${offset + 1 + i}]]`);
    return `${key}: v[o + ${offset}] === ${SPREAD} ? [${elements.join(', ')}] : values[v[o + ${offset}]]`;
  });
  const body = `return function decode(v, o) {\nconst values = interner.values;\nreturn { ${properties.join(',\n')} };\n};`;
  return new Function('interner', body)(interner) as (vector: Int32Array, offset: number) => State;
}
