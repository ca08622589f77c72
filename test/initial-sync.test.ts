/**
 * The initial-sync model: pinned state counts, the default size explored completely with faults,
 * oplog rollover restarting the sync, every seeded bug caught by its invariant with a pinned
 * shortest counterexample that replays, and the node's compiled chart against XState on its whole
 * event pool.
 */
import { describe, expect, it } from 'vitest';
import { expectSeededBugCaught } from './support/seeded-bug.js';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { nodeImpl } from '../impl/initial-sync.js';
import { compileRole } from '../machines/compile.js';
import { nodeMachine } from '../machines/initial-sync/node.js';
import { initialSync, INITIAL_SYNC_BUGS, initialSyncModel } from '../protocols/initial-sync.js';
import { MORE_NODE_EVENTS, nodeEvents, syncedNode } from '../protocols/initial-sync-samples.js';
import { newNode } from '../impl/initial-sync.js';
import { expectCompiledMatchesXState } from './support/differential.js';
import { referenceBfs } from './support/reference.js';

const small: Size = { docs: 2, writes: 1, oplogSize: 1, maxLoss: 0, maxDup: 0, maxCrashes: 1 };

describe('initial-sync state space', () => {
  it('small size (docs=2 writes=1 oplogSize=1 maxLoss=0 maxDup=0 maxCrashes=1): pinned counts, and a naive reference BFS agrees', () => {
    const result = check(initialSyncModel(small));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([5_232, 12_237, 30]);
    const reference = referenceBfs(initialSyncModel(small));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
  });

  it('the default size is explored completely, with crashes, losses and timeouts, and every step fires', () => {
    const result = check(initialSync.build(initialSync.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([153_599, 549_218, 38]);
    expect(result.neverFired).toEqual([]);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const kind of ['Crash', 'Lose', 'Timeout', 'Fetch', 'Report', 'Start']) expect(fired.get(kind), kind).toBeGreaterThan(0);
  });

  it('the source oplog rolling over under the fetcher restarts initial sync (no crash, no loss: the only cause of a second attempt)', () => {
    // The client gives up waiting for w:"majority" (wtimeout) and writes again while the node is syncing.
    const model = initialSyncModel({ docs: 1, writes: 2, oplogSize: 1, maxLoss: 0, maxDup: 0, maxCrashes: 0 });
    const states = referenceBfs(model).states;
    expect(states.some((s) => s.node.ctx.attempt >= 2)).toBe(true);
    // With room for every entry, nothing rolls over and no attempt is ever retried.
    const roomy = referenceBfs(initialSyncModel({ docs: 1, writes: 2, oplogSize: 3, maxLoss: 0, maxDup: 0, maxCrashes: 0 })).states;
    expect(roomy.every((s) => s.node.ctx.attempt <= 1)).toBe(true);
  });
});

/** Shortest counterexample lengths at the default size. */
const TRACE_LENGTHS: Record<string, number> = {
  'fetch-after-clone': 13,
  'no-apply-phase': 11,
  'non-idempotent-apply': 16,
  'resume-as-finished': 13,
  'feedback-reports-fetched': 10,
};

describe('initial-sync seeded bugs', () => {
  it('the four the issue names and one more, covering every invariant but the vector clock', () => {
    const ids = INITIAL_SYNC_BUGS.map((b) => b.id);
    for (const id of ['fetch-after-clone', 'no-apply-phase', 'non-idempotent-apply', 'resume-as-finished']) expect(ids).toContain(id);
    const invariants = initialSync.invariants.map((i) => i.id);
    for (const bug of INITIAL_SYNC_BUGS) expect(invariants).toContain(bug.breaks);
    expect(new Set(INITIAL_SYNC_BUGS.map((b) => b.breaks))).toEqual(new Set(['IS-CONVERGE', 'IS-CONSISTENT-READS', 'IS-ACKED-DURABLE']));
  });

  for (const bug of INITIAL_SYNC_BUGS) {
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${TRACE_LENGTHS[bug.id]} steps that replays`, () => {
      expectSeededBugCaught((bugs) => initialSyncModel(initialSync.sizes.default, bugs), bug, TRACE_LENGTHS[bug.id]);
    });
  }
});

describe('initial-sync node chart', () => {
  it('the compiled stepper agrees with XState on the whole event pool (fetch, report, timeouts, clone documents, a restarted source)', () => {
    for (const bugs of [new Set<string>(), ...INITIAL_SYNC_BUGS.map((b) => new Set([b.id]))]) {
      const impl = nodeImpl(bugs);
      const steps = expectCompiledMatchesXState(
        { machine: nodeMachine, impl, compiled: compileRole('node', nodeMachine, impl), initialContexts: [newNode(), syncedNode], events: [...nodeEvents, ...MORE_NODE_EVENTS] },
        bugs.size === 0 ? 200 : 40,
      );
      expect(steps).toBeGreaterThan(40);
    }
  });
});
