/**
 * What the test suites written by `clusterspec testgen` call: drive a role's implementation along
 * a path of its chart, and replay a stored counterexample. Each throws an `Error` that says what
 * differs, so the generated tests are one line each.
 *
 * @module
 */
import { isDeepStrictEqual } from 'node:util';
import { compileRole } from '../machines/compile.js';
import { ROLE_CASES } from '../protocols/role-samples.js';
import { findModel } from '../protocols/registry.js';
import { parseTrace } from './format.js';
import { replay } from './replay.js';

/** A path of a role's chart: the events from the initial state, and the state value and context after each. */
export interface ChartPath {
  readonly role: string;
  readonly description: string;
  readonly input: unknown;
  readonly steps: readonly { readonly event: { readonly type: string }; readonly value: unknown; readonly context: unknown }[];
}

/** Drive `model`'s role implementation (its compiled chart) along `path`; throws at the first step where it is elsewhere. */
export function runChartPath(model: string, path: ChartPath): void {
  const sample = ROLE_CASES.find((c) => c.model === model && c.role === path.role);
  if (sample === undefined) throw new Error(`clusterspec has no role "${path.role}" in model "${model}"`);
  const compiled = compileRole(path.role, sample.machine, sample.implement(new Set()));
  let s = compiled.initial(path.input as never);
  path.steps.forEach((step, i) => {
    s = compiled.step(s, step.event as never, []) ?? s;
    const value = compiled.configs[s.at]!.value;
    if (!isDeepStrictEqual(value, step.value)) throw new Error(`step ${i + 1} (${step.event.type}): the implementation is in ${JSON.stringify(value)}, the chart says ${JSON.stringify(step.value)}`);
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(s.ctx)), step.context)) {
      throw new Error(`step ${i + 1} (${step.event.type}): the context is ${JSON.stringify(s.ctx)}, the chart says ${JSON.stringify(step.context)}`);
    }
  });
}

/**
 * Replay a stored counterexample (the text of a trace file): with its bugs on, the model must
 * reproduce it and its last step break the recorded invariant; with them off, it must not.
 */
export function replayStoredTrace(text: string, bugsOn: boolean): void {
  const trace = parseTrace(text);
  const definition = findModel(trace.model);
  if (definition === undefined) throw new Error(`unknown model "${trace.model}"`);
  const result = replay(definition.build(trace.size, new Set(bugsOn ? trace.bugs : [])), trace);
  if (bugsOn) {
    if (!result.ok) throw new Error(`the model no longer produces the trace: step ${result.divergedAt}: ${result.reason}`);
    if (result.brokenInvariant !== trace.invariant) throw new Error(`the last step breaks ${result.brokenInvariant ?? 'no invariant'}, not ${trace.invariant}`);
  } else if (result.ok && result.brokenInvariant === trace.invariant) {
    throw new Error(`the trace breaks ${trace.invariant} even without ${trace.bugs.join(', ')}`);
  }
}
