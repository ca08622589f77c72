/**
 * `clusterspec diagram`: draw a model's role statecharts as Mermaid, DOT, SVG, SCXML or JSON, on
 * stdout or atomically into `--out <file>`. See `docs/cli.md`, section "diagram".
 *
 * @module
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { ModelDefinition, RoleChart } from '../checker/index.js';
import type { DiagramFormat } from '../machines/export/index.js';
import { DIAGRAM_FORMATS, isDiagramFormat, machineOf, renderText, toDot } from '../machines/export/index.js';
import { stackSvgs } from '../machines/export/svg.js';
import { assertWritableTarget, writeFileAtomically } from './atomic-write.js';
import { EXIT, UsageError, type ExitCode } from './errors.js';

export interface RawDiagramOptions {
  readonly role?: string;
  readonly format?: string;
  readonly out?: string;
}

/** A validated `diagram` command. */
export interface DiagramPlan {
  readonly model: ModelDefinition;
  /** The roles to draw: the one named by `--role`, or every role of the model. */
  readonly roles: readonly RoleChart[];
  /** `true` when `--role` named the role (one diagram, never a list). */
  readonly single: boolean;
  readonly format: DiagramFormat;
  readonly out: string | undefined;
}

/** The formats that hold one diagram per document: with several roles, `--role` must choose. */
const ONE_PER_DOCUMENT: ReadonlySet<DiagramFormat> = new Set(['scxml']);

/** Validate the command line; throws {@link UsageError} naming the first problem. */
export function buildDiagramPlan(modelName: string, raw: RawDiagramOptions, models: readonly ModelDefinition[]): DiagramPlan {
  const model = models.find((m) => m.name === modelName);
  if (model === undefined) throw new UsageError(`unknown model "${modelName}" (known: ${models.map((m) => m.name).join(', ')})`);
  const all = model.roles ?? [];
  const withRoles = models.filter((m) => (m.roles ?? []).length > 0).map((m) => m.name);
  if (all.length === 0) {
    throw new UsageError(`model "${model.name}" has no role statecharts to draw (models with roles: ${withRoles.join(', ') || 'none'})`);
  }
  const roleNames = all.map((r) => r.name).join(', ');
  const format = raw.format ?? 'mermaid';
  if (!isDiagramFormat(format)) throw new UsageError(`unknown format "${format}" (expected one of: ${DIAGRAM_FORMATS.join(', ')})`);
  let roles = all;
  if (raw.role !== undefined) {
    const role = all.find((r) => r.name === raw.role);
    if (role === undefined) throw new UsageError(`unknown role "${raw.role}" (${model.name} has: ${roleNames})`);
    roles = [role];
  } else if (ONE_PER_DOCUMENT.has(format) && all.length > 1) {
    throw new UsageError(`--format ${format} draws one role: choose one with --role (${model.name} has: ${roleNames})`);
  }
  if (raw.out !== undefined) assertWritableTarget(raw.out, '--out');
  return { model, roles, single: raw.role !== undefined, format, out: raw.out };
}

/** The text the plan prints or writes. */
export function diagramOutput(plan: DiagramPlan): string {
  const { model, roles, format } = plan;
  if (format === 'json') {
    const entries = roles.map((role) => ({
      model: model.name,
      role: role.name,
      summary: role.summary,
      graph: JSON.parse(renderText(machineOf(role), 'json')) as unknown,
    }));
    return `${JSON.stringify(plan.single ? entries[0] : entries, null, 2)}\n`;
  }
  if (format === 'svg') {
    // One role: its drawing; several: every role's drawing stacked in one SVG, each under its name.
    if (plan.single || roles.length === 1) return renderSvgSync(toDot(machineOf(roles[0]!)));
    return stackSvgs(roles.map((role) => ({ title: `${model.name} — ${role.name}: ${role.summary}`, svg: renderSvgSync(toDot(machineOf(role))) })));
  }
  if (format === 'scxml') return renderText(machineOf(onlyRole(plan)), format);
  // Mermaid or DOT: several diagrams one after the other, each under a comment naming its role.
  const comment = format === 'mermaid' ? '%%' : '//';
  return roles
    .map((role) => {
      const diagram = renderText(machineOf(role), format);
      return roles.length > 1 ? `${comment} ${model.name} role ${role.name}: ${role.summary}\n${diagram}` : diagram;
    })
    .join('\n');
}

function onlyRole(plan: DiagramPlan): RoleChart {
  const [role] = plan.roles;
  if (role === undefined || plan.roles.length > 1) throw new Error(`--format ${plan.format} draws exactly one role`);
  return role;
}

export function runDiagram(plan: DiagramPlan): ExitCode {
  const output = diagramOutput(plan);
  if (plan.out === undefined) process.stdout.write(output);
  else writeFileAtomically(plan.out, output);
  return EXIT.pass;
}

/**
 * The worker that renders SVG: Graphviz in WebAssembly only has an asynchronous API, and the
 * command line is synchronous, so it runs in a worker thread while this thread waits on a shared
 * flag; the result comes back through a message port read synchronously.
 */
const SVG_WORKER = `
import('node:worker_threads').then(({ workerData }) => {
  const { dot, svgModule, flag, port } = workerData;
  return import(svgModule)
    .then((svg) => svg.renderSvg(dot))
    .then((text) => port.postMessage({ svg: text }), (error) => port.postMessage({ error: String((error && error.message) || error) }))
    .finally(() => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    });
});
`;

const SVG_TIMEOUT_MS = 60_000;

/** Render DOT as SVG synchronously (see {@link SVG_WORKER}). */
export function renderSvgSync(dot: string): string {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const svgModule = new URL('../machines/export/svg.js', import.meta.url).href;
  // Only dynamic imports, so that the code runs as CommonJS or as a module (`--input-type=module`).
  const worker = new Worker(SVG_WORKER, { eval: true, workerData: { dot, svgModule, flag, port: port2 }, transferList: [port2] });
  try {
    if (Atomics.wait(flag, 0, 0, SVG_TIMEOUT_MS) === 'timed-out') throw new Error(`SVG rendering took over ${SVG_TIMEOUT_MS / 1000} s`);
    const reply = receiveMessageOnPort(port1)?.message as { svg?: string; error?: string } | undefined;
    if (reply?.svg === undefined) throw new Error(`SVG rendering failed: ${reply?.error ?? 'no reply from the renderer'}`);
    return reply.svg;
  } finally {
    port1.close();
    void worker.terminate();
  }
}
