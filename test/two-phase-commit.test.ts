/**
 * The cross-shard transaction model: pinned state counts, the default size explored completely with
 * a crash and a lost message, and every seeded bug caught by its invariant with a pinned shortest
 * counterexample that replays and that the same run without the bug does not break.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../checker/check.js';
import type { Model, Size } from '../checker/model.js';
import type { TwoPhaseCommitAction, TwoPhaseCommitState } from '../protocols/two-phase-commit.js';
import { participantStates, twoPhaseCommit, TWO_PHASE_COMMIT_BUGS, twoPhaseCommitModel, twoPhaseCommitRoles } from '../protocols/two-phase-commit.js';
import { referenceBfs } from './support/reference.js';
import { expectSeededBugCaught } from './support/seeded-bug.js';

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
      expectSeededBugCaught((bugs) => twoPhaseCommitModel(twoPhaseCommit.sizes.default, bugs), bug, TRACE_LENGTHS[bug.id]);
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

/**
 * Reachability probes at the default size: the checker, given one more step invariant that a step
 * of the kind asked for breaks, finds the shortest run to such a step. Each probe pins that the
 * model takes a step the issue asks for, and what that step does.
 */
describe('two-phase-commit recovery and faults', () => {
  type Probe = (before: TwoPhaseCommitState, a: TwoPhaseCommitAction, after: TwoPhaseCommitState) => boolean;
  const { shard } = twoPhaseCommitRoles();
  const pStates = participantStates(shard);
  const at = (s: TwoPhaseCommitState, i: number, path: string) => shard.isIn(s.shards[i]!.at, path);
  /** The messages a step put on the network. */
  const sent = (before: TwoPhaseCommitState, after: TwoPhaseCommitState) => {
    const left = before.net.map((m) => JSON.stringify(m));
    return after.net.filter((m) => {
      const i = left.indexOf(JSON.stringify(m));
      if (i < 0) return true;
      left.splice(i, 1);
      return false;
    });
  };
  const shortestRunTo = (probe: Probe, size: Size = twoPhaseCommit.sizes.default) => {
    const model = twoPhaseCommitModel(size);
    const probed: Model<TwoPhaseCommitState, TwoPhaseCommitAction> = {
      ...model,
      stepInvariants: [...model.stepInvariants, { id: 'PROBE', description: 'the step looked for is never taken', holds: (b, a, x) => !probe(b, a, x) }],
    };
    const result = check(probed);
    expect(result.result).toBe('violation');
    expect(result.violation!.invariant).toBe('PROBE');
    const steps = result.violation!.steps;
    return { before: steps[steps.length - 2]!.state, action: steps[steps.length - 1]!.action!, after: steps[steps.length - 1]!.state, length: steps.length - 1 };
  };

  it('step-up recovery with the decision persisted skips prepare and sends the decision', () => {
    const run = shortestRunTo((b, a, x) => a.kind === 'Crash' && b.shards[0]!.ctx.coordDoc?.decision != null && at(x, 0, 'coordinator.sendingDecision'));
    const out = sent(run.before, run.after);
    expect(out.some((m) => m.kind === 'request' && m.cmd.name === 'prepareTransaction')).toBe(false);
    expect(out.some((m) => m.kind === 'request' && (m.cmd.name === 'commitTransaction' || m.cmd.name === 'abortTransaction') && m.from === 'shard0')).toBe(true);
    expect(run.length).toBe(STEP_UP_DECISION_LENGTH);
  }, 60_000);

  it('step-up recovery with only the participant list persisted resumes the prepare phase', () => {
    const run = shortestRunTo((b, a, x) => a.kind === 'Crash' && b.shards[0]!.ctx.coordDoc !== null && b.shards[0]!.ctx.coordDoc.decision === null && at(x, 0, 'coordinator.preparing'));
    expect(sent(run.before, run.after).filter((m) => m.kind === 'request' && m.cmd.name === 'prepareTransaction').map((m) => String(m.to)).sort()).toEqual(['shard0', 'shard1']);
  }, 60_000);

  it('a failover loses a coordinator write that was not majority committed', () => {
    const run = shortestRunTo((b, a) => a.kind === 'Crash' && b.shards[0]!.ctx.coordLocal !== b.shards[0]!.ctx.coordDoc);
    expect(run.after.shards[0]!.ctx.coordLocal).toBe(run.before.shards[0]!.ctx.coordDoc);
  }, 60_000);

  it("a participant's prepared state survives its crash", () => {
    const run = shortestRunTo((b, a) => a.kind === 'Crash' && pStates[b.shards[0]!.at] === 'prepared');
    expect(pStates[run.after.shards[0]!.at]).toBe('prepared');
    expect(run.after.shards[0]!.ctx.record).toEqual(run.before.shards[0]!.ctx.record);
  }, 60_000);

  it('a statement that fails before two-phase commit aborts the transaction implicitly on every participant', () => {
    const run = shortestRunTo((b, _a, x) => b.routers[0]!.ctx.pending?.kind === 'statement' && x.routers[0]!.ctx.pending?.kind === 'abort' && x.routers[0]!.ctx.aborted);
    const aborts = sent(run.before, run.after).filter((m) => m.kind === 'request' && m.cmd.name === 'abortTransaction');
    expect(aborts.map((m) => String(m.to))).toEqual(run.after.routers[0]!.ctx.participants.map((p) => p.shard));
  }, 60_000);

  it('the second router recovers a committed outcome with the recovery token', () => {
    const run = shortestRunTo((b, a, x) => a.kind === 'Deliver' && a.message.from === 'router2' && b.client.ctx.outcome === 'none' && x.client.ctx.outcome === 'committed');
    expect(run.before.client.ctx.recoveryShard).not.toBeNull();
  }, 60_000);

  it('duplicated messages: a size with one duplication instead of a loss or crash is explored completely', () => {
    const result = check(twoPhaseCommitModel(DUP_SIZE));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual(DUP_COUNTS);
    expect(result.coverage.find((c) => c.kind === 'Duplicate')!.fired).toBeGreaterThan(0);
  }, 120_000);
});

const STEP_UP_DECISION_LENGTH = 24;
const DUP_SIZE: Size = { ...twoPhaseCommit.sizes.default, maxLoss: 0, maxDup: 1, maxCrashes: 0 };
const DUP_COUNTS = [35_289, 112_576, 39];
