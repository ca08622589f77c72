/**
 * The rollback model: pinned state counts (a small size against the naive reference BFS, the
 * default size explored completely with a crash and a lost message), a rollback really happening,
 * and every seeded bug caught by its invariant with a pinned shortest counterexample that replays.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { castVote, hasOpTime, lastOf, newNode, nodeImpl, recoverNode } from '../impl/rollback.js';
import type { RollbackState } from '../protocols/rollback.js';
import { compileRole } from '../machines/compile.js';
import { nodeMachine } from '../machines/rollback/node.js';
import { divergedNode, MORE_NODE_EVENTS, nodeEvents } from '../protocols/rollback-samples.js';
import { expectCompiledMatchesXState } from './support/differential.js';
import { INITIAL_DOCS, INITIAL_OPLOG, rollback, ROLLBACK_BUGS, rollbackModel, rollbackRoles, THREE_NODES } from '../protocols/rollback.js';
import { topology } from '../impl/rollback.js';
import { expectSeededBugCaught } from './support/seeded-bug.js';
import { referenceBfs } from './support/reference.js';

const small: Size = { nodes: 2, arbiters: 1, writes: 1, maxTerm: 2, consumer: 0, maxLoss: 0, maxDup: 0, maxCrashes: 0 };

describe('rollback state space', () => {
  it('small size (no consumer, no faults): pinned counts, and a naive reference BFS agrees; a diverged primary rolls back to the common point', () => {
    const result = check(rollbackModel(small));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual(SMALL_COUNTS);
    const reference = referenceBfs(rollbackModel(small));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
    const nodeChart = rollbackRoles(new Set(), topology(2, 1)).node;
    const refetching = nodeChart.indexOf('rollback.refetching');
    // n1 wrote at term 1, diverged from n2's term-2 oplog, and rolled back: after it, its oplog ends at the common point.
    expect(reference.states.some((s) => s.nodes[0]!.at === refetching && s.nodes[0]!.ctx.rollback!.undone.length > 0)).toBe(true);
    expect(reference.states.some((s) => s.nodes[0]!.ctx.minValid !== null && lastOf(s.nodes[0]!.ctx.oplog).term === 1 && s.nodes[1]!.ctx.term === 2)).toBe(true);
  });

  it('the default size is explored completely, with a crash, a lost message, elections, step-downs and the consumer, and every step fires', () => {
    const result = check(rollback.build(rollback.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual(DEFAULT_COUNTS);
    expect(result.neverFired).toEqual([]);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const kind of ['Crash', 'Lose', 'Timeout', 'Fetch', 'Elect', 'StepDown', 'Submit', 'Tail']) expect(fired.get(kind), kind).toBeGreaterThan(0);
  });
});

/** Whether some reachable state at `size` satisfies `found` (breadth-first, stopping at the first). */
function reachable(size: Size, found: (s: RollbackState) => boolean): boolean {
  const model = rollbackModel(size);
  return check({ ...model, invariants: [{ id: 'probe', description: 'not found', holds: (s) => !found(s) }], stepInvariants: [] }).result === 'violation';
}

describe('rollback at the default size reaches what it models', () => {
  const size = rollback.sizes.default;
  it('a rollback that undoes a diverged entry, and a consumer whose checkpoint a rollback removed (its recovery: a re-dump)', () => {
    expect(reachable(size, (s) => s.nodes[0]!.ctx.rollback !== null && s.nodes[0]!.ctx.rollback.undone.length > 0)).toBe(true);
    expect(reachable(size, (s) => s.consumer.ctx.checkpoint !== null && !hasOpTime(s.nodes[0]!.ctx.oplog, s.consumer.ctx.checkpoint))).toBe(true);
  });
  it('split brain: two nodes primary at once, in different terms, the old one still taking a write', () => {
    const primary = rollbackRoles(new Set(), topology(2, 1)).node.indexOf('primary');
    expect(reachable(size, (s) => s.nodes.every((n) => n.at === primary) && s.nodes[0]!.ctx.oplog.some((e) => e.op === 'u' && e.term === 1) && s.nodes[1]!.ctx.term === 2)).toBe(true);
  });
});

const SMALL_COUNTS = [21_888, 73_656, 30];
const DEFAULT_COUNTS = [320_993, 1_886_446, 32];

