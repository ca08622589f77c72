/**
 * The cross-shard transaction model: pinned state counts, the default size explored completely with
 * a crash and a lost message, and every seeded bug caught by its invariant with a pinned shortest
 * counterexample that replays and that the same run without the bug does not break.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { twoPhaseCommit, TWO_PHASE_COMMIT_BUGS, twoPhaseCommitModel } from '../protocols/two-phase-commit.js';
import { referenceBfs } from './support/reference.js';

const small: Size = { ...twoPhaseCommit.sizes.default, maxLoss: 0, maxCrashes: 0 };

describe('two-phase-commit state space', () => {
  it('the default size without faults: pinned counts, and a naive reference BFS agrees', () => {
    const result = check(twoPhaseCommitModel(small));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual(SMALL_COUNTS);
    const reference = referenceBfs(twoPhaseCommitModel(small));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
  });

  it('the default size is explored completely, with a crash and a lost message, and every step fires', () => {
    const result = check(twoPhaseCommit.build(twoPhaseCommit.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual(DEFAULT_COUNTS);
    expect(result.neverFired).toEqual([]);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const kind of ['Crash', 'Lose', 'Timeout', 'Expire', 'Retry', 'RecoverCommit', 'MajorityCommit']) expect(fired.get(kind), kind).toBeGreaterThan(0);
  }, 120_000);

  it('lists the invariants the model checks', () => {
    const model = twoPhaseCommitModel(twoPhaseCommit.sizes.default);
    const ids = [...model.invariants, ...model.stepInvariants].map((i) => i.id).sort();
    expect(ids).toEqual(twoPhaseCommit.invariants.map((i) => i.id).sort());
    for (const info of twoPhaseCommit.invariants) {
      const inv = [...model.invariants, ...model.stepInvariants].find((i) => i.id === info.id)!;
      expect(inv.description).toBe(info.description);
    }
  });
});

const SMALL_COUNTS = [691, 1_641, 31];
const DEFAULT_COUNTS = [84_812, 294_628, 41];

/** Shortest counterexample lengths at the default size. */
const TRACE_LENGTHS: Record<string, number> = {
  'decision-sent-before-persisted': 24,
  'participant-list-not-persisted': 28,
  'prepared-aborts-on-timeout': 21,
  'multi-writer-single-shard-commit': 19,
  'ack-before-decision-durable': 25,
  'retryable-write-not-deduplicated': 9,
};

describe('two-phase-commit seeded bugs', () => {
  it('every invariant of the protocol has a seeded bug that breaks it', () => {
    const ids = twoPhaseCommit.invariants.map((i) => i.id);
    for (const bug of TWO_PHASE_COMMIT_BUGS) expect(ids).toContain(bug.breaks);
    expect(new Set(TWO_PHASE_COMMIT_BUGS.map((b) => b.breaks))).toEqual(
      new Set(['TC-ATOMIC', 'TC-DECISION-STABLE', 'TC-PREPARED-WAITS', 'TC-ACK-DURABLE', 'TC-TERMINATES', 'RW-APPLIED-ONCE']),
    );
  });

  for (const bug of TWO_PHASE_COMMIT_BUGS) {
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${TRACE_LENGTHS[bug.id]} steps that replays`, () => {
      const model = twoPhaseCommitModel(twoPhaseCommit.sizes.default, new Set([bug.id]));
      const result = check(model);
      expect(result.result).toBe('violation');
      expect(result.violation!.invariant).toBe(bug.breaks);
      const steps = result.violation!.steps;
      expect(steps.length - 1).toBe(TRACE_LENGTHS[bug.id]);
      // Replay: each state is the successor of the previous one under the step's action.
      expect(JSON.stringify(steps[0]!.state)).toBe(JSON.stringify(model.init()[0]));
      for (let i = 1; i < steps.length; i++) {
        expect(JSON.stringify(model.next(steps[i - 1]!.state, steps[i]!.action!))).toBe(JSON.stringify(steps[i]!.state));
      }
      // Without the bug, the same run does not exist or keeps the invariant: the bug is what breaks it.
      const correct = twoPhaseCommitModel(twoPhaseCommit.sizes.default);
      let s = correct.init()[0]!;
      let broken = false;
      for (const step of steps.slice(1)) {
        const next = correct.next(s, step.action!);
        if (next === undefined) break;
        const inv = correct.invariants.find((x) => x.id === bug.breaks);
        const stepInv = correct.stepInvariants.find((x) => x.id === bug.breaks);
        if ((inv !== undefined && !inv.holds(next)) || (stepInv !== undefined && !stepInv.holds(s, step.action!, next))) broken = true;
        s = next;
      }
      expect(broken).toBe(false);
    }, 60_000);
  }
});

describe('two-phase-commit commit paths', () => {
  // Each commit path of the router is taken somewhere in the default state space.
  it('zero, one, read-only and write participants each reach a committed outcome (reads allowed, no faults)', () => {
    const model = twoPhaseCommitModel({ ...twoPhaseCommit.sizes.default, reads: 1, maxLoss: 0, maxCrashes: 0 });
    const seen = new Set<string>();
    const queue = [...model.init()];
    const visited = new Set<string>();
    while (queue.length > 0) {
      const s = queue.pop()!;
      const key = JSON.stringify(s);
      if (visited.has(key)) continue;
      visited.add(key);
      if (s.client.ctx.outcome === 'committed') {
        const r = s.routers[0]!.ctx;
        const writers = r.participants.filter((p) => !p.readOnly).length;
        seen.add(r.participants.length === 0 ? 'zero' : r.participants.length === 1 ? 'one' : writers === 0 ? 'read-only' : 'two-phase');
      }
      const out: Parameters<typeof model.actions>[1] = [];
      model.actions(s, out);
      for (const a of out) {
        const n = model.next(s, a);
        if (n !== undefined && n !== s) queue.push(n);
      }
    }
    expect([...seen].sort()).toEqual(['one', 'read-only', 'two-phase', 'zero']);
  });
});
