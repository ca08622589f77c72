/**
 * The canonical encoding: ValueInterner gives two plain values the same id exactly when they are
 * equal as data (object keys compared as sets), the `previous` shortcut never changes an id, and
 * StateCodec turns states into vectors of those ids. Values that are not plain data are refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValueInterner } from '../checker/intern.js';
import { StateCodec } from '../checker/state-codec.js';
import { check } from '../checker/check.js';
import type { Model } from '../checker/model.js';
import { compareNatural, setAdd, setDelete, setFrom } from '../impl/sorted-set.js';

type Json = fc.JsonValue;

/** JSON with object keys sorted at every level: equal exactly for equal plain data. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const isRecord = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A copy of `value` with every object's keys in reverse insertion order (and new references). */
function reversedKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (isRecord(value)) {
    const copy: Record<string, Json> = {};
    for (const k of Object.keys(value).reverse()) Object.defineProperty(copy, k, { value: reversedKeys(value[k]!), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}

/** Asserts that ids are equal exactly when canonical forms are. */
function expectIdsMatchCanonical(values: readonly unknown[], ids: readonly number[]): void {
  const idOf = new Map<string, number>();
  const canonicalOf = new Map<number, string>();
  values.forEach((v, i) => {
    const c = canonical(v);
    const id = ids[i]!;
    const known = idOf.get(c);
    if (known !== undefined && known !== id) throw new Error(`equal values got ids ${known} and ${id}: ${c}`);
    const other = canonicalOf.get(id);
    if (other !== undefined && other !== c) throw new Error(`different values share id ${id}: ${other} and ${c}`);
    idOf.set(c, id);
    canonicalOf.set(id, c);
  });
}

const jsonArb = fc.jsonValue({ maxDepth: 4 });

describe('ValueInterner: equal ids exactly for equal values', () => {
  it('plain JSON values (fc.jsonValue, with copies and key-reordered copies mixed in)', () => {
    fc.assert(
      fc.property(fc.array(jsonArb, { minLength: 1, maxLength: 25 }), fc.array(fc.nat(), { maxLength: 10 }), (values, picks) => {
        const all: Json[] = [...values];
        for (const p of picks) {
          const v = values[p % values.length]!;
          all.push(p % 2 === 0 ? (JSON.parse(JSON.stringify(v)) as Json) : reversedKeys(v));
        }
        const interner = new ValueInterner();
        const ids = all.map((v) => interner.intern(v, undefined, -1));
        expectIdsMatchCanonical(all, ids);
        // Interning again gives the same ids.
        expect(all.map((v) => interner.intern(v, undefined, -1))).toEqual(ids);
      }),
      { numRuns: 300 },
    );
  });

  it('plain JSON values with any string (full Unicode, control characters) as keys and values', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), { minLength: 1, maxLength: 25 }), (values) => {
        const interner = new ValueInterner();
        expectIdsMatchCanonical(
          values,
          values.map((v) => interner.intern(v, undefined, -1)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('values over a tiny alphabet of keys and strings (many near-collisions)', () => {
    const tiny = fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', ','), maxLength: 3 });
    const { value } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(null, true, false, 0, 1),
        tiny,
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(tiny, tie('value'), { maxKeys: 3 }),
      ),
    }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 40 }), (values) => {
        const interner = new ValueInterner();
        expectIdsMatchCanonical(
          values,
          values.map((v) => interner.intern(v, undefined, -1)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('valueOf gives back a value equal to the one interned', () => {
    fc.assert(
      fc.property(fc.array(jsonArb, { minLength: 1, maxLength: 20 }), (values) => {
        const interner = new ValueInterner();
        const ids = values.map((v) => interner.intern(v, undefined, -1));
        values.forEach((v, i) => {
          const back = interner.valueOf(ids[i]!);
          if (canonical(back) !== canonical(v)) throw new Error(`valueOf(${ids[i]}) is ${canonical(back)}, interned ${canonical(v)}`);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('tells apart values that differ only in type or container kind', () => {
    const values: unknown[] = [0, '0', false, null, '', 'null', [], {}, [0], ['0'], { 0: 0 }, { '0': '0' }, [[]], [{}], [null], { a: [] }, { a: {} }, { a: null }, 1, -1, 0.5, true, 'true'];
    const interner = new ValueInterner();
    const ids = values.map((v) => interner.intern(v, undefined, -1));
    expect(new Set(ids).size).toBe(values.length);
  });

  // Regression cases for the shape key: object shapes are looked up by their keys joined with
  // "\u0000", so {} and {"": x} (both join to ""), or {"a\u0000b": x} and {a, b}, share a shape.
  it('tells {} apart from an object whose only key is the empty string', () => {
    const interner = new ValueInterner();
    const empty = interner.intern({}, undefined, -1);
    const emptyKey1 = interner.intern({ '': 1 }, undefined, -1);
    const emptyKey2 = interner.intern({ '': 2 }, undefined, -1);
    expect(emptyKey1).not.toBe(empty);
    expect(emptyKey2).not.toBe(emptyKey1);
  });

  it('tells apart objects whose keys join to the same string with "\\u0000"', () => {
    const interner = new ValueInterner();
    const joined = interner.intern({ 'a\u0000b': 1 }, undefined, -1);
    const ab12 = interner.intern({ a: 1, b: 2 }, undefined, -1);
    const ab13 = interner.intern({ a: 1, b: 3 }, undefined, -1);
    expect(ab12).not.toBe(joined);
    expect(ab13).not.toBe(ab12);
  });
});

describe('end to end: distinct states stay distinct', () => {
  it('a bad state whose only difference is an empty-string key is not merged with a good one', () => {
    type S = { readonly x: Record<string, number> };
    type A = { readonly kind: 'set' };
    const set: A = { kind: 'set' };
    const model: Model<S, A> = {
      actionKinds: ['set'],
      invariants: [{ id: 'NoEmptyKey', description: 'x has no key ""', holds: (s) => !('' in s.x) }],
      stepInvariants: [],
      init: () => [{ x: {} }],
      actions: (s, out) => {
        if (!('' in s.x)) out.push(set);
      },
      next: (s) => ('' in s.x ? undefined : { x: { '': 1 } }),
      describe: (a) => a.kind,
      view: (s) => ({ x: s.x }),
    };
    for (const strategy of ['bfs', 'dfs', 'random'] as const) {
      const result = check(model, { strategy, walks: 1 });
      expect(result.result, strategy).toBe('violation');
      expect(result.distinctStates, strategy).toBe(2);
    }
  });
});

describe('ValueInterner: canonical forms', () => {
  it('objects with the same keys in different insertion orders get equal ids', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), jsonArb), { selector: ([k]) => k, maxLength: 8 });
    fc.assert(
      fc.property(entries, fc.func(fc.integer()), fc.func(fc.integer()), (kvs, rank1, rank2) => {
        const build = (order: (k: string) => number): Record<string, Json> => {
          const sorted = [...kvs].sort(([a], [b]) => order(a) - order(b) || compareNatural(a, b));
          const o: Record<string, Json> = {};
          for (const [k, v] of sorted) Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
          return o;
        };
        const a = build(rank1);
        const b = build(rank2);
        const interner = new ValueInterner();
        const ia = interner.intern(a, undefined, -1);
        expect(interner.intern(b, undefined, -1)).toBe(ia);
        // Also nested, and with a previous value of the other order.
        expect(interner.intern({ x: [b], y: b }, undefined, -1)).toBe(interner.intern({ y: a, x: [a] }, undefined, -1));
        expect(interner.intern([b], [a], interner.intern([a], undefined, -1))).toBe(interner.intern([a], undefined, -1));
      }),
      { numRuns: 200 },
    );
  });

  it('sorted sets built with setAdd in any insertion order encode equal', () => {
    const members = fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { maxLength: 20 });
    fc.assert(
      fc.property(
        members.chain((m) => fc.tuple(fc.constant(m), fc.shuffledSubarray(m, { minLength: m.length }), fc.shuffledSubarray(m, { minLength: m.length }))),
        ([m, order1, order2]) => {
          const build = (order: readonly number[]): readonly number[] =>
            order.reduce<readonly number[]>((set, x) => setAdd(set, x, compareNatural), []);
          const interner = new ValueInterner();
          const s1 = build(order1);
          const s2 = build(order2);
          const id = interner.intern(s1, undefined, -1);
          expect(interner.intern(s2, undefined, -1)).toBe(id);
          expect(interner.intern(setFrom(m, compareNatural), undefined, -1)).toBe(id);
          // Adding a member again changes nothing; a set with one member fewer differs.
          if (m.length > 0) {
            expect(interner.intern(setAdd(s2, m[0]!, compareNatural), undefined, -1)).toBe(id);
            expect(interner.intern(setDelete(s2, m[0]!, compareNatural), undefined, -1)).not.toBe(id);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('sets of objects (messages) built in any order encode equal inside a state', () => {
    type Msg = { readonly type: string; readonly rm: number };
    const compareMsg = (a: Msg, b: Msg): number => compareNatural(a.type, b.type) || a.rm - b.rm;
    const msgArb = fc.record({ type: fc.constantFrom('Prepared', 'Commit', 'Abort'), rm: fc.integer({ min: 0, max: 4 }) });
    fc.assert(
      fc.property(
        fc.uniqueArray(msgArb, { selector: (m) => `${m.type}/${m.rm}`, maxLength: 12 }).chain((m) =>
          fc.tuple(fc.shuffledSubarray(m, { minLength: m.length }), fc.shuffledSubarray(m, { minLength: m.length })),
        ),
        ([order1, order2]) => {
          const build = (order: readonly Msg[]): readonly Msg[] =>
            order.reduce<readonly Msg[]>((set, x) => setAdd(set, { ...x }, compareMsg), []);
          const codec = new StateCodec({ msgs: [], tm: 'init' });
          const v1 = new Int32Array(2);
          const v2 = new Int32Array(2);
          codec.encode({ tm: 'init', msgs: build(order1) }, v1, 0);
          codec.encode({ msgs: build(order2), tm: 'init' }, v2, 0);
          expect([...v2]).toEqual([...v1]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Structural edits that share unchanged children by reference, as models build successors.

type Edit =
  | { readonly op: 'replace'; readonly path: readonly number[]; readonly payload: Json }
  | { readonly op: 'insert'; readonly path: readonly number[]; readonly at: number; readonly payload: Json }
  | { readonly op: 'remove'; readonly path: readonly number[]; readonly at: number }
  | { readonly op: 'setKey'; readonly path: readonly number[]; readonly key: string; readonly payload: Json }
  | { readonly op: 'deleteKey'; readonly path: readonly number[]; readonly at: number };

const pathArb = fc.array(fc.nat(), { maxLength: 4 });
const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('replace' as const), path: pathArb, payload: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('insert' as const), path: pathArb, at: fc.nat(), payload: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('remove' as const), path: pathArb, at: fc.nat() }),
  fc.record({ op: fc.constant('setKey' as const), path: pathArb, key: fc.string({ maxLength: 3 }), payload: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ op: fc.constant('deleteKey' as const), path: pathArb, at: fc.nat() }),
);

/** An own enumerable data property, whatever the key (`__proto__` included). */
function define(o: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function copyWithout(o: Record<string, Json>, drop: string | undefined): Record<string, Json> {
  const copy: Record<string, Json> = {};
  for (const k of Object.keys(o)) if (k !== drop) define(copy, k, o[k]!);
  return copy;
}

/** `value` with `edit` applied, sharing every untouched child with `value` by reference. */
function applyEdit(value: Json, edit: Edit, depth = 0): Json {
  const step = edit.path[depth];
  if (step !== undefined && Array.isArray(value) && value.length > 0) {
    const i = step % value.length;
    const copy = value.slice();
    copy[i] = applyEdit(value[i]!, edit, depth + 1);
    return copy;
  }
  if (step !== undefined && isRecord(value) && Object.keys(value).length > 0) {
    const keys = Object.keys(value);
    const k = keys[step % keys.length]!;
    const copy = copyWithout(value, undefined);
    define(copy, k, applyEdit(value[k]!, edit, depth + 1));
    return copy;
  }
  switch (edit.op) {
    case 'replace':
      return edit.payload;
    case 'insert':
      if (!Array.isArray(value)) return [edit.payload, value];
      return [...value.slice(0, edit.at % (value.length + 1)), edit.payload, ...value.slice(edit.at % (value.length + 1))];
    case 'remove':
      if (!Array.isArray(value) || value.length === 0) return [];
      return [...value.slice(0, edit.at % value.length), ...value.slice((edit.at % value.length) + 1)];
    case 'setKey': {
      const copy = isRecord(value) ? copyWithout(value, undefined) : {};
      define(copy, edit.key, edit.payload);
      return copy;
    }
    case 'deleteKey': {
      if (!isRecord(value)) return {};
      const keys = Object.keys(value);
      return copyWithout(value, keys.length > 0 ? keys[edit.at % keys.length] : undefined);
    }
  }
}

describe('ValueInterner: the previous-value shortcut', () => {
  it('interning an edited value next to its original gives the id of interning it from scratch', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.array(editArb, { minLength: 1, maxLength: 6 }), (start, edits) => {
        const interner = new ValueInterner();
        let value: Json = start;
        let id = interner.intern(value, undefined, -1);
        const values: Json[] = [value];
        const ids: number[] = [id];
        for (const edit of edits) {
          const edited = applyEdit(value, edit);
          const viaPrevious = interner.intern(edited, value, id);
          const fromScratch = interner.intern(edited, undefined, -1);
          if (viaPrevious !== fromScratch) {
            throw new Error(`previous shortcut gave ${viaPrevious}, from scratch ${fromScratch}: ${canonical(value)} -> ${canonical(edited)}`);
          }
          values.push(edited);
          ids.push(viaPrevious);
          value = edited;
          id = viaPrevious;
        }
        expectIdsMatchCanonical(values, ids);
        // A fresh interner, without the shortcut, agrees about which values are equal.
        const fresh = new ValueInterner();
        expectIdsMatchCanonical(values, values.map((v) => fresh.intern(v, undefined, -1)));
      }),
      { numRuns: 500 },
    );
  });

  it('sorted sets of shared objects: one member added or removed (a shifted array)', () => {
    type Doc = { readonly key: number; readonly body: Json };
    const compareDoc = (a: Doc, b: Doc): number => a.key - b.key;
    const op = fc.record({ add: fc.boolean(), key: fc.integer({ min: 0, max: 15 }), body: fc.jsonValue({ maxDepth: 2 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        const interner = new ValueInterner();
        let set: readonly Doc[] = [];
        let id = interner.intern(set, undefined, -1);
        for (const { add, key, body } of ops) {
          const next = add ? setAdd(set, { key, body }, compareDoc) : setDelete(set, { key, body }, compareDoc);
          const viaPrevious = interner.intern(next, set, id);
          expect(viaPrevious).toBe(interner.intern(next, undefined, -1));
          expect(viaPrevious === id).toBe(canonical(next) === canonical(set));
          set = next;
          id = viaPrevious;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('hand-picked shifts: neighbours that look alike but are different values', () => {
    const a = { v: 1 };
    const b = { v: 2 };
    const c = { v: 3 };
    const interner = new ValueInterner();
    const cases: [readonly unknown[], readonly unknown[]][] = [
      [[a, b, c], [b, c]], // removed at the front: every child shifted left
      [[a, b, c], [a, c]],
      [[a, b, c], [x(0), a, b, c]], // inserted at the front: every child shifted right
      [[a, b, c], [a, b, x(2.5), c]],
      [[a, b, c], [c, b, a]], // not a shift: reversed
      [[a, a, b], [a, b, b]],
      [[a, b], [b, a]],
      [[a], [{ v: 1 }, a]],
      [[[a, b], c], [[a], c]], // nested arrays: the inner one shifted
      [[[a, b], c], [[b, a], c]],
      [[1, 2, 3], [1, 3]],
      [[1, 2, 3], ['1', 2, 3]],
    ];
    function x(v: number): { v: number } {
      return { v };
    }
    for (const [before, after] of cases) {
      const idBefore = interner.intern(before, undefined, -1);
      const viaPrevious = interner.intern(after, before, idBefore);
      expect(viaPrevious, `${canonical(before)} -> ${canonical(after)}`).toBe(interner.intern(after, undefined, -1));
      expect(viaPrevious === idBefore).toBe(canonical(before) === canonical(after));
    }
  });

  it('nested objects with a frozen constant shared by reference', () => {
    const constant = Object.freeze({ type: 'Commit' });
    const interner = new ValueInterner();
    const before = { tm: { state: 'init', msgs: [constant] }, rms: ['working', 'working'] };
    const idBefore = interner.intern(before, undefined, -1);
    const after = { ...before, tm: { ...before.tm, msgs: [constant, Object.freeze({ type: 'Abort' })] } };
    const viaPrevious = interner.intern(after, before, idBefore);
    expect(viaPrevious).toBe(interner.intern(JSON.parse(JSON.stringify(after)), undefined, -1));
    expect(viaPrevious).not.toBe(idBefore);
    // A frozen constant equal to an unfrozen value gets the same id.
    expect(interner.intern(constant, undefined, -1)).toBe(interner.intern({ type: 'Commit' }, undefined, -1));
  });
});

// ---------------------------------------------------------------------------------------------

/** A state: a record of components named c0 .. c(n-1). */
const stateArb = fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 6 }).map((components) => {
  const state: Record<string, Json> = {};
  components.forEach((c, i) => (state[`c${i}`] = c));
  return state;
});

function encode(codec: StateCodec, state: object, parent?: object, parentVector?: Int32Array): Int32Array {
  const out = new Int32Array(codec.width);
  codec.encode(state, out, 0, parent, parentVector, 0);
  return out;
}

describe('StateCodec', () => {
  it('states differing in one component get different vectors and fingerprints', () => {
    fc.assert(
      fc.property(stateArb, fc.nat(), fc.jsonValue({ maxDepth: 3 }), (state, which, replacement) => {
        const fields = Object.keys(state);
        const field = fields[which % fields.length]!;
        fc.pre(canonical(state[field]) !== canonical(replacement));
        const other = { ...state, [field]: replacement };
        const codec = new StateCodec(state);
        expect(codec.fields).toEqual([...fields].sort());
        const v1 = encode(codec, state);
        const v2 = encode(codec, other);
        expect([...v1]).not.toEqual([...v2]);
        // Encoding is a function of the value: a deep copy encodes the same.
        expect([...encode(codec, JSON.parse(JSON.stringify(other)) as object)]).toEqual([...v2]);
        codec.fingerprint(v1, 0);
        const [hi1, lo1] = [codec.hi, codec.lo];
        codec.fingerprint(v2, 0);
        expect([codec.hi, codec.lo]).not.toEqual([hi1, lo1]);
        // The fingerprint depends only on the vector, wherever it sits in an array.
        const padded = new Int32Array(codec.width + 3);
        padded.set(v1, 3);
        codec.fingerprint(padded, 3);
        expect([codec.hi, codec.lo]).toEqual([hi1, lo1]);
      }),
      { numRuns: 300 },
    );
  });

  it('encoding with the parent equals encoding from scratch', () => {
    fc.assert(
      fc.property(stateArb, fc.array(fc.tuple(fc.nat(), editArb), { minLength: 1, maxLength: 8 }), (start, edits) => {
        const codec = new StateCodec(start);
        let state: Record<string, Json> = start;
        let vector = encode(codec, state);
        for (const [which, edit] of edits) {
          const field = codec.fields[which % codec.fields.length]!;
          const child = { ...state, [field]: applyEdit(state[field]!, edit) };
          const viaParent = encode(codec, child, state, vector);
          expect([...viaParent]).toEqual([...encode(codec, child)]);
          // Equal vectors exactly for equal states.
          expect([...viaParent].join() === [...vector].join()).toBe(canonical(child) === canonical(state));
          state = child;
          vector = viaParent;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the incremental fingerprint (encodeAndFingerprint) equals the full one', () => {
    fc.assert(
      fc.property(stateArb, fc.array(fc.tuple(fc.nat(), editArb), { minLength: 1, maxLength: 8 }), (start, edits) => {
        const codec = new StateCodec(start);
        let state: Record<string, Json> = start;
        let vector = encode(codec, state);
        codec.fingerprint(vector, 0);
        let hi = codec.hi;
        let lo = codec.lo;
        for (const [which, edit] of edits) {
          const field = codec.fields[which % codec.fields.length]!;
          const child = { ...state, [field]: applyEdit(state[field]!, edit) };
          const out = new Int32Array(codec.width);
          codec.encodeAndFingerprint(child, out, 0, state, vector, 0, hi, lo);
          const incremental = [codec.hi, codec.lo];
          codec.fingerprint(out, 0);
          const full = [codec.hi, codec.lo];
          expect(incremental).toEqual(full);
          [hi, lo] = full as [number, number];
          state = child;
          vector = out;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('encoding into a reused buffer gives the same vector as into a fresh one', () => {
    fc.assert(
      fc.property(stateArb, fc.array(fc.tuple(fc.nat(), editArb), { minLength: 1, maxLength: 8 }), (start, edits) => {
        const codec = new StateCodec(start);
        const states: Record<string, Json>[] = [start];
        for (const [which, edit] of edits) {
          const last = states[states.length - 1]!;
          const field = codec.fields[which % codec.fields.length]!;
          states.push({ ...last, [field]: applyEdit(last[field]!, edit) });
        }
        // Encode every state over the vector of the one before, in both directions.
        const buffer = new Int32Array(codec.width);
        for (const order of [states, [...states].reverse()]) {
          for (const s of order) {
            codec.encode(s, buffer, 0);
            expect([...buffer]).toEqual([...encode(codec, s)]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('decode gives back a state equal to the one encoded, with the fields in the example order', () => {
    fc.assert(
      fc.property(stateArb, fc.array(fc.tuple(fc.nat(), editArb), { maxLength: 8 }), (start, edits) => {
        // Reverse the key order of the example, so that it differs from the sorted order.
        const example: Record<string, Json> = {};
        for (const k of Object.keys(start).reverse()) example[k] = start[k]!;
        const codec = new StateCodec(example);
        let state = example;
        let vector = encode(codec, state);
        const check = (s: Record<string, Json>, v: Int32Array): void => {
          const decoded = codec.decode(v, 0);
          expect(Object.keys(decoded)).toEqual(Object.keys(example));
          expect(canonical(decoded)).toBe(canonical(s));
          // Decoded states encode to the same vector, with or without a parent.
          expect([...encode(codec, decoded)]).toEqual([...v]);
          const padded = new Int32Array(codec.width + 2);
          padded.set(v, 2);
          expect(canonical(codec.decode(padded, 2))).toBe(canonical(s));
        };
        check(state, vector);
        for (const [which, edit] of edits) {
          const field = codec.fields[which % codec.fields.length]!;
          // Successors are built from the decoded parent, as the searches do.
          const parent = codec.decode(vector, 0) as Record<string, Json>;
          const child = { ...parent, [field]: applyEdit(parent[field]!, edit) };
          const childVector = encode(codec, child, parent, vector);
          check(child, childVector);
          state = child;
          vector = childVector;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('encodes components by name, whatever the key order of a state', () => {
    const codec = new StateCodec({ b: 1, a: [2] });
    expect(codec.fields).toEqual(['a', 'b']);
    expect([...encode(codec, { a: [2], b: 1 })]).toEqual([...encode(codec, { b: 1, a: [2] })]);
    expect([...encode(codec, { a: 1, b: [2] })]).not.toEqual([...encode(codec, { b: 1, a: [2] })]);
  });

  it('checkShape refuses a state with other components', () => {
    const codec = new StateCodec({ a: 1, b: 2 });
    expect(() => codec.checkShape({ b: 0, a: 0 })).not.toThrow();
    expect(() => codec.checkShape({ a: 1 })).toThrow(TypeError);
    expect(() => codec.checkShape({ a: 1, b: 2, c: 3 })).toThrow(/components \[a, b\]/);
    expect(() => codec.checkShape({ a: 1, c: 2 })).toThrow(TypeError);
  });

  it('refuses a state that is not a record', () => {
    expect(() => new StateCodec([1, 2])).toThrow(TypeError);
    expect(() => new StateCodec(null as unknown as object)).toThrow(TypeError);
  });
});

describe('values that are not plain data', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const bad: [string, unknown, RegExp][] = [
    ['a Map', new Map([[1, 2]]), /a Map/],
    ['a Set', new Set([1]), /a Set/],
    ['a class instance', new Point(1), /instance of Point/],
    ['a function', () => 1, /a function/],
    ['a symbol', Symbol('s'), /a symbol/],
    ['a Date', new Date(0), /instance of Date/],
  ];

  for (const [name, value, message] of bad) {
    it(`throws a TypeError naming ${name}, at any depth of a state`, () => {
      const codec = new StateCodec({ ok: 1, bad: null });
      const out = new Int32Array(2);
      for (const holder of [value, [value], { inner: value }, [1, { deep: [value] }]]) {
        const check = (): void => codec.encode({ ok: 1, bad: holder }, out, 0);
        expect(check).toThrow(TypeError);
        expect(check).toThrow(message);
        expect(check).toThrow(/plain data/);
      }
      // Also when the bad value arrives in a successor encoded next to its parent.
      const parent = { ok: 1, bad: [1, 2] };
      const parentVector = encode(codec, parent);
      expect(() => codec.encode({ ok: 1, bad: [1, value] }, out, 0, parent, parentVector, 0)).toThrow(message);
      expect(() => codec.encode({ ok: 1, bad: [value, 1, 2] }, out, 0, parent, parentVector, 0)).toThrow(message);
    });
  }
});
