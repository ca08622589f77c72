/**
 * Replaying a trace: re-execute it against the model, step by step, and say where and how the
 * model no longer produces it. Each recorded step is matched by its action label among the enabled
 * steps of the current state, and the successor's view must equal the recorded view.
 *
 * @module
 */
import type { Action, Model, State } from '../checker/model.js';
import type { TraceDocument } from './format.js';
import { canonical } from './format.js';

/** What changed in one role's view between two steps. */
export interface ViewChange {
  readonly role: string;
  /** Changed fields of the role's view (`"."` for a view that is not an object), old and new. */
  readonly fields: readonly { readonly field: string; readonly before: unknown; readonly after: unknown }[];
}

export interface ReplayedStep {
  readonly index: number;
  readonly action: string | null;
  readonly message: unknown;
  readonly view: Record<string, unknown>;
  readonly changes: readonly ViewChange[];
}

export type ReplayResult =
  | {
      readonly ok: true;
      readonly steps: readonly ReplayedStep[];
      /** The first invariant the last replayed step breaks (its step invariants first, as the checker checks them), or `null`. */
      readonly brokenInvariant: string | null;
    }
  | { readonly ok: false; readonly steps: readonly ReplayedStep[]; readonly divergedAt: number; readonly reason: string };

/** Re-execute `trace` against `model` (built for the trace's size and bugs), up to step `to`. */
export function replay<S extends State, A extends Action>(model: Model<S, A>, trace: TraceDocument, to = Infinity): ReplayResult {
  const replayed: ReplayedStep[] = [];
  const fail = (index: number, reason: string): ReplayResult => ({ ok: false, steps: replayed, divergedAt: index, reason });
  const first = trace.steps[0]!;
  let state = model.init().find((s) => canonical(model.view(s)) === canonical(first.view));
  if (state === undefined) return fail(0, 'no initial state of the model has the recorded view');
  replayed.push({ index: 0, action: null, message: null, view: first.view, changes: [] });
  // The invariant the last replayed state (or step) breaks, if any.
  let brokenInvariant: string | null = model.invariants.find((inv) => !inv.holds(state!))?.id ?? null;
  const last = Math.min(trace.steps.length - 1, to);
  for (let i = 1; i <= last; i++) {
    const step = trace.steps[i]!;
    const candidates: A[] = [];
    model.actions(state, candidates);
    const labelled = candidates.filter((a) => model.describe(a) === step.action);
    if (labelled.length === 0) {
      const enabled = [...new Set(candidates.filter((a) => model.next(state!, a) !== undefined).map((a) => model.describe(a)))];
      return fail(i, `step "${step.action}" is not a step of the model here; enabled: ${enabled.join(', ') || 'none'}`);
    }
    let matched: S | undefined;
    let matchedAction: A | undefined;
    let sawSuccessor: Record<string, unknown> | undefined;
    for (const action of labelled) {
      const next = model.next(state, action);
      if (next === undefined) continue;
      const view = model.view(next);
      sawSuccessor ??= view;
      if (canonical(view) === canonical(step.view)) {
        matched = next;
        matchedAction = action;
        break;
      }
    }
    if (matched === undefined) {
      if (sawSuccessor === undefined) return fail(i, `step "${step.action}" is not enabled here`);
      const differences = diffViews(step.view, sawSuccessor).map((c) => `${c.role}: ${c.fields.map((f) => `${f.field} recorded ${show(f.before)}, model ${show(f.after)}`).join('; ')}`);
      return fail(i, `after "${step.action}" the model's state differs from the recorded one — ${differences.join(' | ')}`);
    }
    replayed.push({ index: i, action: step.action, message: step.message, view: step.view, changes: diffViews(replayed[i - 1]!.view, step.view) });
    // In the checker's order: a step's step invariants before its target's state invariants.
    brokenInvariant =
      model.stepInvariants.find((inv) => !inv.holds(state!, matchedAction!, matched!))?.id ??
      model.invariants.find((inv) => !inv.holds(matched!))?.id ??
      null;
    state = matched;
  }
  return { ok: true, steps: replayed, brokenInvariant };
}

/** The roles whose views differ, and in which fields. */
export function diffViews(before: Record<string, unknown>, after: Record<string, unknown>): ViewChange[] {
  const changes: ViewChange[] = [];
  for (const role of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[role];
    const b = after[role];
    if (canonical(a) === canonical(b)) continue;
    if (isObject(a) && isObject(b)) {
      const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])]
        .filter((f) => canonical(a[f]) !== canonical(b[f]))
        .map((field) => ({ field, before: a[field], after: b[field] }));
      changes.push({ role, fields });
    } else {
      changes.push({ role, fields: [{ field: '.', before: a, after: b }] });
    }
  }
  return changes;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { _bsontype?: string })._bsontype === undefined;

/** A value for one line of text: BSON Timestamps as `Timestamp(t, i)`. */
export function show(value: unknown): string {
  return (
    JSON.stringify(value, function (this: Record<string, unknown>, key: string, json: unknown) {
      const raw = this[key] as { _bsontype?: string; t?: number; i?: number } | undefined;
      return raw !== null && typeof raw === 'object' && raw._bsontype === 'Timestamp' ? `Timestamp(${raw.t}, ${raw.i})` : json;
    }) ?? 'undefined'
  );
}
