/**
 * `clusterspec diagram` end to end: the built CLI (`dist/`, so run `tsc` first; `npm test` does).
 * Most cases run the CLI's `run()` against a made-up registry of models with and without roles, all
 * in one child process (one `run()` per command line, its stdout and stderr captured apart); a few
 * spawn `dist/cli/main.js` on the real registry.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');
const PROGRAM = pathToFileURL(path.join(ROOT, 'dist', 'cli', 'program.js')).href;

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Models with two roles, one role, no roles, and a role whose "machine" is not one. */
const FAKE_MODELS = `
import { setup } from 'xstate';
const machine = (id) => setup({ guards: { ok: () => true }, actions: { note: () => {} } }).createMachine({
  id, initial: 'a', states: { a: { on: { GO: { target: 'b', guard: 'ok', actions: 'note' } } }, b: { type: 'final' } },
});
const base = { summary: 'a model', sizeParams: {}, sizes: { default: {}, large: {} }, invariants: [], bugs: [], build: () => { throw new Error('not built'); } };
const models = [
  { ...base, name: 'duo', roles: [{ name: 'left', summary: 'the left role', machine: machine('left') }, { name: 'right', summary: 'the right role', machine: machine('right') }] },
  { ...base, name: 'solo', roles: [{ name: 'only', summary: 'the only role', machine: machine('only') }] },
  { ...base, name: 'bare' },
  { ...base, name: 'broken', roles: [{ name: 'x', summary: 'not a machine', machine: {} }] },
];
`;

/** Run `clusterspec diagram ...args` for each command line, in order, in one child process. */
function diagramRuns(commandLines: readonly (readonly string[])[]): Run[] {
  const code = `import { run } from ${JSON.stringify(PROGRAM)};
${FAKE_MODELS}
const results = [];
for (const args of ${JSON.stringify(commandLines)}) {
  const result = { status: null, stdout: '', stderr: '' };
  const stdoutWrite = process.stdout.write, stderrWrite = process.stderr.write;
  process.stdout.write = (chunk) => { result.stdout += chunk; return true; };
  process.stderr.write = (chunk) => { result.stderr += chunk; return true; };
  try { result.status = run(['diagram', ...args], models); } finally { process.stdout.write = stdoutWrite; process.stderr.write = stderrWrite; }
  results.push(result);
}
process.stdout.write(JSON.stringify(results));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`the child process failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run[];
}

let tmp: string;
const runs = new Map<string, Run>();
/** The result of `clusterspec diagram ...args` (run in {@link beforeAll}). */
const diagram = (...args: string[]): Run => {
  const r = runs.get(JSON.stringify(args));
  if (r === undefined) throw new Error(`not run: ${args.join(' ')}`);
  return r;
};

const out = (name: string): string => path.join(tmp, name);

