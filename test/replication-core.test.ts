/**
 * The shared replication core (`impl/replication/`): the capped oplog and fetching from a
 * position, idempotent application, and the rollback steps (common point by optime, truncation,
 * refetch of affected documents), each with the seeded-bug variant it offers.
 */
import { describe, expect, it } from 'vitest';
import type { OplogEntry } from '../impl/replication/index.js';
import { appendEntry, applyEntry, applyEntryNonIdempotent, EMPTY_OPLOG, executeWrite, fetchAfter, lastOpTime, NULL_OPTIME } from '../impl/replication/index.js';
import { affectedIds, commonPoint, refetchAffected, truncateAfter } from '../impl/replication/rollback.js';

const e = (ts: number, term: number, op: OplogEntry['op'], id: string, v = 0): OplogEntry => ({ ts, term, op, id, v });

describe('the capped oplog', () => {
  it('rolls its oldest entries over and fetching reports what it can no longer serve', () => {
    let log = EMPTY_OPLOG;
    for (const x of [e(1, 1, 'i', 'a'), e(2, 1, 'u', 'a', 1), e(3, 1, 'u', 'a', 2)]) log = appendEntry(log, x, 2);
    expect(log.entries.map((x) => x.ts)).toEqual([2, 3]);
    expect(log.rolledOver).toEqual({ ts: 1, term: 1 });
    expect(lastOpTime(log)).toEqual({ ts: 3, term: 1 });
    expect(fetchAfter(log, { ts: 1, term: 1 })).toEqual(log.entries);
    expect(fetchAfter(log, { ts: 2, term: 1 })).toEqual([log.entries[1]]);
    expect(fetchAfter(log, NULL_OPTIME)).toBe('OplogStartMissing');
    // Same timestamp, another term: the source never had our entry.
    expect(fetchAfter(log, { ts: 2, term: 2 })).toBe('OplogDiverged');
  });
});

describe('application', () => {
  it('is idempotent: an entry already reflected changes nothing; updates to missing documents are ignored', () => {
    const done = executeWrite([{ id: 'a', v: 0 }], { op: 'u', id: 'a' }, { ts: 2, term: 1 })!;
    expect(done.docs).toEqual([{ id: 'a', v: 1 }]);
    expect(applyEntry(done.docs, done.entry)).toEqual(done.docs);
    expect(applyEntry([], done.entry)).toEqual([]);
    expect(applyEntryNonIdempotent(done.docs, done.entry)).toEqual([{ id: 'a', v: 2 }]);
    expect(executeWrite([], { op: 'd', id: 'a' }, { ts: 3, term: 1 })).toBeNull();
  });
});

describe('rollback steps', () => {
  // A common prefix (1,1), then the old primary of term 1 wrote at time 2 and the new primary of term 2 too.
  const ours = [e(1, 1, 'i', 'a'), e(2, 1, 'u', 'a', 1), e(3, 1, 'i', 'b')];
  const theirs = { entries: [e(1, 1, 'i', 'a'), e(2, 2, 'd', 'a')], rolledOver: NULL_OPTIME };

  it('finds the common point by timestamp and term; by timestamp alone it stops too late', () => {
    expect(commonPoint(ours, theirs)).toEqual({ ts: 1, term: 1 });
    expect(commonPoint(ours, theirs, 'timestamp-only')).toEqual({ ts: 2, term: 1 });
    expect(commonPoint(ours.slice(0, 1), theirs)).toEqual({ ts: 1, term: 1 });
    // The source rolled over the entry at time 1: the common point is gone, no rollback is possible.
    expect(commonPoint(ours, { entries: [e(2, 2, 'd', 'a')], rolledOver: { ts: 1, term: 1 } })).toBeNull();
  });

  it('truncates after the common point and refetches every affected document; the bug keeps updated ones', () => {
    const point = commonPoint(ours, theirs)!;
    expect(truncateAfter(ours, point)).toEqual([ours[0]]);
    const undone = ours.slice(1);
    expect(affectedIds(undone)).toEqual(['a', 'b']);
    const docs = [{ id: 'a', v: 1 }, { id: 'b', v: 0 }];
    expect(refetchAffected(docs, undone, [])).toEqual([]);
    expect(refetchAffected(docs, undone, [], false)).toEqual([{ id: 'a', v: 1 }]);
  });
});
