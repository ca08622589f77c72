/**
 * The trace format: a counterexample or recorded run as one JSON document, versioned.
 *
 * A trace names the model, its size, the seeded bugs switched on, the search strategy and seed, the
 * invariant broken (if any), and the steps from an initial state: each with its action label, the
 * message it delivered (if any), and the per-role view after the step. The file is Extended JSON
 * (the `bson` package's `EJSON`, relaxed mode): numbers and strings stay plain JSON, and BSON values
 * in views — logical times as Timestamps — are `{"$timestamp": {"t", "i"}}`, which read back
 * exactly. (Canonical mode would also wrap every number as `{"$numberInt": ...}`, which keeps the
 * int32/double distinction our models do not have, at the price of files no one can read.)
 *
 * @module
 */
import { EJSON } from 'bson';
import type { Action, Model, Size, State } from '../checker/model.js';

export const TRACE_FORMAT_VERSION = 1;

export interface TraceStepRecord {
  readonly index: number;
  /** `model.describe(action)`; `null` for the initial state. */
  readonly action: string | null;
  /** The message the step delivered (`model.message(action)`), or `null`. */
  readonly message: unknown;
  /** `model.view(state)` after the step. */
  readonly view: Record<string, unknown>;
}

/** What a trace records about its run: model, size, bugs, search, and the invariant broken. */
export interface TraceHeader {
  readonly model: string;
  readonly size: Size;
  readonly bugs: readonly string[];
  readonly strategy: string;
  readonly seed: number;
  /** The invariant the last step breaks, or `null` for a recorded run that breaks none. */
  readonly invariant: string | null;
  /** `state` or `step` invariant; `null` with `invariant`. */
  readonly kind: 'state' | 'step' | null;
}

/** A trace file's document. */
export interface TraceDocument extends TraceHeader {
  readonly formatVersion: typeof TRACE_FORMAT_VERSION;
  readonly steps: readonly TraceStepRecord[];
}

/** The trace of `steps` (from an initial state) of `model`. */
export function traceDocument<S extends State, A extends Action>(
  header: TraceHeader,
  model: Model<S, A>,
  steps: readonly { readonly action: A | null; readonly state: S }[],
): TraceDocument {
  return {
    formatVersion: TRACE_FORMAT_VERSION,
    ...header,
    steps: steps.map((step, index) => ({
      index,
      action: step.action === null ? null : model.describe(step.action),
      message: step.action === null ? null : (model.message?.(step.action) ?? null),
      view: model.view(step.state),
    })),
  };
}

/** One trace, or several, as Extended JSON text (relaxed). */
export function serializeTrace(trace: TraceDocument | readonly TraceDocument[]): string {
  return `${EJSON.stringify(trace as never, undefined, 2, { relaxed: true })}\n`;
}

/** A value as canonical Extended JSON on one line: the comparison key of views and messages. */
export function canonical(value: unknown): string {
  return EJSON.stringify(value as never, { relaxed: false });
}

/** A trace file that cannot be read, with what is wrong with it. */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
}

/** Read a trace file's text; throws {@link TraceFormatError} naming the first problem. */
export function parseTrace(text: string): TraceDocument {
  let value: unknown;
  try {
    value = EJSON.parse(text, { relaxed: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new TraceFormatError(`not valid (Extended) JSON, perhaps truncated: ${detail}`);
  }
  if (Array.isArray(value)) {
    if (value.length !== 1) throw new TraceFormatError(`holds ${value.length} traces; replay takes a file with one (as --trace-out writes for one model)`);
    value = value[0];
  }
  if (!isRecord(value)) throw new TraceFormatError('is not a trace: expected a JSON object');
  if (value['formatVersion'] !== TRACE_FORMAT_VERSION) {
    throw new TraceFormatError(`has format version ${JSON.stringify(value['formatVersion'])}; this clusterspec reads version ${TRACE_FORMAT_VERSION}`);
  }
  const field = <T>(name: string, check: (v: unknown) => v is T, expected: string): T => {
    const v = value[name as never] as unknown;
    if (!check(v)) throw new TraceFormatError(`field "${name}" should be ${expected}, not ${JSON.stringify(v) ?? 'missing'}`);
    return v;
  };
  const size = field('size', isRecord, 'an object of numbers');
  for (const [k, v] of Object.entries(size)) if (typeof v !== 'number') throw new TraceFormatError(`size "${k}" should be a number, not ${JSON.stringify(v)}`);
  const steps = field('steps', Array.isArray, 'an array of steps');
  if (steps.length === 0) throw new TraceFormatError('has no steps (a trace starts with its initial state)');
  steps.forEach((step: unknown, i) => {
    if (!isRecord(step)) throw new TraceFormatError(`step ${i} is not an object`);
    if (step['index'] !== i) throw new TraceFormatError(`step ${i} has index ${JSON.stringify(step['index'])}`);
    if (i === 0 ? step['action'] !== null : typeof step['action'] !== 'string') {
      throw new TraceFormatError(i === 0 ? 'step 0 (the initial state) must have action null' : `step ${i} has no action label`);
    }
    if (!isRecord(step['view'])) throw new TraceFormatError(`step ${i} has no view`);
  });
  const invariant = value['invariant'];
  if (invariant !== null && typeof invariant !== 'string') throw new TraceFormatError('field "invariant" should be a string or null');
  const kind = value['kind'];
  if (kind !== null && kind !== 'state' && kind !== 'step') throw new TraceFormatError('field "kind" should be "state", "step" or null');
  return {
    formatVersion: TRACE_FORMAT_VERSION,
    model: field('model', isString, 'a model name'),
    size: size as Size,
    bugs: field('bugs', isStringArray, 'an array of bug ids'),
    strategy: field('strategy', isString, 'a strategy name'),
    seed: field('seed', isNumber, 'a number'),
    invariant,
    kind,
    steps: steps as TraceStepRecord[],
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
