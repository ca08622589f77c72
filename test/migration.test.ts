/**
 * The migration model: pinned state counts (a small size against a naive reference BFS, and the
 * default size explored completely with a loss, a duplicate and a donor crash), the seed's
 * versioning table on the shared sharding core, and every seeded bug caught by its invariant with a
 * pinned shortest counterexample that replays and does not break the invariant without the bug.
 */
import { describe, expect, it } from 'vitest';
import { expectSeededBugCaught } from './support/seeded-bug.js';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { DONOR, INITIAL_TABLE, RECIPIENT } from '../impl/migration/common.js';
import { chunkById, chunkVersion, collectionVersion, moveChunk, shardVersion } from '../impl/sharding/index.js';
import { migration, MIGRATION_BUGS, migrationModel, migrationRoles } from '../protocols/migration.js';
import { referenceBfs } from './support/reference.js';

const small: Size = { ...migration.sizes.default, maxLoss: 0, maxDup: 0, maxCrashes: 1 };

describe('the seed\'s versioning table (impl/sharding)', () => {
  it('moving a chunk: C<Mcv+1, 0, Ecv>, the control chunk <Mcv+1, 1, Ecv>; the donor with no other chunk has SV<0, 0, Ecv>', () => {
    const once = moveChunk(INITIAL_TABLE, 'C0', RECIPIENT);
    expect(chunkById(once, 'C0')).toMatchObject({ shard: RECIPIENT, version: chunkVersion(2, 0, 'E1') });
    expect(chunkById(once, 'C1')).toMatchObject({ shard: DONOR, version: chunkVersion(2, 1, 'E1') });
    expect(shardVersion(once, DONOR)).toEqual(chunkVersion(2, 1, 'E1'));
    expect(shardVersion(once, RECIPIENT)).toEqual(chunkVersion(2, 0, 'E1'));
    const twice = moveChunk(once, 'C1', RECIPIENT);
    expect(chunkById(twice, 'C1')!.version).toEqual(chunkVersion(3, 0, 'E1'));
    expect(shardVersion(twice, DONOR)).toEqual(chunkVersion(0, 0, 'E1'));
    expect(collectionVersion(twice)).toEqual(chunkVersion(3, 0, 'E1'));
  });
});

describe('migration state space', () => {
  it('small size (maxLoss=0, maxDup=0, maxCrashes=1): pinned counts, and a naive reference BFS agrees', () => {
    const result = check(migrationModel(small));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([3_249, 7_554, 40]);
    const reference = referenceBfs(migrationModel(small));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
    // The donor's crash is recovered both ways: a restarted donor decides commit from the routing
    // table, or abort, and finishes the sequence.
    const roles = migrationRoles();
    const at = (name: string) => roles.donor.indexOf(name);
    const recovered = (name: string) => reference.states.some((s) => s.donor.at === at(name) && s.donor.ctx.session === null && s.faults.crashes === 1);
    expect(recovered('recovering')).toBe(true);
    expect(recovered('committed')).toBe(true);
    expect(recovered('aborting')).toBe(true);
  });

  it('the default size is explored completely, with a loss, a duplicate and a donor crash, and every step fires', () => {
    const result = check(migration.build(migration.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([105_611, 376_677, 56]);
    expect(result.neverFired).toEqual([]);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const kind of ['Lose', 'Duplicate', 'Crash', 'Timeout', 'Balance', 'DeleteRange']) expect(fired.get(kind), kind).toBeGreaterThan(0);
  }, 120_000);
});

/** Shortest counterexample lengths at the default size. */
const TRACE_LENGTHS: Record<string, number> = {
  'no-registry-check': 4,
  'no-critical-section': 15,
  'skip-transfer-mods': 21,
  'commit-without-version-bump': 17,
  'control-chunk-not-bumped': 25,
  'donor-restart-forgets-clock': 19,
  'gossip-config-without-cluster': 18,
};

describe('migration seeded bugs', () => {
  it('the four of the issue are there, and every invariant of the model is broken by one', () => {
    for (const id of ['no-registry-check', 'no-critical-section', 'skip-transfer-mods', 'commit-without-version-bump']) expect(MIGRATION_BUGS.some((b) => b.id === id), id).toBe(true);
    expect(new Set(MIGRATION_BUGS.map((b) => b.breaks))).toEqual(new Set(migration.invariants.map((i) => i.id)));
  });

  for (const bug of MIGRATION_BUGS) {
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${TRACE_LENGTHS[bug.id]} steps that replays`, () => {
      expectSeededBugCaught((bugs) => migrationModel(migration.sizes.default, bugs), bug, TRACE_LENGTHS[bug.id]);
    }, 120_000);
  }
});
