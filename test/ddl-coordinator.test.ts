/**
 * The DDL coordinator model: pinned state counts (the default size with a step-down and a lost
 * message, the size with a migration, joined and conflicting requests), every seeded bug caught by
 * its invariant with a pinned shortest counterexample that replays and does not break the
 * invariant without the bug, and the sequential outcome `DDL-IDEMPOTENT` compares against.
 */
import { describe, expect, it } from 'vitest';
import { expectSeededBugCaught } from './support/seeded-bug.js';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { DROP, expectedCatalog, INITIAL_LOCAL, renameOp } from '../impl/ddl/common.js';
import { DDL_BUGS, ddlCoordinator, ddlModel } from '../protocols/ddl-coordinator.js';
import { referenceBfs } from './support/reference.js';

/** A migration overlapping the two operations, no faults: where `DDL-NO-MIGRATION` is exercised. */
const blocking: Size = { ...ddlCoordinator.sizes.default, maxLoss: 0, maxCrashes: 0 };
/** Two drops of the same collection (the second joins the first) and a step-down. */
const joins: Size = { ...ddlCoordinator.sizes.default, drops: 2, renames: 0, migrations: 0, maxLoss: 0 };
/** Two renames with different targets (the second conflicts, or fails its preconditions after the first). */
const conflicts: Size = { ...ddlCoordinator.sizes.default, drops: 0, renames: 2, migrations: 0, maxLoss: 0, maxCrashes: 0 };

describe('ddl-coordinator state space', () => {
  it('the default size is explored completely, with a step-down, a lost reply and a migration', () => {
    const result = check(ddlCoordinator.build(ddlCoordinator.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([326_661, 666_139, 89]);
    // The default size loses a message but duplicates none (maxDup=0).
    expect(result.neverFired).toEqual(['Duplicate']);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const step of ['Crash', 'Lose', 'RouterTimeout', 'CoordinatorTimeout', 'MigrationCommit']) expect(fired.get(step), step).toBeGreaterThan(0);
  });

  it('with a migration (no faults): pinned counts, and a naive reference BFS agrees', () => {
    const result = check(ddlModel(blocking));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([2_688, 4_786, 47]);
    const reference = referenceBfs(ddlModel(blocking));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
    // The migration commits in some runs and is refused in others.
    const outcomes = new Set(reference.states.map((s) => s.migration.outcome));
    expect(outcomes).toEqual(new Set([null, 'ok', 'ConflictingOperationInProgress', 'NamespaceNotFound']));
  });

  it('joined drops with a step-down: pinned counts; a joined request gets the answer of the operation it joined', () => {
    const result = check(ddlModel(joins));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([9_777, 19_564, 79]);
    const reference = referenceBfs(ddlModel({ ...joins, maxCrashes: 0 }));
    expect(reference.states.some((s) => s.coordinators[0]!.own.waiters.length === 2)).toBe(true);
    // Both routers answered by the one drop that ran.
    expect(reference.states.some((s) => s.history.length === 1 && s.routers.every((r) => r.ctx.result === 'ok'))).toBe(true);
  });

  it('conflicting renames: pinned counts; the second gets ConflictingOperationInProgress, or NamespaceNotFound after the first', () => {
    const result = check(ddlModel(conflicts));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([1_712, 2_660, 44]);
    const reference = referenceBfs(ddlModel(conflicts));
    const answers = new Set(reference.states.flatMap((s) => s.routers.map((r) => r.ctx.result)));
    expect(answers).toEqual(new Set([null, 'ok', 'ConflictingOperationInProgress', 'NamespaceNotFound']));
  });
});

describe('DDL-IDEMPOTENT: the crash-free outcome of a sequence of operations', () => {
  it('drop, rename, and rename after drop', () => {
    expect(expectedCatalog([])).toEqual(INITIAL_LOCAL);
    expect(expectedCatalog([DROP])).toEqual([]);
    expect(expectedCatalog([renameOp(0)])).toEqual([{ ns: 'db.b', uuid: 2 }]);
    expect(expectedCatalog([renameOp(0), DROP])).toEqual([{ ns: 'db.b', uuid: 2 }]);
    expect(expectedCatalog([DROP, renameOp(0)])).toEqual([]);
    // A rename whose source is gone generates nothing: the next one gets the next UUID.
    expect(expectedCatalog([renameOp(0), renameOp(1)])).toEqual([{ ns: 'db.b', uuid: 2 }]);
  });
});

/** One rename and a step-down: the resume bugs' smallest setting (their default-size traces are in the corpus). */
const renameResumes: Size = { ...ddlCoordinator.sizes.default, drops: 0, migrations: 0, maxLoss: 0 };
/** One rename and a lost reply: a participant asked twice. */
const renameRetries: Size = { ...ddlCoordinator.sizes.default, drops: 0, migrations: 0, maxCrashes: 0 };

/** The size each bug is checked at, and its shortest counterexample's length. */
const BUG_RUNS: Record<string, { size: Size; length: number }> = {
  'checkpoint-after-execute': { size: renameResumes, length: 38 },
  'fresh-uuid-on-resume': { size: renameResumes, length: 36 },
  'no-lock': { size: ddlCoordinator.sizes.default, length: 4 },
  'migrations-not-blocked': { size: ddlCoordinator.sizes.default, length: 7 },
  'locks-released-before-last-phase': { size: ddlCoordinator.sizes.default, length: 16 },
  'locks-leaked-on-error': { size: ddlCoordinator.sizes.default, length: 30 },
  'participant-not-idempotent': { size: renameRetries, length: 26 },
  'gossip-replaces-clock': { size: ddlCoordinator.sizes.default, length: 4 },
  'gossip-config-without-cluster': { size: ddlCoordinator.sizes.default, length: 1 },
};

describe('ddl-coordinator seeded bugs', () => {
  it('the issue names five; every invariant of the model is broken by one', () => {
    for (const id of ['checkpoint-after-execute', 'fresh-uuid-on-resume', 'no-lock', 'migrations-not-blocked', 'locks-released-before-last-phase']) {
      expect(DDL_BUGS.map((b) => b.id)).toContain(id);
    }
    expect(new Set(DDL_BUGS.map((b) => b.breaks))).toEqual(new Set(ddlCoordinator.invariants.map((i) => i.id)));
  });

  for (const bug of DDL_BUGS) {
    const run = BUG_RUNS[bug.id]!;
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${run.length} steps that replays`, () => {
      expectSeededBugCaught((bugs) => ddlModel(run.size, bugs), bug, run.length);
    });
  }
});
