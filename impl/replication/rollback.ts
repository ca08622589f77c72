/**
 * The rollback steps of the replication core (seed 001, "Replica Set Rollback"; DESIGN § 4.3), for
 * the rollback protocol to build on: find the common point of a diverged oplog with its sync
 * source's by walking back and comparing optimes, list the documents the entries after it touched
 * (to refetch from the source), and truncate.
 *
 * @module
 */
import type { Collection } from './collection.js';
import { findDoc, removeDoc, upsertDoc } from './collection.js';
import type { Oplog, OplogEntry } from './oplog.js';
import type { OpTime } from './optime.js';
import { NULL_OPTIME, sameOpTime } from './optime.js';

/** How two entries are judged the same operation when walking back. */
export type OpTimeMatch = 'timestamp-and-term' | 'timestamp-only';

/**
 * The common point of our oplog `ours` (oldest first) and the sync source's `theirs`: the newest
 * entry of ours that theirs also has, walking back from our newest. With `timestamp-only` (a seeded
 * bug) an entry with the same timestamp but another term counts as common. {@link NULL_OPTIME} when
 * no entry is common and the source lost none; `null` when the walk reaches what the source has
 * rolled over without finding one (no rollback is possible: the node needs a resync).
 */
export function commonPoint(ours: readonly OplogEntry[], theirs: Oplog, match: OpTimeMatch = 'timestamp-and-term'): OpTime | null {
  const same = (a: OpTime, b: OpTime) => (match === 'timestamp-only' ? a.ts === b.ts : sameOpTime(a, b));
  for (let i = ours.length - 1; i >= 0; i--) {
    const e = ours[i]!;
    if (e.ts <= theirs.rolledOver.ts) return null;
    if (theirs.entries.some((t) => same(t, e))) return { ts: e.ts, term: e.term };
  }
  return theirs.rolledOver.ts === 0 ? NULL_OPTIME : null;
}

/** Our entries after the common point: the ones a rollback undoes. */
export function entriesAfter(ours: readonly OplogEntry[], point: OpTime): readonly OplogEntry[] {
  const i = ours.findIndex((e) => sameOpTime(e, point));
  return i < 0 ? (point.ts === 0 ? ours : []) : ours.slice(i + 1);
}

/** Our oplog truncated after the common point. */
export function truncateAfter(ours: readonly OplogEntry[], point: OpTime): readonly OplogEntry[] {
  const undone = entriesAfter(ours, point).length;
  return undone === 0 ? ours : ours.slice(0, ours.length - undone);
}

/** The `_id`s of the documents the undone entries touched (no-ops touch none), sorted and without repeats. */
export function affectedIds(undone: readonly OplogEntry[]): readonly string[] {
  return [...new Set(undone.filter((e) => e.op !== 'n').map((e) => e.id))].sort();
}

/**
 * Undo with refetch: each affected document takes the source's current version (or is removed if
 * the source has none). With `refetchUpdates` false (a seeded bug), only inserts are undone (the
 * document removed) and updated or deleted documents keep our version.
 */
export function refetchAffected(docs: Collection, undone: readonly OplogEntry[], source: Collection, refetchUpdates = true): Collection {
  let out = docs;
  for (const id of affectedIds(undone)) {
    const ops = undone.filter((e) => e.id === id);
    if (!refetchUpdates && ops.every((e) => e.op !== 'i')) continue;
    const theirs = findDoc(source, id);
    out = theirs === undefined ? removeDoc(out, id) : upsertDoc(out, theirs);
  }
  return out;
}
