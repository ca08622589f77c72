/**
 * The range-deletion model: the metadata manager's reference counts, pinned state counts (a small
 * size against a naive reference BFS, and the default size explored completely with a loss, a
 * duplicate and a crash of either shard), and every seeded bug caught by its invariant with a
 * pinned shortest counterexample that replays and does not break the invariant without the bug.
 */
import { describe, expect, it } from 'vitest';
import { expectSeededBugCaught } from './support/seeded-bug.js';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { DONOR, INITIAL_DOCS, INITIAL_TABLE, MOVED_TABLE, RECIPIENT } from '../impl/range-deletion/common.js';
import { acquire, clearMetadata, filterOrphans, installMetadata, metadataManager, rangeInUse, release, tableOf, versionOf } from '../impl/sharding/metadata-manager.js';
import { MIN_KEY } from '../impl/sharding/index.js';
import type { RangeDeletionState } from '../protocols/range-deletion.js';
import { rangeDeletion, RANGE_DELETION_BUGS, rangeDeletionModel } from '../protocols/range-deletion.js';
import { referenceBfs } from './support/reference.js';

describe('the filtering metadata and its reference-counted older versions (impl/sharding/metadata-manager)', () => {
  it('a query holds the version it started with; the older version goes when its last query ends', () => {
    const v1 = versionOf(INITIAL_TABLE);
    const v2 = versionOf(MOVED_TABLE);
    let m = acquire(metadataManager(INITIAL_TABLE));
    expect(rangeInUse(m, DONOR, MIN_KEY, 3)).toBe(true);
    m = installMetadata(m, MOVED_TABLE);
    expect(m.current).toBe(MOVED_TABLE);
    expect(m.older).toEqual([{ table: INITIAL_TABLE, refs: 1 }]);
    expect(tableOf(m, v1)).toBe(INITIAL_TABLE);
    // The range moved away is still in use on the donor, and never was on the recipient.
    expect(rangeInUse(m, DONOR, MIN_KEY, 3)).toBe(true);
    expect(rangeInUse(m, RECIPIENT, MIN_KEY, 3)).toBe(false);
    // A query on the new version: under it the recipient owns the range (on the recipient, that would hold its deletion).
    m = acquire(m);
    expect(rangeInUse(m, RECIPIENT, MIN_KEY, 3)).toBe(true);
    m = release(m, v1);
    expect(m.older).toEqual([]);
    expect(rangeInUse(m, DONOR, MIN_KEY, 3)).toBe(false);
    expect(release(m, v2).currentRefs).toBe(0);
  });

  it('an unreferenced version is not kept; clearing keeps a referenced one', () => {
    expect(installMetadata(metadataManager(INITIAL_TABLE), MOVED_TABLE).older).toEqual([]);
    const cleared = clearMetadata(acquire(metadataManager(INITIAL_TABLE)));
    expect(cleared.current).toBeNull();
    expect(cleared.older).toEqual([{ table: INITIAL_TABLE, refs: 1 }]);
  });

  it('the shard filter: the recipient returns none of the chunk before the commit, all of it after', () => {
    expect(filterOrphans(INITIAL_TABLE, RECIPIENT, INITIAL_DOCS)).toEqual([]);
    expect(filterOrphans(MOVED_TABLE, RECIPIENT, INITIAL_DOCS)).toEqual(INITIAL_DOCS);
    expect(filterOrphans(MOVED_TABLE, DONOR, INITIAL_DOCS)).toEqual([]);
    expect(filterOrphans(MOVED_TABLE, DONOR, INITIAL_DOCS, false)).toEqual(INITIAL_DOCS);
  });
});

const small: Size = { ...rangeDeletion.sizes.default, leftover: 0, maxLoss: 0, maxDup: 0, maxCrashes: 0 };

