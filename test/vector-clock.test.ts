/**
 * The vector-clock model: pinned state counts, the default size explored completely with faults,
 * and every seeded bug caught by its invariant with a pinned shortest counterexample that replays.
 */
import { describe, expect, it } from 'vitest';
import { expectSeededBugCaught } from './support/seeded-bug.js';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { vectorClock, VECTOR_CLOCK_BUGS, vectorClockModel } from '../protocols/vector-clock.js';
import { referenceBfs } from './support/reference.js';

const small: Size = { ops: 1, balancerRounds: 1, maxLoss: 1, maxDup: 0, maxCrashes: 1 };

describe('vector-clock state space', () => {
  it('small size (ops=1, balancerRounds=1, maxLoss=1, maxDup=0, maxCrashes=1): pinned counts, and a naive reference BFS agrees', () => {
    const result = check(vectorClockModel(small));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([655, 1_816, 12]);
    const reference = referenceBfs(vectorClockModel(small));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
  });

  it('ops=2 with loss and crash but no duplication: pinned counts', () => {
    const result = check(vectorClockModel({ ops: 2, balancerRounds: 1, maxLoss: 1, maxDup: 0, maxCrashes: 1 }));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([13_248, 36_204, 23]);
  });

  it('the default size is explored completely, with crashes, losses and duplicates, and every step fires', () => {
    const result = check(vectorClock.build(vectorClock.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([294_890, 1_045_467, 29]);
    expect(result.neverFired).toEqual([]);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const fault of ['Crash', 'Lose', 'Duplicate', 'Timeout']) expect(fired.get(fault), fault).toBeGreaterThan(0);
  });
});

/** Shortest counterexample lengths at the default size. */
const TRACE_LENGTHS: Record<string, number> = {
  'gossip-config-without-cluster': 5,
  'topology-tick-to-cluster-time': 3,
  'gossip-two-reads': 7,
  'restart-forgets-clock': 3,
  'router-ticks': 2,
};

describe('vector-clock seeded bugs', () => {
  it('there are at least four, each breaking an invariant of the model', () => {
    expect(VECTOR_CLOCK_BUGS.length).toBeGreaterThanOrEqual(4);
    const ids = vectorClock.invariants.map((i) => i.id);
    for (const bug of VECTOR_CLOCK_BUGS) expect(ids).toContain(bug.breaks);
    expect(new Set(VECTOR_CLOCK_BUGS.map((b) => b.breaks))).toEqual(new Set(['VC-ORDER', 'VC-MONOTONE', 'VC-ROUTER-NO-TICK']));
  });

  for (const bug of VECTOR_CLOCK_BUGS) {
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${TRACE_LENGTHS[bug.id]} steps that replays`, () => {
      expectSeededBugCaught((bugs) => vectorClockModel(vectorClock.sizes.default, bugs), bug, TRACE_LENGTHS[bug.id]);
    });
  }
});

describe('vector-clock traces', () => {
  it('--trace-out writes logical times as BSON Timestamps that round-trip through EJSON', async () => {
    const { spawnSync } = await import('node:child_process');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { EJSON, Timestamp } = await import('bson');
    const file = join(mkdtempSync(join(tmpdir(), 'vc-')), 'cex.json');
    const run = spawnSync(process.execPath, ['dist/cli/main.js', 'check', 'vector-clock', '--bug', 'router-ticks', '--trace-out', file], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    const trace = EJSON.parse(readFileSync(file, 'utf8')) as { steps: { view: { router: { clusterTime: unknown } } }[] };
    expect(trace.steps).toHaveLength(3);
    const ticked = trace.steps[2]!.view.router.clusterTime;
    expect(ticked).toBeInstanceOf(Timestamp);
    expect((ticked as InstanceType<typeof Timestamp>).i).toBe(1);
  });
});
