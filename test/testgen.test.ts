/**
 * `clusterspec testgen`: the suite it writes for the vector clock runs green with
 * `npx vitest run <dir>`, fails when a stored counterexample no longer holds, and bad input exits 2.
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
  beforeAll(() => {
    fs.rmSync(out, { recursive: true, force: true });
  });
  afterAll(() => {
    fs.rmSync(out, { recursive: true, force: true });
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
    const run = vitest(path.relative(process.cwd(), out));
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

  it('bad input exits 2 and writes nothing', () => {
    expect(cli('testgen', 'paxos', '--out', `${out}-x`)).toMatchObject({ status: 2 });
    expect(cli('testgen', 'vector-clock').stderr).toMatch(/--out <dir> is required/);
    const busy = cli('testgen', 'vector-clock', '--out', out);
    expect(busy.status).toBe(2);
    expect(busy.stderr).toMatch(/exists and is not an empty directory/);
    expect(fs.existsSync(`${out}-x`)).toBe(false);
  });
});