describe('range-deletion state space', () => {
  it('small size (leftover=0, no faults): pinned counts, and a naive reference BFS agrees', () => {
    const result = check(rangeDeletionModel(small));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([6_530, 18_723, 26]);
    const reference = referenceBfs(rangeDeletionModel(small));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
  }, 120_000);

  it('the default size is explored completely, with a loss, a duplicate and a crash, and every step fires', () => {
    const result = check(rangeDeletion.build(rangeDeletion.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([300_119, 1_202_495, 35]);
    expect(result.neverFired).toEqual([]);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const kind of ['Lose', 'Duplicate', 'Crash', 'Timeout', 'MoveChunk', 'Clone', 'SecondaryDelay', 'DeleteBatch']) expect(fired.get(kind), kind).toBeGreaterThan(0);
  }, 180_000);
});

describe('the harm the overlapping-deletion wait prevents', () => {
  // Once the migration has committed, the recipient holds both of the chunk's documents.
  const keepsMigrated = {
    id: 'MIGRATED-KEPT',
    description: 'once C0 is the recipient\'s, the recipient holds d0 and d1',
    holds: (s: RangeDeletionState) => s.config.ctx.table.chunks[0]!.shard !== RECIPIENT || INITIAL_DOCS.every((d) => s.recipient.ctx.docs.some((x) => x.id === d.id)),
  };
  const probe = (bugs: ReadonlySet<string>) => {
    const model = rangeDeletionModel({ ...rangeDeletion.sizes.default, maxLoss: 0, maxDup: 0, maxCrashes: 0 }, bugs);
    return check({ ...model, invariants: [keepsMigrated], stepInvariants: [] });
  };

  it('without the wait, the old task deletes newly migrated documents of a committed migration; with it, never', () => {
    const broken = probe(new Set(['recipient-no-wait-overlapping']));
    expect(broken.result).toBe('violation');
    expect(broken.violation!.steps.length - 1).toBe(9);
    expect(probe(new Set()).result).toBe('pass');
  });
});

describe('orphan filtering on the recipient during the migration', () => {
  it('without leftovers, no-orphan-filter is caught by a query on the recipient after the clone, before the commit (8 steps)', () => {
    const result = check(rangeDeletionModel({ ...rangeDeletion.sizes.default, leftover: 0 }, new Set(['no-orphan-filter'])));
    expect(result.result).toBe('violation');
    expect(result.violation!.invariant).toBe('RD-NO-ORPHANS-RETURNED');
    const steps = result.violation!.steps;
    expect(steps.length - 1).toBe(8);
    const last = steps[steps.length - 1]!.state as RangeDeletionState;
    expect(last.config.ctx.table.chunks[0]!.shard).toBe('shard0');
    expect(last.clients[1]!.ctx.returned).toEqual([{ shard: RECIPIENT, ids: ['d0', 'd1'], version: { major: 1, minor: 1, epoch: 'E1' } }]);
  });
});

/** Shortest counterexample lengths at the default size. */
const TRACE_LENGTHS: Record<string, number> = {
  'no-wait-for-queries': 17,
  'no-orphan-filter': 5,
  'delete-pending-range': 4,
  'recipient-no-wait-overlapping': 4,
  'no-resubmit-on-restart': 12,
  'restart-forgets-clock': 7,
  'gossip-config-without-cluster': 11,
};

describe('range-deletion seeded bugs', () => {
  it('the four of the issue are there, and every invariant of the model is broken by one', () => {
    for (const id of ['no-wait-for-queries', 'no-orphan-filter', 'delete-pending-range', 'recipient-no-wait-overlapping']) expect(RANGE_DELETION_BUGS.some((b) => b.id === id), id).toBe(true);
    expect(new Set(RANGE_DELETION_BUGS.map((b) => b.breaks))).toEqual(new Set(rangeDeletion.invariants.map((i) => i.id)));
  });

  for (const bug of RANGE_DELETION_BUGS) {
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${TRACE_LENGTHS[bug.id]} steps that replays`, () => {
      expectSeededBugCaught((bugs) => rangeDeletionModel(rangeDeletion.sizes.default, bugs), bug, TRACE_LENGTHS[bug.id]);
    }, 120_000);
  }
});
