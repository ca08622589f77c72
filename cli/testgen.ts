/**
 * `clusterspec testgen <model> --out <dir>`: write a vitest suite for a model: one test per path
 * of each role's chart (shortest paths to every state and simple paths, from `xstate/graph`),
 * driving the role's implementation and checking its state and context at every step; and one test
 * per stored counterexample of the model (`traces/corpus/`), replayed with its bug on (it must
 * break its invariant) and off (it must not).
 *
 * Each role's paths are stored compactly ({@link ChartPathTable}: distinct events, state values and
 * context fields once, the paths as a prefix tree), at most `--max-paths` per role (default
 * {@link DEFAULT_MAX_PATHS}; a note is printed when paths are left out).
 *
 * The files are `<role>.clusterspec.test.mjs` and `counterexamples.clusterspec.test.mjs`: plain
 * JavaScript that imports vitest and this installation of clusterspec, so `npx vitest run <dir>`
 * runs them. The directory is written atomically: into a temporary sibling, then renamed.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelDefinition } from '../checker/index.js';
import { ROLE_CASES } from '../protocols/role-samples.js';
import { pathInputs, roleTestModel } from '../protocols/role-test-model.js';
import { CORPUS_DIR, corpusFile } from '../traces/corpus.js';
import type { ChartPathTable } from '../traces/testgen-runtime.js';
import { EXIT, UsageError, type ExitCode } from './errors.js';
import { parseCount } from './options.js';

export interface TestgenPlan {
  readonly definition: ModelDefinition;
  readonly out: string;
  /** At most this many paths per role (shortest paths first, then simple paths); the rest are left out, with a note. */
  readonly maxPaths: number;
}

/** The default of `--max-paths`: the most chart paths written per role. */
export const DEFAULT_MAX_PATHS = 10_000;

export function buildTestgenPlan(modelName: string, raw: { out?: string; maxPaths?: string }, models: readonly ModelDefinition[]): TestgenPlan {
  const definition = models.find((m) => m.name === modelName);
  if (definition === undefined) throw new UsageError(`unknown model "${modelName}" (known: ${models.map((m) => m.name).join(', ')})`);
  if (!ROLE_CASES.some((c) => c.model === definition.name)) throw new UsageError(`model "${definition.name}" has no role charts to generate tests from`);
  const maxPaths = raw.maxPaths === undefined ? DEFAULT_MAX_PATHS : parseCount('--max-paths', raw.maxPaths, 1);
  if (raw.out === undefined) throw new UsageError('--out <dir> is required');
  const out = path.resolve(raw.out);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).length > 0)) {
    throw new UsageError(`--out ${raw.out} exists and is not an empty directory`);
  }
  if (!fs.existsSync(path.dirname(out))) throw new UsageError(`--out ${raw.out}: directory "${path.dirname(out)}" does not exist`);
  return { definition, out, maxPaths };
}

/** The chart paths of one role, compactly, and how many were left out by `maxPaths`. */
export interface RolePaths {
  readonly table: ChartPathTable;
  readonly leftOut: number;
}

/**
 * The chart paths of every role of the model (shortest paths, then simple paths, each distinct
 * event sequence once per initial context), at most `maxPaths` per role, as {@link ChartPathTable}s.
 */
