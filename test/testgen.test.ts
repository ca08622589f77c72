/**
 * `clusterspec testgen`: the suite it writes for the vector clock runs green with
 * `npx vitest run <dir>`, fails when a stored counterexample no longer holds or the implementation
 * leaves the chart; the suite for two-phase-commit (the largest charts) is small and quick;
 * `--max-paths` bounds the paths with a note; and bad input exits 2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = path.resolve('dist/cli/main.js');
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
// Inside the repository, so that its vitest installation and config are found.
const out = path.resolve(`.testgen-${process.pid}`);
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
const vitest = (target: string) => spawnSync(NPX, ['vitest', 'run', target], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });

describe('clusterspec testgen', () => {
  const others = ['tpc', 'few', 'x', 'y'].map((s) => `${out}-${s}`);
  beforeAll(() => {
    for (const d of [out, ...others]) fs.rmSync(d, { recursive: true, force: true });
  });
  afterAll(() => {
    for (const d of [out, ...others]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('writes a suite for the vector clock that runs green with npx vitest run <dir>', () => {
    const r = cli('testgen', 'vector-clock', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual([
      'client.clusterspec.test.mjs',
      'config.clusterspec.test.mjs',
      'counterexamples.clusterspec.test.mjs',
      'router.clusterspec.test.mjs',
      'shard.clusterspec.test.mjs',
    ]);
    const run = vitest(`${path.relative(process.cwd(), out)}/`);
    expect(run.status, run.stdout.slice(-2000)).toBe(0);
    const summary = /(\d+) passed, (\d+) failed/.exec(run.stdout);
    expect(Number(summary?.[1])).toBeGreaterThan(100);
    expect(summary?.[2]).toBe('0');
  }, 120_000);

  it('the written suite fails when a stored counterexample no longer holds', () => {
    const file = path.join(out, 'counterexamples.clusterspec.test.mjs');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/\\"invariant\\": \\"VC-ROUTER-NO-TICK\\"/, '\\"invariant\\": \\"VC-ORDER\\"'));
    const run = vitest(path.relative(process.cwd(), file));
    expect(run.status).toBe(1);
    const output = (run.stdout + run.stderr).replace(/\u001b\[[0-9;]*m/g, '');
    expect(output).toContain('the last step breaks VC-ROUTER-NO-TICK, not VC-ORDER');
    expect(output).toMatch(/9 passed, 1 failed/);
  }, 120_000);

  it('the suite for two-phase-commit is small, checks thousands of paths, and runs green quickly', () => {
    const dir = `${out}-tpc`;
    const r = cli('testgen', 'two-phase-commit', '--out', dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/left out/);
    const sizes = fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).size);
    // Before the paths were stored as a prefix tree over distinct snapshots, shard's file was 22 MB.
    for (const size of sizes) expect(size).toBeLessThan(1_000_000);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(2_000_000);
    const started = Date.now();
    const run = vitest(`${path.relative(process.cwd(), dir)}/`);
    expect(run.status, run.stdout.slice(-2000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(25_000);
    const summary = /(\d+) passed, (\d+) failed/.exec(run.stdout);
    expect(Number(summary?.[1])).toBeGreaterThan(2000);
    expect(summary?.[2]).toBe('0');
  }, 30_000);

  it('--max-paths bounds the paths per role, says how many were left out, and a chart the implementation leaves fails', () => {
    const dir = `${out}-few`;
    const r = cli('testgen', 'two-phase', '--out', dir, '--max-paths', '5');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote 3 test files \(10 chart paths, 6 counterexample tests\)/);
    expect(r.stdout).toMatch(/note: role rm: \d+ of \d+ chart paths left out \(--max-paths 5\)/);
    expect(r.stdout).toMatch(/note: role tm: \d+ of \d+ chart paths left out \(--max-paths 5\)/);
    const file = path.join(dir, 'rm.clusterspec.test.mjs');
    expect(fs.readFileSync(file, 'utf8')).toMatch(/more paths were left out by --max-paths 5/);
    expect(vitest(`${path.relative(process.cwd(), dir)}/`).status).toBe(0);
    // Every step is checked: change a state value the chart expects and the paths through it fail.
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"values":\["[^"]*"/, '"values":["bogus"'));
    const run = vitest(path.relative(process.cwd(), file));
    expect(run.status).toBe(1);
    expect((run.stdout + run.stderr).replace(/\u001b\[[0-9;]*m/g, '')).toMatch(/step \d+ \(\w+\): the implementation is in "\w+", the chart says "bogus"/);
  }, 30_000);

  it('bad input exits 2 and writes nothing', () => {
    for (const bad of ['0', 'many']) {
      const r = cli('testgen', 'two-phase', '--out', `${out}-y`, '--max-paths', bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--max-paths must be a positive integer/);
    }
    expect(fs.existsSync(`${out}-y`)).toBe(false);
    expect(cli('testgen', 'paxos', '--out', `${out}-x`)).toMatchObject({ status: 2 });
    expect(cli('testgen', 'vector-clock').stderr).toMatch(/--out <dir> is required/);
    const busy = cli('testgen', 'vector-clock', '--out', out);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(/exists and is not an empty directory/);
    expect(fs.existsSync(`${out}-x`)).toBe(false);
  });
});
