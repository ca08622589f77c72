/**
 * Traces and replay: a counterexample written by `check --trace-out` replays step by step; a
 * tampered step makes replay exit 1 at that step; a truncated, mis-versioned or foreign file, or
 * one naming an unknown model or bug, exits 2.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EJSON } from 'bson';
import { beforeAll, describe, expect, it } from 'vitest';
import { check } from '../checker/check.js';
import { parseTrace, serializeTrace, traceDocument } from '../traces/format.js';
import { replay } from '../traces/replay.js';
import { STEP_HELP, StepSession } from '../traces/step-session.js';
import { VECTOR_CLOCK_BUGS, vectorClock, vectorClockModel } from '../protocols/vector-clock.js';
import { TWO_PHASE_BUGS, twoPhaseModel } from '../protocols/two-phase.js';

const MAIN = path.resolve('dist/cli/main.js');
let tmp = '';
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clusterspec-replay-'));
});

describe('replay of every seeded bug', () => {
  const cases = [
    ...VECTOR_CLOCK_BUGS.map((b) => ({ bug: b, model: vectorClockModel(vectorClock.sizes.default, new Set([b.id])), name: 'vector-clock', size: vectorClock.sizes.default })),
    ...TWO_PHASE_BUGS.map((b) => ({ bug: b, model: twoPhaseModel(3, new Set([b.id])), name: 'two-phase', size: { rm: 3 } })),
  ];
  for (const c of cases) {
    it(`${c.name} ${c.bug.id}: the written trace reads back and replays to ${c.bug.breaks}`, () => {
      const result = check(c.model as never);
      const v = result.violation!;
      const header = { model: c.name, size: c.size, bugs: [c.bug.id], strategy: 'bfs', seed: 0, invariant: v.invariant, kind: v.kind };
      const text = serializeTrace(traceDocument(header, c.model as never, v.steps as never));
      const trace = parseTrace(text);
      expect(serializeTrace(trace)).toBe(text);
      const replayed = replay(c.model as never, trace);
      expect(replayed.ok).toBe(true);
      if (replayed.ok) expect(replayed.brokenInvariant).toBe(c.bug.breaks);
      // Without the bug the same trace is not a run of the model.
      const correct = c.name === 'vector-clock' ? vectorClockModel(c.size) : twoPhaseModel(3);
      const without = replay(correct as never, trace);
      expect(without.ok && without.brokenInvariant === c.bug.breaks).toBe(false);
    });
  }
});

describe('clusterspec replay', () => {
  let file = '';
  beforeAll(() => {
    file = path.join(tmp, 'two-reads.json');
    expect(cli('check', 'vector-clock', '--bug', 'gossip-two-reads', '--trace-out', file).status).toBe(1);
  });

  it('reproduces the violation step by step, printing what changed', () => {
    const r = cli('replay', file);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('step 5: MajorityCommit');
    expect(r.stdout).toContain('config.configTime: "Timestamp(1735689600, 0)" → "Timestamp(1735689600, 1)"');
    expect(r.stdout).toMatch(/reproduced: every step replays, and the last one breaks VC-ORDER\n$/);
  });

  it('--to N stops at step N; --json summarises', () => {
    const r = cli('replay', file, '--to', '3');
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('step 4:');
    expect(r.stdout).toContain('replayed up to step 3 of 7');
    const j = JSON.parse(cli('replay', file, '--json').stdout);
    expect(j).toMatchObject({ model: 'vector-clock', steps: 7, reproduced: true, brokenInvariant: 'VC-ORDER', divergence: null });
  });

  it('--format mermaid draws a sequence diagram: delivered messages as arrows, changes as notes', () => {
    const r = cli('replay', file, '--format', 'mermaid');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines).toContain('  participant router');
    expect(lines).not.toContain('  participant network');
    expect(lines).toContain('  client->>router: 2. removeShard op1');
    expect(lines).toContain('  config->>router: 7. ShardNotFound op1');
    expect(lines).toContain('  Note over config: 5. MajorityCommit');
    expect(r.stdout).toContain('Note right of router: state: "forwarding" → "idle"<br/>configTime: "Timestamp(1735689600, 0)" → "Timestamp(1735689600, 1)"');
    // Nothing Mermaid would read as the end of a statement or an entity code.
    for (const line of lines.slice(1)) expect(line).not.toMatch(/;(?<!#35;)|#(?!35;)/);
    expect(cli('replay', file, '--format', 'png').stderr).toMatch(/unknown format "png" \(expected one of: text, json, mermaid, itf, html\)/);
  });

  it('a tampered step makes it exit 1, naming the step and the difference', () => {
    const trace = EJSON.parse(fs.readFileSync(file, 'utf8'), { relaxed: true }) as { steps: { view: { config: { shards: string[] } } }[] };
    trace.steps[5]!.view.config.shards = ['shard0', 'shard9'];
    const tampered = path.join(tmp, 'tampered.json');
    fs.writeFileSync(tampered, EJSON.stringify(trace as never, undefined, 2, { relaxed: true }));
    const r = cli('replay', tampered);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/DIVERGED at step 5: after "MajorityCommit" the model's state differs from the recorded one — config: shards recorded \["shard0","shard9"\], model \["shard0"\]/);
  });

  it('a step the model cannot take exits 1 at that step', () => {
    const trace = JSON.parse(fs.readFileSync(file, 'utf8')) as { steps: { action: string }[] };
    trace.steps[2]!.action = 'Submit(write shard7)';
    const bad = path.join(tmp, 'bad-step.json');
    fs.writeFileSync(bad, JSON.stringify(trace));
    const r = cli('replay', bad);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('DIVERGED at step 2: step "Submit(write shard7)" is not a step of the model here');
  });

  const badInputs: [string, (text: string) => string, RegExp][] = [
    ['a truncated file', (t) => t.slice(0, Math.floor(t.length / 2)), /not valid \(Extended\) JSON, perhaps truncated/],
    ['a wrong format version', (t) => t.replace('"formatVersion": 1', '"formatVersion": 7'), /has format version 7; this clusterspec reads version 1/],
    ['an unknown model', (t) => t.replace('"model": "vector-clock"', '"model": "paxos"'), /names unknown model "paxos"/],
    ['an unknown bug', (t) => t.replace('"gossip-two-reads"', '"no-such-bug"'), /names unknown bug "no-such-bug" of vector-clock/],
    ['a size out of range', (t) => t.replace('"ops": 2', '"ops": 99'), /size ops=99 is out of range/],
    ['not a trace', () => '[1, 2]', /holds 2 traces/],
  ];
  for (const [what, edit, message] of badInputs) {
    it(`${what} exits 2 with one line naming the problem`, () => {
      const broken = path.join(tmp, `${what.replace(/\W+/g, '-')}.json`);
      fs.writeFileSync(broken, edit(fs.readFileSync(file, 'utf8')));
      const r = cli('replay', broken);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('a missing file exits 2', () => {
    const r = cli('replay', path.join(tmp, 'nope.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot read trace .*nope\.json: ENOENT/);
  });
});

describe('replay --step', () => {
  it('steps through a replayed trace: next, back, jump, one role, the view, help, quit', () => {
    const model = vectorClockModel(vectorClock.sizes.default, new Set(['router-ticks']));
    const v = check(model).violation!;
    const header = { model: 'vector-clock', size: vectorClock.sizes.default, bugs: ['router-ticks'], strategy: 'bfs', seed: 0, invariant: v.invariant, kind: v.kind };
    const result = replay(model, parseTrace(serializeTrace(traceDocument(header, model, v.steps))));
    const session = new StepSession(result.steps);
    expect(session.current()).toMatch(/^step 0\/2: \(initial state\)\n {2}client/);
    expect(session.command('').text).toMatch(/^step 1\/2: Submit\(write shard0\)\n {2}client\.state: "idle" → "waiting"/);
    expect(session.command('n').text).toContain('router.clusterTime: "Timestamp(1735689600, 0)" → "Timestamp(1735689600, 1)"');
    expect(session.command('n').text).toBe('already at the last step');
    expect(session.command('b').text).toMatch(/^step 1\/2/);
    expect(session.command('j 0').text).toMatch(/^step 0\/2/);
    expect(session.command('b').text).toBe('already at the initial state');
    expect(session.command('2').text).toMatch(/^step 2\/2/);
    expect(session.command('j 9').text).toBe('no step "9" (0 to 2)');
    expect(session.command('r router').text).toMatch(/^router at step 2: \{"state":"forwarding"/);
    expect(session.command('r mongos').text).toMatch(/^no role "mongos" \(roles: client, router, config, shard0, shard1, network\)/);
    expect(session.command('v').text.split('\n')).toHaveLength(6);
    expect(session.command('h').text).toBe(STEP_HELP);
    expect(session.command('x').text).toMatch(/^unknown command "x"/);
    expect(session.command('q')).toEqual({ text: '', quit: true });
    expect(session.position).toBe(2);
  });

  it('without a terminal, prints every step', () => {
    const file = path.join(tmp, 'step.json');
    expect(cli('check', 'vector-clock', '--bug', 'router-ticks', '--trace-out', file).status).toBe(1);
    const r = cli('replay', file, '--step');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('step 2: Deliver(write#op1 client→router)');
    expect(r.stdout).toMatch(/reproduced: every step replays, and the last one breaks VC-ROUTER-NO-TICK\n$/);
    expect(cli('replay', file, '--step', '--format', 'json').status).toBe(2);
  });
});

describe('ITF', () => {
  it('encodes values as the Informal Trace Format says', async () => {
    const { toItf } = await import('../traces/itf.js');
    const { Timestamp } = await import('bson');
    expect(toItf(3)).toEqual({ '#bigint': '3' });
    expect(toItf(1.5)).toEqual({ '#unserializable': '1.5' });
    expect(toItf(null)).toEqual({ '#unserializable': 'null' });
    expect(toItf(['a', true])).toEqual(['a', true]);
    expect(toItf(new Set([1, 2]))).toEqual({ '#set': [{ '#bigint': '1' }, { '#bigint': '2' }] });
    expect(toItf(new Map([['k', 1]]))).toEqual({ '#map': [['k', { '#bigint': '1' }]] });
    expect(toItf(new Timestamp({ t: 1735689600, i: 3 }))).toEqual({ '#tup': [{ '#bigint': '1735689600' }, { '#bigint': '3' }] });
    expect(toItf({ a: { b: 2 } })).toEqual({ a: { b: { '#bigint': '2' } } });
  });

  it('replay --format itf writes #meta, vars and one state per step', () => {
    const file = path.join(tmp, 'itf.json');
    expect(cli('check', 'vector-clock', '--bug', 'gossip-two-reads', '--trace-out', file).status).toBe(1);
    const r = cli('replay', file, '--format', 'itf');
    expect(r.status).toBe(0);
    const itf = JSON.parse(r.stdout) as { '#meta': { format: string }; vars: string[]; states: Record<string, unknown>[] };
    expect(itf['#meta'].format).toBe('ITF');
    expect(itf.vars).toEqual(['client', 'router', 'config', 'shard0', 'shard1', 'network', 'action', 'message']);
    expect(itf.states).toHaveLength(8);
    for (const [i, s] of itf.states.entries()) {
      expect(s['#meta']).toEqual({ index: i });
      expect(Object.keys(s).filter((k) => k !== '#meta')).toEqual(itf.vars);
    }
    expect((itf.states[7]!['router'] as { configTime: unknown }).configTime).toEqual({ '#tup': [{ '#bigint': '1735689600' }, { '#bigint': '1' }] });
    expect(itf.states[7]!['action']).toBe('Deliver(ShardNotFound#op1 config→router)');
    expect((itf.states[7]!['message'] as { kind: string }).kind).toBe('response');
  });
});