export function chartPaths(model: string, maxPaths = DEFAULT_MAX_PATHS): RolePaths[] {
  const out: RolePaths[] = [];
  for (const c of ROLE_CASES.filter((x) => x.model === model)) {
    const inputs = pathInputs(c).map((x) => JSON.parse(JSON.stringify(x)) as unknown);
    const events: { type: string }[] = [];
    const eventIndex = new Map<string, number>();
    const values: unknown[] = [];
    const valueIndex = new Map<string, number>();
    const fields: [string, unknown][] = [];
    const fieldIndex = new Map<string, number>();
    const snapshots: ([number, number[]] | [number, null, unknown])[] = [];
    const snapshotIndex = new Map<string, number>();
    const compact = (value: unknown, context: unknown): [number, number[]] | [number, null, unknown] => {
      const v = intern(values, valueIndex, value);
      const plain = typeof context === 'object' && context !== null && !Array.isArray(context) && Object.getPrototypeOf(context) === Object.prototype;
      if (!plain) return [v, null, context === undefined ? null : context];
      const ids: number[] = [];
      for (const [k, x] of Object.entries(JSON.parse(JSON.stringify(context)) as Record<string, unknown>)) ids.push(intern(fields, fieldIndex, [k, x]));
      return [v, ids];
    };
    const nodes: [number, number, number][] = [];
    const child = new Map<string, number>();
    const paths: [0 | 1, number, number][] = [];
    let leftOut = 0;
    const intern = <T>(list: T[], index: Map<string, number>, value: T): number => {
      const key = JSON.stringify(value);
      let i = index.get(key);
      if (i === undefined) {
        i = list.length;
        list.push(JSON.parse(key) as T);
        index.set(key, i);
      }
      return i;
    };
    for (const [i, input] of pathInputs(c).entries()) {
      const testModel = roleTestModel(c, c.implement(new Set()), input);
      const seen = new Set<string>();
      for (const [kind, paths0] of [
        [0, testModel.getShortestPaths({ allowDuplicatePaths: true })],
        [1, testModel.getSimplePaths()],
      ] as const) {
        for (const p of paths0) {
          const steps = p.steps.filter((s) => s.event.type !== 'xstate.init');
          const key = JSON.stringify(steps.map((s) => s.event));
          if (seen.has(key)) continue;
          seen.add(key);
          if (paths.length >= maxPaths) {
            leftOut++;
            continue;
          }
          let node = -1 - i;
          for (const s of steps) {
            const e = intern(events, eventIndex, s.event as { type: string });
            const snap = intern(snapshots, snapshotIndex, compact(s.state.value, s.state.context));
            const k = `${node} ${e}`;
            let next = child.get(k);
            if (next === undefined) {
              next = nodes.length;
              nodes.push([node, e, snap]);
              child.set(k, next);
            } else if (nodes[next]![2] !== snap) {
              throw new Error(`role ${c.role}: the chart reaches two snapshots along the same events (${steps.map((x) => x.event.type).join(' → ')})`);
            }
            node = next;
          }
          paths.push([kind, i, node < 0 ? -1 : node]);
        }
      }
    }
    out.push({ table: { role: c.role, inputs, events, values, fields, snapshots, nodes, paths }, leftOut });
  }
  return out;
}

export function runTestgen(plan: TestgenPlan): ExitCode {
  const { definition, out } = plan;
  const runtime = new URL('../traces/testgen-runtime.js', import.meta.url).href;
  const files = new Map<string, string>();
  const roles = chartPaths(definition.name, plan.maxPaths);
  for (const { table, leftOut } of roles) {
    files.set(
      `${table.role}.clusterspec.test.mjs`,
      `// Generated by \`clusterspec testgen ${definition.name}\`: the paths of role ${table.role}'s statechart (xstate/graph),
// each driving the role's implementation and checking its state and context at every step.
// The paths are stored as a prefix tree over distinct events and snapshots (see ChartPathTable).${leftOut > 0 ? `\n// ${leftOut} more paths were left out by --max-paths ${plan.maxPaths}.` : ''}
import { describe, it } from 'vitest';
import { chartPathSuite } from ${JSON.stringify(runtime)};

const TABLE = ${JSON.stringify(table)};

describe(${JSON.stringify(`${definition.name} ${table.role}: chart paths drive the implementation`)}, () => {
  const suite = chartPathSuite(${JSON.stringify(definition.name)}, TABLE);
  suite.descriptions.forEach((description, i) => it(description, () => suite.check(i)));
});
`,
    );
  }
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const traces = definition.bugs.map((b) => ({ bug: b.id, text: fs.readFileSync(path.join(repo, CORPUS_DIR, corpusFile(definition.name, b.id)), 'utf8') }));
  files.set(
    'counterexamples.clusterspec.test.mjs',
    `// Generated by \`clusterspec testgen ${definition.name}\`: every seeded bug's stored counterexample, replayed.
import { describe, it } from 'vitest';
import { replayStoredTrace } from ${JSON.stringify(runtime)};

const TRACES = ${JSON.stringify(traces)};

describe(${JSON.stringify(`${definition.name}: stored counterexamples`)}, () => {
  for (const { bug, text } of TRACES) {
    it(bug + ': reproduced with the bug on, breaking its invariant', () => replayStoredTrace(text, true));
    it(bug + ': not a violation with the bug off', () => replayStoredTrace(text, false));
  }
});
`,
  );
  const temporary = `${out}.tmp-${process.pid}`;
  fs.rmSync(temporary, { recursive: true, force: true });
  fs.mkdirSync(temporary);
  for (const [name, text] of files) fs.writeFileSync(path.join(temporary, name), text);
  if (fs.existsSync(out)) fs.rmdirSync(out);
  fs.renameSync(temporary, out);
  const pathCount = roles.reduce((n, r) => n + r.table.paths.length, 0);
  process.stdout.write(`wrote ${files.size} test files (${pathCount} chart paths, ${traces.length * 2} counterexample tests) to ${out}\n`);
  for (const { table, leftOut } of roles) {
    if (leftOut > 0) process.stdout.write(`note: role ${table.role}: ${leftOut} of ${leftOut + table.paths.length} chart paths left out (--max-paths ${plan.maxPaths})\n`);
  }
  return EXIT.pass;
}
