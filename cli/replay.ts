/**
 * `clusterspec replay <trace.json>`: re-execute a trace against its model and print, for each step,
 * the action and what changed in each role's view. Exit 0 when the model still produces the trace,
 * 1 when it diverges (at which step, and how), 2 for a file that cannot be read as a trace or that
 * names an unknown model, size or bug.
 *
 * @module
 */
import fs from 'node:fs';
import type { ModelDefinition } from '../checker/index.js';
import { parseTrace, TraceFormatError, type TraceDocument } from '../traces/format.js';
import type { ReplayResult } from '../traces/replay.js';
import { replay, show } from '../traces/replay.js';
import { sequenceDiagram } from '../traces/mermaid.js';
import { traceToItf } from '../traces/itf.js';
import type { HtmlChart } from '../traces/html.js';
import { renderHtml } from '../traces/html.js';
import { chartOf, machineOf, toDot } from '../machines/export/index.js';
import { identifier, uniqueIds } from '../machines/export/chart.js';
import { renderSvgSync } from './diagram.js';
import { STEP_HELP, StepSession } from '../traces/step-session.js';
import { EXIT, UsageError, type ExitCode } from './errors.js';

export interface RawReplayOptions {
  readonly to?: string;
  readonly json?: boolean;
  readonly format?: string;
  readonly step?: boolean;
}

export const REPLAY_FORMATS = ['text', 'json', 'mermaid', 'itf', 'html'] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

export interface ReplayPlan {
  readonly file: string;
  readonly trace: TraceDocument;
  readonly definition: ModelDefinition;
  readonly to: number;
  readonly format: ReplayFormat;
  /** Step through interactively (in a terminal; otherwise everything is printed). */
  readonly step: boolean;
}

