/**
 * The writeback model: pinned state counts (legacy and write-command designs), the default size
 * explored completely with faults, every seeded bug caught by its invariant with a pinned shortest
 * counterexample that replays and does not break the invariant without the bug, and the
 * comparison of the two designs on the same bugs.
 */
import { describe, expect, it } from 'vitest';
import { expectSeededBugCaught } from './support/seeded-bug.js';
import { check } from '../checker/check.js';
import type { Size } from '../checker/model.js';
import { writeback, WRITEBACK_BUGS, writebackModel } from '../protocols/writeback.js';
import { referenceBfs } from './support/reference.js';

const small: Size = { ...writeback.sizes.default, writes: 1, maxLoss: 0, maxDup: 1, maxCrashes: 1 };
const commands: Size = { ...writeback.sizes.default, commands: 1 };

describe('writeback state space', () => {
  it('small size (writes=1, maxLoss=0, maxDup=1, maxCrashes=1): pinned counts, and a naive reference BFS agrees', () => {
    const result = check(writebackModel(small));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([1_819, 4_326, 19]);
    const reference = referenceBfs(writebackModel(small));
    expect(reference.states.length).toBe(result.distinctStates);
    expect(reference.transitions).toBe(result.transitions);
  });

  it('the default size is explored completely, with crashes, losses and duplicates, and every step fires', () => {
    const result = check(writeback.build(writeback.sizes.default, new Set()));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([16_021, 40_289, 29]);
    expect(result.neverFired).toEqual([]);
    const fired = new Map(result.coverage.map((c) => [c.kind, c.fired]));
    for (const fault of ['Crash', 'Lose', 'Duplicate', 'ClientTimeout', 'RouterTimeout', 'MoveChunk']) expect(fired.get(fault), fault).toBeGreaterThan(0);
  });

  it('the write-command design at the default size: pinned counts, faults on write-command responses', () => {
    const result = check(writebackModel(commands));
    expect(result.result).toBe('pass');
    expect([result.distinctStates, result.transitions, result.depth]).toEqual([7_337, 17_958, 23]);
    expect(result.neverFired).toEqual([]);
  });
});

/** Shortest counterexample lengths at the default size (legacy design). */
const TRACE_LENGTHS: Record<string, number> = {
  'gle-no-wait': 8,
  'listener-reapplies-duplicate': 14,
  'writeback-ids-reset-on-restart': 11,
  'resend-stale-version': 6,
  'shard-restart-forgets-clock': 2,
  'gossip-config-without-cluster': 1,
};

describe('writeback seeded bugs', () => {
  it('there are at least four, and every invariant of the model is broken by one', () => {
    expect(WRITEBACK_BUGS.length).toBeGreaterThanOrEqual(4);
    expect(new Set(WRITEBACK_BUGS.map((b) => b.breaks))).toEqual(new Set(writeback.invariants.map((i) => i.id)));
  });

  for (const bug of WRITEBACK_BUGS) {
    it(`${bug.id}: ${bug.breaks}, shortest counterexample of ${TRACE_LENGTHS[bug.id]} steps that replays`, () => {
      expectSeededBugCaught((bugs) => writebackModel(writeback.sizes.default, bugs), bug, TRACE_LENGTHS[bug.id]);
    });
  }
});

/** Which seeded bugs each design lets through, at the default size: write commands remove the writeback bugs. */
const CAUGHT_WITH_COMMANDS: Record<string, number | null> = {
  'gle-no-wait': null,
  'listener-reapplies-duplicate': null,
  'writeback-ids-reset-on-restart': null,
  'resend-stale-version': 6,
  'shard-restart-forgets-clock': 2,
  'gossip-config-without-cluster': 1,
};

describe('writeback: the write-command design against the same bugs', () => {
  for (const bug of WRITEBACK_BUGS) {
    const length = CAUGHT_WITH_COMMANDS[bug.id];
    it(`${bug.id}: ${length === null ? 'has nothing to break' : `caught in ${length} steps`}`, () => {
      const result = check(writebackModel(commands, new Set([bug.id])));
      if (length === null) {
        expect(result.result).toBe('pass');
        expect(result.distinctStates).toBe(7_337);
      } else {
        expect(result.violation?.invariant).toBe(bug.breaks);
        expect(result.violation!.steps.length - 1).toBe(length);
      }
    });
  }
});