// The command lines, with their --out files under `tmp` (created in beforeAll).
const OK = {
  mermaid: ['duo'],
  oneDot: ['duo', '--role', 'right', '--format', 'dot'],
  dot: ['duo', '--format', 'dot'],
  json: ['duo', '--format', 'json'],
  oneJson: ['duo', '--format', 'json', '--role', 'left'],
  svg: ['solo', '--format', 'svg', '--out', 'out/only.svg'],
  scxml: ['duo', '--role', 'right', '--format', 'scxml', '--out', 'out/right.scxml'],
};
const BAD: readonly [string, readonly string[], string][] = [
  ['an unknown model', ['nope'], 'unknown model "nope" (known: duo, solo, bare, broken)'],
  ['a model without roles', ['bare'], 'model "bare" has no role statecharts to draw (models with roles: duo, solo, broken)'],
  ['an unknown role', ['duo', '--role', 'middle'], 'unknown role "middle" (duo has: left, right)'],
  ['an unknown format', ['duo', '--format', 'png'], 'unknown format "png" (expected one of: mermaid, dot, svg, scxml, json)'],
  ['scxml of several roles', ['duo', '--format', 'scxml'], '--format scxml draws one role: choose one with --role (duo has: left, right)'],
  ['no model', [], "missing required argument 'model'"],
];
const withOut = (args: readonly string[], file: string): string[] => [...args, '--out', file];
const MISSING_DIR = ['duo', '--out', 'missing/x.mmd'];
const BROKEN = ['broken', '--out', 'broken.mmd'];

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterspec-diagram-'));
  fs.mkdirSync(out('out'));
  const resolveOut = (args: readonly string[]): string[] => args.map((a, i) => (args[i - 1] === '--out' ? out(a) : a));
  const lines = [...Object.values(OK), ...BAD.map(([name, args]) => withOut(args, `never-${name}.txt`)), MISSING_DIR, BROKEN];
  const results = diagramRuns(lines.map(resolveOut));
  lines.forEach((args, i) => runs.set(JSON.stringify(args), results[i] ?? { status: null, stdout: '', stderr: 'no result' }));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('clusterspec diagram', () => {
  it('prints every role in Mermaid by default, each under a comment naming it', () => {
    const r = diagram(...OK.mermaid);
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^%% duo role left: the left role\nstateDiagram-v2\n[\s\S]*\n\n%% duo role right: the right role\nstateDiagram-v2\n/);
    expect(r.stdout).toContain('left_a --> left_b : GO [ok] / note\n');
  });

  it('prints one role, bare, with --role', () => {
    const r = diagram(...OK.oneDot);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('digraph "right" {\n')).toBe(true);
    expect(r.stdout).toContain('"right_a" -> "right_b" [label=" GO [ok] / note "];');
    expect(r.stdout).not.toContain('left');
  });

  it('prints DOT graphs one after the other', () => {
    const r = diagram(...OK.dot);
    expect(r.status).toBe(0);
    expect(r.stdout.match(/^digraph /gm)).toHaveLength(2);
    expect(r.stdout).toContain('// duo role right: the right role\ndigraph "right" {');
  });

  it('prints JSON: an array of every role, or one object with --role', () => {
    const all = JSON.parse(diagram(...OK.json).stdout);
    expect(all.map((d: { role: string }) => d.role)).toEqual(['left', 'right']);
    const one = JSON.parse(diagram(...OK.oneJson).stdout);
    expect(one).toMatchObject({ model: 'duo', role: 'left', summary: 'the left role', graph: { id: 'left', type: 'compound' } });
    expect(one.graph.children[0].edges[0]).toMatchObject({ source: 'left.a', target: 'left.b', label: 'GO [ok] / note' });
  });

  it('writes SVG and SCXML atomically to --out; a model with one role needs no --role', () => {
    expect(diagram(...OK.svg)).toEqual({ status: 0, stdout: '', stderr: '' });
    const svg = fs.readFileSync(out('out/only.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('</svg>');
    expect(diagram(...OK.scxml)).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(out('out/right.scxml'), 'utf8')).toContain('<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0"');
    // No temporary file is left behind.
    expect(fs.readdirSync(out('out')).sort()).toEqual(['only.svg', 'right.scxml']);
  });

  it('draws the registered models from the command line, SVG included', () => {
    const svg = out('rm.svg');
    const r = spawnSync(process.execPath, [MAIN, 'diagram', 'two-phase', '--role', 'rm', '--format', 'svg', '--out', svg], { cwd: ROOT, encoding: 'utf8' });
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(svg, 'utf8')).toContain('</svg>');
  });

  it('draws every role of a model in one SVG without --role, each under its name', () => {
    const svg = out('vector-clock.svg');
    const r = spawnSync(process.execPath, [MAIN, 'diagram', 'vector-clock', '--format', 'svg', '--out', svg], { cwd: ROOT, encoding: 'utf8' });
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const text = fs.readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<\?xml/);
    for (const role of ['client', 'router', 'shard', 'config']) expect(text).toContain(`vector-clock — ${role}:`);
    // Four nested drawings, each a whole Graphviz SVG, inside one document.
    expect(text.match(/<svg\b/g)).toHaveLength(5);
    expect(text.trimEnd().endsWith('</svg>')).toBe(true);
  });
});

describe('clusterspec diagram: bad input exits 2 with one line and writes nothing', () => {
  it.each(BAD)('%s', (name, args, message) => {
    expect(diagram(...withOut(args, `never-${name}.txt`))).toEqual({ status: 2, stdout: '', stderr: `clusterspec: ${message}\n` });
    expect(fs.existsSync(out(`never-${name}.txt`))).toBe(false);
  });

  it('an --out in a missing directory', () => {
    const file = out('missing/x.mmd');
    expect(diagram(...MISSING_DIR)).toEqual({ status: 2, stdout: '', stderr: `clusterspec: --out ${file}: directory "${path.dirname(file)}" does not exist\n` });
  });

  it('from the command line', () => {
    const r = spawnSync(process.execPath, [MAIN, 'diagram', 'two-phase', '--role', 'nope', '--out', out('nope.mmd')], { cwd: ROOT, encoding: 'utf8' });
    expect(r).toMatchObject({ status: 2, stdout: '', stderr: 'clusterspec: unknown role "nope" (two-phase has: rm, tm)\n' });
    expect(fs.existsSync(out('nope.mmd'))).toBe(false);
  });

  it('a role that is not a statechart is an error (exit 4), and nothing is written', () => {
    expect(diagram(...BROKEN)).toEqual({ status: 4, stdout: '', stderr: 'clusterspec: error: the statechart of role "x" is not an XState v5 machine\n' });
    expect(fs.existsSync(out('broken.mmd'))).toBe(false);
  });
});