/** Read and validate the trace and options; throws {@link UsageError} naming the first problem. */
export function buildReplayPlan(file: string, raw: RawReplayOptions, models: readonly ModelDefinition[]): ReplayPlan {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read trace ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let trace: TraceDocument;
  try {
    trace = parseTrace(text);
  } catch (error) {
    if (error instanceof TraceFormatError) throw new UsageError(`trace ${file} ${error.message}`);
    throw error;
  }
  const definition = models.find((m) => m.name === trace.model);
  if (definition === undefined) throw new UsageError(`trace ${file} names unknown model "${trace.model}" (known: ${models.map((m) => m.name).join(', ')})`);
  for (const bug of trace.bugs) {
    if (!definition.bugs.some((b) => b.id === bug)) {
      throw new UsageError(`trace ${file} names unknown bug "${bug}" of ${definition.name} (known: ${definition.bugs.map((b) => b.id).join(', ')})`);
    }
  }
  for (const [key, param] of Object.entries(definition.sizeParams)) {
    const v = trace.size[key];
    if (v === undefined) throw new UsageError(`trace ${file} has no size "${key}" for ${definition.name}`);
    if (!Number.isInteger(v) || v < param.min || v > param.max) throw new UsageError(`trace ${file}: size ${key}=${v} is out of range (${param.min} to ${param.max})`);
  }
  for (const key of Object.keys(trace.size)) {
    if (!Object.hasOwn(definition.sizeParams, key)) throw new UsageError(`trace ${file} has unknown size "${key}" for ${definition.name}`);
  }
  let to = Infinity;
  if (raw.to !== undefined) {
    to = Number(raw.to);
    if (!/^\d+$/.test(raw.to) || !Number.isSafeInteger(to)) throw new UsageError(`--to "${raw.to}" is not a step number (0, 1, 2, ...)`);
    if (to > trace.steps.length - 1) throw new UsageError(`--to ${to} is past the trace's last step (${trace.steps.length - 1})`);
  }
  const format = raw.format ?? (raw.json === true ? 'json' : 'text');
  if (!(REPLAY_FORMATS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}" (expected one of: ${REPLAY_FORMATS.join(', ')})`);
  if (raw.json === true && format !== 'json') throw new UsageError(`--json and --format ${format} disagree`);
  if (raw.step === true && format !== 'text') throw new UsageError(`--step shows text; it does not combine with --format ${format}`);
  return { file, trace, definition, to, format: format as ReplayFormat, step: raw.step === true };
}

export function runReplay(plan: ReplayPlan): ExitCode {
  const { trace, definition } = plan;
  const model = definition.build(trace.size, new Set(trace.bugs));
  const result = replay(model, trace, plan.to);
  if (plan.format === 'json') process.stdout.write(`${JSON.stringify(replayReport(plan, result), null, 2)}\n`);
  else if (plan.format === 'mermaid') process.stdout.write(sequenceDiagram(result.steps));
  else if (plan.format === 'html') process.stdout.write(htmlPage(plan, result));
  else if (plan.format === 'itf') process.stdout.write(`${JSON.stringify(traceToItf({ ...plan.trace, steps: plan.trace.steps.slice(0, result.steps.length) }), null, 2)}\n`);
  else if (plan.step && process.stdin.isTTY === true && process.stdout.isTTY === true) stepThrough(plan, result);
  else process.stdout.write(renderReplay(plan, result));
  return result.ok ? EXIT.pass : EXIT.violation;
}

function replayReport(plan: ReplayPlan, result: ReplayResult) {
  return {
    model: plan.trace.model,
    size: plan.trace.size,
    bugs: plan.trace.bugs,
    steps: result.steps.length - 1,
    reproduced: result.ok,
    brokenInvariant: result.ok ? result.brokenInvariant : null,
    divergence: result.ok ? null : { step: result.divergedAt, reason: result.reason },
  };
}

/** The replay as text: each step's action and the changed fields of each role. */
export function renderReplay(plan: ReplayPlan, result: ReplayResult): string {
  const { trace } = plan;
  const size = Object.entries(trace.size).map(([k, v]) => `${k}=${v}`).join(' ');
  const bugs = trace.bugs.length > 0 ? ` with bugs ${trace.bugs.join(', ')}` : '';
  const lines = [`replay ${trace.model} ${size}${bugs}: ${trace.steps.length - 1} steps${trace.invariant === null ? '' : `, recorded to break ${trace.invariant}`}`];
  for (const step of result.steps) {
    if (step.action === null) {
      lines.push('step 0: (initial state)');
      for (const [role, view] of Object.entries(step.view)) lines.push(`  ${role.padEnd(8)} ${show(view)}`);
      continue;
    }
    lines.push(`step ${step.index}: ${step.action}`);
    if (step.changes.length === 0) lines.push('  (nothing changed)');
    for (const change of step.changes) {
      for (const f of change.fields) lines.push(`  ${change.role}${f.field === '.' ? '' : `.${f.field}`}: ${show(f.before)} → ${show(f.after)}`);
    }
  }
  if (!result.ok) {
    lines.push(`DIVERGED at step ${result.divergedAt}: ${result.reason}`);
  } else if (result.steps.length === trace.steps.length) {
    lines.push(
      result.brokenInvariant === null
        ? 'reproduced: every step replays; no invariant is broken at the end'
        : `reproduced: every step replays, and the last one breaks ${result.brokenInvariant}`,
    );
  } else {
    lines.push(`replayed up to step ${result.steps.length - 1} of ${trace.steps.length - 1}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The terminal loop of `--step`: read a command a line at a time (synchronously) until `q` or end of input. */
function stepThrough(plan: ReplayPlan, result: ReplayResult): void {
  const session = new StepSession(result.steps);
  const out = (text: string): void => void process.stdout.write(text.length > 0 ? `${text}\n` : '');
  out(`${renderReplay(plan, result).split('\n')[0]!}\n${STEP_HELP}`);
  if (!result.ok) out(`the model diverges from the trace at step ${result.divergedAt}: ${result.reason}; showing the steps before it`);
  out(session.current());
  const buffer = Buffer.alloc(1024);
  for (;;) {
    process.stdout.write('> ');
    let n: number;
    try {
      n = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch {
      break;
    }
    if (n === 0) break;
    for (const line of buffer.toString('utf8', 0, n).split('\n').slice(0, -1)) {
      const { text, quit } = session.command(line);
      if (quit) return;
      out(text);
    }
  }
  out('');
}

/** The self-contained HTML page of a replay: every role instance of the view drawn with its chart. */
function htmlPage(plan: ReplayPlan, result: ReplayResult): string {
  const { trace, definition } = plan;
  const drawn = new Map<string, { svg: string; nodeOf: Record<string, string> }>();
  const charts: HtmlChart[] = [];
  for (const key of Object.keys(trace.steps[0]!.view)) {
    const role = (definition.roles ?? []).find((r) => (r.viewKeys ? r.viewKeys(key) : r.name === key));
    if (role === undefined) continue;
    let chart = drawn.get(role.name);
    if (chart === undefined) {
      const machine = machineOf(role);
      const nodeOf: Record<string, string> = {};
      for (const [id, node] of uniqueIds(chartOf(machine), identifier)) nodeOf[id.slice(machine.id.length + 1)] = node;
      chart = { svg: renderSvgSync(toDot(machine)), nodeOf };
      drawn.set(role.name, chart);
    }
    charts.push({ key, role: role.name, ...chart });
  }
  const size = Object.entries(trace.size).map(([k, v]) => `${k}=${v}`).join(' ');
  const verdict = !result.ok
    ? `The model diverges from this trace at step ${result.divergedAt}: ${result.reason}`
    : result.brokenInvariant === null
      ? 'Every step replays; no invariant is broken at the end.'
      : `Every step replays, and the last one breaks ${result.brokenInvariant}.`;
  const bugs = trace.bugs.length > 0 ? ` with ${trace.bugs.join(', ')}` : '';
  return renderHtml({ title: `${trace.model} ${size}${bugs}`, steps: result.steps, charts, verdict });
}
