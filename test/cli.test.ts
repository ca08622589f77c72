/**
 * End-to-end tests of the `clusterspec` command: they spawn the built CLI (`dist/cli/main.js`), so
 * run `tsc` first (`npm test` does).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry } from '../protocols/registry.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'cli', 'main.js');

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run the CLI's `run()` in a child process against a made-up registry (see {@link FAKE_MODELS}). */
function cliWithModels(...args: string[]): Run {
  const program = pathToImport(path.join(ROOT, 'dist', 'cli', 'program.js'));
  const code = `import { run } from ${JSON.stringify(program)};\n${FAKE_MODELS}\nprocess.exitCode = run(${JSON.stringify(args)}, models);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const pathToImport = (file: string): string => new URL(`file://${file}`).href;

/**
 * Two counters and a broken model, to test what one registered model cannot: several models with
 * different size parameters and bugs, and an error inside a model.
 */
const FAKE_MODELS = `
const counter = (name, param, bug) => ({
  name, summary: 'a counter', sizeParams: { [param]: { description: 'limit', min: 1, max: 10 } },
  sizes: { default: { [param]: 3 }, large: { [param]: 9 } },
  invariants: [{ id: 'Small', description: 'n stays below 5' }],
  bugs: [{ id: bug, breaks: 'Small', description: 'counts too far' }],
  build: (size, bugs) => {
    const limit = bugs.has(bug) ? 8 : size[param];
    const inc = { kind: 'Inc' };
    return {
      init: () => [{ n: 0 }],
      actions: (s, out) => { out.push(inc); },
      next: (s) => (s.n < limit ? { n: s.n + 1 } : undefined),
      actionKinds: ['Inc', 'Never'],
      invariants: [{ id: 'Small', description: '', holds: (s) => s.n < 5 }],
      stepInvariants: [],
      describe: (a) => a.kind,
      view: (s) => ({ n: s.n }),
    };
  },
});
const broken = { ...counter('broken', 'k', 'none'), build: () => { throw new Error('model exploded'); } };
const models = [counter('alpha', 'a', 'alpha-bug'), counter('beta', 'b', 'beta-bug')];
if (process.env.WITH_BROKEN) models.push(broken);
`;

/** Parse stdout as JSON; the whole of stdout must be JSON. */
const json = (r: Run): any => JSON.parse(r.stdout);

/** The timing fields of a check report, which differ from run to run. */
const withoutTiming = ({ seconds, statesPerSecond, peakRssBytes, ...rest }: Record<string, unknown>) => rest;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterspec-cli-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('clusterspec list', () => {
  it('--json gives every model with sizes, invariants and bugs', () => {
    const r = cli('list', '--json');
    expect(r.status).toBe(0);
    const models = json(r);
    expect(Array.isArray(models)).toBe(true);
    const twoPhase = models.find((m: { name: string }) => m.name === 'two-phase');
    expect(Object.keys(twoPhase)).toEqual(['name', 'summary', 'sizes', 'invariants', 'bugs']);
    expect(twoPhase.summary).toEqual(expect.any(String));
    expect(twoPhase.sizes).toEqual({ default: { rm: 3 }, large: { rm: 8 } });
    expect(twoPhase.invariants.map((i: { id: string }) => i.id)).toEqual(['TypeOK', 'TCConsistent']);
    for (const i of twoPhase.invariants) expect(Object.keys(i)).toEqual(['id', 'description']);
    expect(twoPhase.bugs).toContainEqual({
      id: 'tm-commit-without-all-votes',
      breaks: 'TCConsistent',
      description: expect.any(String),
    });
    for (const b of twoPhase.bugs) expect(Object.keys(b)).toEqual(['id', 'breaks', 'description']);
  });

  it('prints readable text without --json', () => {
    const r = cli('list');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('two-phase');
    expect(r.stdout).toContain('TCConsistent');
    expect(r.stdout).toContain('tm-commit-without-all-votes');
    expect(r.stdout).toContain('1..16');
  });
});

describe('clusterspec check --json', () => {
  it('passes two-phase with 288 distinct states', () => {
    const r = cli('check', 'two-phase', '--json');
    expect(r.status).toBe(0);
    const report = json(r);
    expect(Object.keys(report)).toEqual([
      'model', 'size', 'bugs', 'strategy', 'seed', 'result', 'incompleteReason', 'distinctStates',
      'transitions', 'depth', 'seconds', 'statesPerSecond', 'peakRssBytes', 'collisionProbability',
      'coverage', 'neverFired', 'violation',
    ]);
    expect(report).toMatchObject({
      model: 'two-phase',
      size: { rm: 3 },
      bugs: [],
      strategy: 'bfs',
      seed: 0,
      result: 'pass',
      incompleteReason: null,
      distinctStates: 288,
      neverFired: [],
      violation: null,
    });
    expect(Object.keys(report.coverage)).toEqual([
      'TMRcvPrepared', 'TMCommit', 'TMAbort', 'RMPrepare', 'RMChooseToAbort', 'RMRcvCommitMsg', 'RMRcvAbortMsg',
    ]);
    for (const n of Object.values(report.coverage)) expect(n).toBeGreaterThan(0);
    expect(report.transitions).toBeGreaterThan(288);
    expect(report.peakRssBytes).toBeGreaterThan(0);
  });

  it('applies --size', () => {
    const r = cli('check', 'two-phase', '--size', 'rm=4', '--json');
    expect(r.status).toBe(0);
    expect(json(r)).toMatchObject({ size: { rm: 4 }, result: 'pass', distinctStates: 1568 });
  });

  it('--size overrides --large', () => {
    const r = cli('check', 'two-phase', '--large', '--size', 'rm=2', '--json');
    expect(r.status).toBe(0);
    expect(json(r).size).toEqual({ rm: 2 });
  });

  it('finds the seeded bug: exit 1, TCConsistent, 5 steps', () => {
    const r = cli('check', 'two-phase', '--bug', 'tm-commit-without-all-votes', '--json');
    expect(r.status).toBe(1);
    expect(json(r)).toMatchObject({
      bugs: ['tm-commit-without-all-votes'],
      result: 'violation',
      incompleteReason: null,
      violation: { invariant: 'TCConsistent', kind: 'state', traceLength: 5 },
    });
  });

  it('--max-states makes the search incomplete: exit 3', () => {
    const r = cli('check', 'two-phase', '--max-states', '10', '--json');
    expect(r.status).toBe(3);
    expect(json(r)).toMatchObject({ result: 'incomplete', incompleteReason: 'max-states', violation: null });
  });

  it('--max-depth makes the search incomplete: exit 3', () => {
    const r = cli('check', 'two-phase', '--max-depth', '2', '--json');
    expect(r.status).toBe(3);
    expect(json(r)).toMatchObject({ result: 'incomplete', incompleteReason: 'max-depth' });
  });

  it('accepts --strategy dfs and --time-limit', () => {
    const r = cli('check', 'two-phase', '--strategy', 'dfs', '--time-limit', '5m', '--json');
    expect(r.status).toBe(0);
    expect(json(r)).toMatchObject({ strategy: 'dfs', result: 'pass', distinctStates: 288 });
  });

  it('--all gives an array, one report per registered model in registry order', () => {
    // Bounded so that the test stays fast however many models are registered: each search stops
    // at the limit (incomplete, exit 3) unless its space is smaller than that.
    const r = cli('check', '--all', '--max-states', '200', '--json');
    expect([0, 3]).toContain(r.status);
    const reports = json(r);
    expect(Array.isArray(reports)).toBe(true);
    expect(reports.map((x: { model: string }) => x.model)).toEqual(registry.map((m) => m.name));
  });

  it('--strategy random is deterministic for a seed (apart from timing)', () => {
    const args = ['check', 'two-phase', '--strategy', 'random', '--seed', '1', '--walks', '200', '--json'];
    const a = cli(...args);
    const b = cli(...args);
    expect(a.status).toBe(3); // a simulation never proves anything
    expect(b.status).toBe(3);
    const ra = json(a);
    expect(ra).toMatchObject({ strategy: 'random', seed: 1, result: 'incomplete', incompleteReason: 'simulation' });
    expect(withoutTiming(ra)).toEqual(withoutTiming(json(b)));
  });

  it('random with the default number of walks is deterministic too', () => {
    const a = json(cli('check', 'two-phase', '--strategy', 'random', '--seed', '1', '--json'));
    const b = json(cli('check', 'two-phase', '--strategy', 'random', '--seed', '1', '--json'));
    expect(withoutTiming(a)).toEqual(withoutTiming(b));
  });

  it('keeps stdout pure JSON and progress off stdout', () => {
    const r = cli('check', 'two-phase', '--bug', 'rm-abort-after-prepare', '--json', '--trace-out', path.join(tmp, 'pure.json'));
    expect(r.status).toBe(1);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
    expect(r.stdout.trim().startsWith('{')).toBe(true);
  });
});

describe('clusterspec check --trace-out', () => {
  it('writes the counterexample atomically: 6 steps', () => {
    const file = path.join(tmp, 'cex.json');
    const r = cli('check', 'two-phase', '--bug', 'tm-commit-without-all-votes', '--trace-out', file, '--quiet');
    expect(r.status).toBe(1);
    const trace = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(trace).toMatchObject({
      formatVersion: 1,
      model: 'two-phase',
      size: { rm: 3 },
      bugs: ['tm-commit-without-all-votes'],
      strategy: 'bfs',
      seed: 0,
      invariant: 'TCConsistent',
      kind: 'state',
    });
    expect(trace.steps).toHaveLength(6);
    expect(trace.steps[0]).toMatchObject({ index: 0, action: null });
    expect(trace.steps[0].view).toHaveProperty('tm');
    trace.steps.slice(1).forEach((step: { index: number; action: unknown }, i: number) => {
      expect(step.index).toBe(i + 1);
      expect(step.action).toEqual(expect.any(String));
    });
    expect(trace.steps[3].action).toBe('TMCommit');
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('does not create the file when there is no violation', () => {
    const file = path.join(tmp, 'none.json');
    const r = cli('check', 'two-phase', '--trace-out', file, '--json');
    expect(r.status).toBe(0);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('--all writes an array of the violating models', () => {
    const file = path.join(tmp, 'all.json');
    // Bounded like the other --all test, so that it stays fast as models are added.
    const r = cli('check', '--all', '--bug', 'tm-commit-without-all-votes', '--max-states', '2000', '--trace-out', file, '--json');
    expect(r.status).toBe(1);
    const traces = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(Array.isArray(traces)).toBe(true);
    expect(traces.map((t: { model: string }) => t.model)).toEqual(['two-phase']);
  });
});

describe('clusterspec check (human output)', () => {
  it('summarises a pass', () => {
    const r = cli('check', 'two-phase');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('PASS');
    expect(r.stdout).toMatch(/distinct states\s+288/);
    for (const label of ['transitions', 'depth', 'states/s', 'peak RSS', 'MiB', 'collision', 'TMRcvPrepared']) {
      expect(r.stdout).toContain(label);
    }
    expect(r.stdout).not.toContain('never fired');
  });

  it('prints the counterexample step by step with only the changed view keys', () => {
    const r = cli('check', 'two-phase', '--bug', 'tm-commit-without-all-votes');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('VIOLATION of TCConsistent');
    const steps = r.stdout.split('\n').filter((l) => /^\s+step \d+:/.test(l));
    expect(steps).toHaveLength(6);
    expect(steps[1]).toContain('RMPrepare(r1)');
    // Step 0 shows every role; step 1 only what RMPrepare(r1) changed.
    const block = (n: number) => r.stdout.split(/^\s+step \d+:.*$/m)[n + 1]!;
    expect(block(0)).toMatch(/r3/);
    expect(block(1)).toMatch(/r1\s+"prepared"/);
    expect(block(1)).not.toMatch(/r3/);
  });

  it('warns about actions that never fired', () => {
    const r = cli('check', 'two-phase', '--max-depth', '2');
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('INCOMPLETE');
    expect(r.stdout).toMatch(/warning: never fired: .*TMCommit/);
  });

  it('a bug caught only at a size of its own: list shows the size, check notes it on stderr when another size is used', () => {
    const listing = JSON.parse(cli('list', '--json').stdout) as { name: string; bugs: { id: string; size?: Record<string, number> }[] }[];
    const bug = listing.find((m) => m.name === 'rollback')!.bugs.find((b) => b.id === 'vote-for-staler-log')!;
    expect(bug.size).toMatchObject({ nodes: 3, arbiters: 0 });
    const atDefault = cli('check', 'rollback', '--bug', 'vote-for-staler-log', '--max-states', '50', '--json');
    expect(atDefault.stderr).toContain('note: rollback bug vote-for-staler-log is caught at size nodes=3');
    expect(() => JSON.parse(atDefault.stdout)).not.toThrow();
    const sizeArgs = Object.entries(bug.size!).flatMap(([k, v]) => ['--size', `${k}=${v}`]);
    const atItsSize = cli('check', 'rollback', '--bug', 'vote-for-staler-log', ...sizeArgs, '--max-states', '50', '--json');
    expect(atItsSize.stderr).not.toContain('note:');
  });

  it('--help and --version exit 0', () => {
    expect(cli('--help').status).toBe(0);
    expect(cli('check', '--help').stdout).toContain('--trace-out');
    const help = cli('help', 'check');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--max-states');
    const v = cli('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('bad input: exit 2, one line on stderr naming the problem, no output file', () => {
  const cases: [string, string[], string][] = [
    ['no command', [], 'missing command'],
    ['unknown command', ['frobnicate'], 'frobnicate'],
    ['help for an unknown command', ['help', 'frobnicate'], 'frobnicate'],
    ['unknown option', ['check', 'two-phase', '--frobnicate'], '--frobnicate'],
    ['unknown option with a suggestion', ['check', 'two-phase', '--jsn'], '--jsn'],
    ['unknown list option', ['list', '--all'], '--all'],
    ['unknown model', ['check', 'no-such-model'], 'unknown model "no-such-model"'],
    ['missing models', ['check'], '--all'],
    ['models and --all', ['check', '--all', 'two-phase'], '--all'],
    ['a model twice', ['check', 'two-phase', 'two-phase'], 'two-phase'],
    ['unknown size key', ['check', 'two-phase', '--size', 'nodes=3'], 'nodes'],
    ['malformed --size', ['check', 'two-phase', '--size', 'rm'], '--size "rm" is malformed'],
    ['malformed --size without key', ['check', 'two-phase', '--size', '=3'], 'malformed'],
    ['size not an integer', ['check', 'two-phase', '--size', 'rm=three'], 'three'],
    ['size a fraction', ['check', 'two-phase', '--size', 'rm=2.5'], '2.5'],
    ['size below range', ['check', 'two-phase', '--size', 'rm=0'], '--size rm=0 is out of range: rm must be between 1 and 16'],
    ['size above range', ['check', 'two-phase', '--size', 'rm=17'], 'rm=17'],
    ['unknown bug', ['check', 'two-phase', '--bug', 'no-such-bug'], 'no-such-bug'],
    ['bad strategy', ['check', 'two-phase', '--strategy', 'astar'], 'astar'],
    ['seed not a number', ['check', 'two-phase', '--seed', 'abc'], '--seed'],
    ['negative seed', ['check', 'two-phase', '--seed', '-1'], '--seed'],
    ['seed too large', ['check', 'two-phase', '--seed', '4294967296'], '--seed'],
    ['--max-states zero', ['check', 'two-phase', '--max-states', '0'], '--max-states'],
    ['--max-states negative', ['check', 'two-phase', '--max-states', '-5'], '--max-states'],
    ['--max-states not a number', ['check', 'two-phase', '--max-states', 'lots'], '--max-states'],
    ['--max-states a fraction', ['check', 'two-phase', '--max-states', '1.5'], '--max-states'],
    ['--max-depth negative', ['check', 'two-phase', '--max-depth', '-1'], '--max-depth'],
    ['--max-depth not a number', ['check', 'two-phase', '--max-depth', 'deep'], '--max-depth'],
    ['--walks zero', ['check', 'two-phase', '--strategy', 'random', '--walks', '0'], '--walks'],
    ['--walks without random', ['check', 'two-phase', '--walks', '10'], '--walks'],
    ['bad duration', ['check', 'two-phase', '--time-limit', '5x'], '5x'],
    ['zero duration', ['check', 'two-phase', '--time-limit', '0s'], '--time-limit'],
    ['negative duration', ['check', 'two-phase', '--time-limit', '-3'], '--time-limit'],
    ['missing option value', ['check', 'two-phase', '--seed'], '--seed'],
  ];

  it.each(cases)('%s', (_name, args, mentions) => {
    const file = path.join(tmp, 'bad-input.json');
    // Every check also asks for a trace file, which must not appear.
    const r = cli(...(args[0] === 'check' ? ['check', '--trace-out', file, ...args.slice(1)] : args));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^clusterspec: /);
    expect(lines[0]).toContain(mentions);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('an unwritable --trace-out target', () => {
    const r = cli('check', 'two-phase', '--bug', 'tm-commit-without-all-votes', '--trace-out', path.join(tmp, 'missing-dir', 'cex.json'));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('missing-dir');
    expect(fs.existsSync(path.join(tmp, 'missing-dir'))).toBe(false);
  });

  it('a --trace-out target that is a directory', () => {
    const r = cli('check', 'two-phase', '--trace-out', tmp);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is a directory');
  });
});

describe('several models (a made-up registry)', () => {
  it('applies a size key to the models that have it, and checks each in order', () => {
    const r = cliWithModels('check', '--all', '--size', 'a=4', '--json');
    expect(r.status).toBe(0);
    const reports = json(r);
    expect(reports.map((x: { model: string; size: object }) => [x.model, x.size])).toEqual([
      ['alpha', { a: 4 }],
      ['beta', { b: 3 }],
    ]);
    expect(reports[0].distinctStates).toBe(5);
    expect(reports[0].neverFired).toEqual(['Never']);
    expect(reports[0].coverage).toEqual({ Inc: 4, Never: 0 });
  });

  it('validates a size against the range of each model that has it', () => {
    const r = cliWithModels('check', 'alpha', 'beta', '--size', 'b=11');
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('clusterspec: --size b=11 is out of range: b must be between 1 and 10 for beta');
  });

  it('rejects a size key that no selected model has', () => {
    const r = cliWithModels('check', 'alpha', '--size', 'b=2');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"b"');
  });

  it('applies a bug to the models that have it; exit 1 and a trace array for the violating ones', () => {
    const file = path.join(tmp, 'several.json');
    const r = cliWithModels('check', 'alpha', 'beta', '--bug', 'beta-bug', '--json', '--trace-out', file);
    expect(r.status).toBe(1);
    const reports = json(r);
    expect(reports.map((x: { bugs: string[]; result: string }) => [x.bugs, x.result])).toEqual([
      [[], 'pass'],
      [['beta-bug'], 'violation'],
    ]);
    expect(reports[1].violation).toEqual({ invariant: 'Small', kind: 'state', traceLength: 5 });
    const traces = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ model: 'beta', invariant: 'Small' });
    expect(traces[0].steps.map((s: { view: { n: number } }) => s.view.n)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('--large starts from the large size', () => {
    const r = cliWithModels('check', 'alpha', '--large', '--json');
    expect(r.status).toBe(1); // the large limit 9 reaches n = 5
    expect(json(r).size).toEqual({ a: 9 });
  });

  it('an error inside a model exits 4 with one line on stderr', () => {
    const code = `import { run } from ${JSON.stringify(pathToImport(path.join(ROOT, 'dist', 'cli', 'program.js')))};\n${FAKE_MODELS}\nprocess.exitCode = run(['check', '--all', '--json'], models);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, WITH_BROKEN: '1' },
    });
    expect(r.status).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('model exploded');
  });
});
