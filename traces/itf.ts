/**
 * A trace in the Informal Trace Format (ITF) of Apalache and Quint, so that ITF viewers and tools
 * can read clusterspec's traces: `#meta`, `vars`, and one object per state.
 *
 * The variables are the roles of the per-role view, plus `action` (the step's label, `""` for the
 * initial state) and `message` (the message it delivered). Values are encoded as ITF says:
 * integers as `{"#bigint": "…"}`, lists as arrays, records as objects, `Set`s as `{"#set": […]}`,
 * `Map`s as `{"#map": [[k, v], …]}`, BSON Timestamps as the tuple `{"#tup": [seconds, counter]}`,
 * and what ITF has no type for (`null`, fractions) as `{"#unserializable": "…"}`.
 *
 * @module
 */
import type { TraceDocument } from './format.js';

export type ItfValue =
  | boolean
  | string
  | { readonly '#bigint': string }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly '#set': readonly ItfValue[] }
  | { readonly '#map': readonly (readonly [ItfValue, ItfValue])[] }
  | { readonly '#unserializable': string }
  | readonly ItfValue[]
  | { readonly [field: string]: ItfValue };

/** One value in ITF's encoding. */
export function toItf(value: unknown): ItfValue {
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? { '#bigint': String(value) } : { '#unserializable': String(value) };
  if (typeof value === 'bigint') return { '#bigint': value.toString() };
  if (value === null || value === undefined) return { '#unserializable': String(value) };
  if (Array.isArray(value)) return value.map(toItf);
  if (value instanceof Set) return { '#set': [...value].map(toItf) };
  if (value instanceof Map) return { '#map': [...value].map(([k, v]) => [toItf(k), toItf(v)] as const) };
  const bson = value as { _bsontype?: string; t?: number; i?: number };
  if (bson._bsontype === 'Timestamp') return { '#tup': [toItf(bson.t), toItf(bson.i)] };
  if (bson._bsontype !== undefined) return { '#unserializable': String(value) };
  const record: Record<string, ItfValue> = {};
  for (const [k, v] of Object.entries(value)) record[k] = toItf(v);
  return record;
}

/** The ITF document of a trace. */
export function traceToItf(trace: TraceDocument): object {
  const roles = Object.keys(trace.steps[0]!.view);
  const vars = [...roles, 'action', 'message'];
  const size = Object.entries(trace.size).map(([k, v]) => `${k}=${v}`).join(' ');
  return {
    '#meta': {
      format: 'ITF',
      'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html',
      source: `clusterspec ${trace.model} ${size}${trace.bugs.length > 0 ? ` bugs=${trace.bugs.join(',')}` : ''}`,
      description: trace.invariant === null ? 'a recorded run' : `a counterexample: the last state breaks ${trace.invariant}`,
    },
    vars,
    states: trace.steps.map((step) => ({
      '#meta': { index: step.index },
      ...Object.fromEntries(roles.map((role) => [role, toItf(step.view[role])])),
      action: step.action ?? '',
      message: toItf(step.message),
    })),
  };
}