/** Shortest counterexample lengths (at the default size, or the bug's own size). */
const TRACE_LENGTHS: Record<string, number> = {
  'common-point-by-timestamp': 12,
  'undo-inserts-without-refetch': 15,
  'rollback-past-majority-commit': 12,
  'vote-for-staler-log': 3,
  'vote-not-durable': 8,
  'consumer-keeps-rolled-back-docs': 17,
  'restart-clock-from-oplog': 6,
};

describe('rollback seeded bugs', () => {
  it("the five the issue names and two more, covering every invariant but VC-ORDER (nothing ticks ConfigTime or TopologyTime in a replica set)", () => {
    const ids = ROLLBACK_BUGS.map((b) => b.id);
    for (const id of ['common-point-by-timestamp', 'undo-inserts-without-refetch', 'vote-for-staler-log', 'rollback-past-majority-commit', 'consumer-keeps-rolled-back-docs']) expect(ids).toContain(id);
    const invariants = rollback.invariants.map((i) => i.id);
    for (const bug of ROLLBACK_BUGS) expect(invariants).toContain(bug.breaks);
    expect(new Set(ROLLBACK_BUGS.map((b) => b.breaks))).toEqual(new Set(invariants.filter((i) => i !== 'VC-ORDER')));
  });

  for (const bug of ROLLBACK_BUGS) {
    const size: Size = 'size' in bug ? bug.size : rollback.sizes.default;
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${TRACE_LENGTHS[bug.id]} steps that replays`, () => {
      expectSeededBugCaught((bugs) => rollbackModel(size, bugs), bug, TRACE_LENGTHS[bug.id]);
    });
  }

  it('vote-for-staler-log breaks nothing with an arbiter (it votes for anyone, and a w:"majority" write is on both data-bearing nodes): the same size with an arbiter passes', () => {
    const withArbiter = check(rollbackModel({ ...THREE_NODES, nodes: 2, arbiters: 1 }, new Set(['vote-for-staler-log'])));
    expect(withArbiter.result).toBe('pass');
    expect(check(rollbackModel(THREE_NODES, new Set(['vote-for-staler-log']))).result).toBe('violation');
  });

  it('a voter grants one vote per term, durably, and only to a candidate whose log is at least as up to date (the check vote-for-staler-log drops)', () => {
    const voter = { ...newNode('n2', [{ ts: 1, term: 1, op: 'i', id: 'a', v: 0 }], [], 1, 'n1') };
    const ask = (candidate: string, term: number, last: { ts: number; term: number }) => ({ name: 'replSetRequestVotes' as const, term, candidate, last });
    // A staler candidate: refused, though its term is adopted.
    expect(castVote(voter, ask('n3', 2, { ts: 0, term: 0 }), lastOf(voter.oplog), true)).toMatchObject({ term: 2, votedTerm: 1 });
    expect(castVote(voter, ask('n3', 2, { ts: 0, term: 0 }), lastOf(voter.oplog), false)).toMatchObject({ term: 2, votedTerm: 2, votedFor: 'n3' });
    // A newer term from a lower timestamp still wins: optimes compare by term first.
    const voted = castVote(voter, ask('n3', 2, { ts: 1, term: 1 }), lastOf(voter.oplog), true);
    expect(voted).toMatchObject({ votedTerm: 2, votedFor: 'n3' });
    // One vote per term; a restart keeps it unless the vote is not durable.
    expect(castVote(voted, ask('n1', 2, { ts: 5, term: 1 }), lastOf(voter.oplog), true)).toBe(voted);
    expect(recoverNode(voted, new Set())).toMatchObject({ votedTerm: 2, votedFor: 'n3' });
    expect(recoverNode(voted, new Set(['vote-not-durable']))).toMatchObject({ votedTerm: 0, votedFor: null });
  });
});

describe('rollback node chart', () => {
  it('the compiled stepper agrees with XState on the whole event pool (fetch, elections, writes, reads served, rollback replies), with each bug', () => {
    for (const bugs of [new Set<string>(), ...ROLLBACK_BUGS.map((b) => new Set([b.id]))]) {
      const impl = nodeImpl(bugs, topology(2, 1));
      const steps = expectCompiledMatchesXState(
        {
          machine: nodeMachine,
          impl,
          compiled: compileRole('node', nodeMachine, impl),
          initialContexts: [divergedNode, newNode('n2', INITIAL_OPLOG, INITIAL_DOCS, 1, 'n1')],
          events: [...nodeEvents, ...MORE_NODE_EVENTS],
        },
        bugs.size === 0 ? 200 : 40,
      );
      expect(steps).toBeGreaterThan(40);
    }
  });
});
