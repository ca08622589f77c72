/**
 * The oplog (seed 001, "Oplog"): entries with their optime, logged by the primary for each write and
 * applied by the nodes that sync from it; a capped collection, so the oldest entries roll over.
 *
 * An entry logs the document a write left (`$set` form), never the client's operator (`$inc`):
 * applying an entry is idempotent, which is what lets initial sync apply entries whose effect is
 * already in the cloned data.
 *
 * @module
 */
import type { Collection } from './collection.js';
import { findDoc, removeDoc, upsertDoc } from './collection.js';
import type { OpTime } from './optime.js';
import { NULL_OPTIME, sameOpTime } from './optime.js';

/**
 * An operation's kind: insert, update (the client's `$inc: {v: 1}`, logged as the value it set),
 * delete, and the no-op a new primary logs when it steps up (it touches no document).
 */
export type OpKind = 'i' | 'u' | 'd' | 'n';

/** An oplog entry: its optime, the operation and the document's `_id` and resulting value. */
export interface OplogEntry extends OpTime {
  readonly op: OpKind;
  readonly id: string;
  /** The value the write left (`0` for a delete). */
  readonly v: number;
}

/** A capped oplog: its entries (oldest first) and the optime of the newest entry that rolled over. */
export interface Oplog {
  readonly entries: readonly OplogEntry[];
  /** The optime of the newest entry no longer in the oplog ({@link NULL_OPTIME} if none rolled over). */
  readonly rolledOver: OpTime;
}

export const EMPTY_OPLOG: Oplog = Object.freeze({ entries: [], rolledOver: NULL_OPTIME });

/** The optime of the last entry written (or rolled over). */
export function lastOpTime(log: Oplog): OpTime {
  const e = log.entries[log.entries.length - 1];
  return e === undefined ? log.rolledOver : { ts: e.ts, term: e.term };
}

/** The oplog with `entry` appended; the oldest entries roll over beyond `capacity`. */
export function appendEntry(log: Oplog, entry: OplogEntry, capacity: number): Oplog {
  const all = [...log.entries, entry];
  if (all.length <= capacity) return { entries: all, rolledOver: log.rolledOver };
  const dropped = all[all.length - capacity - 1]!;
  return { entries: all.slice(all.length - capacity), rolledOver: { ts: dropped.ts, term: dropped.term } };
}

/** Why a fetch from a position fails: the entry after it rolled over, or the source never had the position (our oplog diverged). */
export type FetchError = 'OplogStartMissing' | 'OplogDiverged';

/**
 * A fetcher's `getMore` from position `after` (its last fetched entry): the entries after it, or
 * why not. `OplogStartMissing` when the entries following `after` rolled over; `OplogDiverged` when
 * the source's oplog has no entry with `after`'s optime (timestamp and term), so the fetching
 * node's oplog is not a prefix of the source's (seed 001, "Replica Set Rollback").
 */
export function fetchAfter(log: Oplog, after: OpTime): readonly OplogEntry[] | FetchError {
  if (sameOpTime(after, log.rolledOver)) return log.entries;
  if (after.ts <= log.rolledOver.ts) return 'OplogStartMissing';
  const i = log.entries.findIndex((e) => e.ts === after.ts && e.term === after.term);
  return i < 0 ? 'OplogDiverged' : log.entries.slice(i + 1);
}

/**
 * Apply an entry to a collection, idempotently: an insert is an upsert, an update sets the value it
 * logged (and is ignored when the document is missing: it was deleted later, by an entry still to
 * come), a delete of a missing document does nothing.
 */
export function applyEntry(docs: Collection, e: OplogEntry): Collection {
  switch (e.op) {
    case 'i':
      return upsertDoc(docs, { id: e.id, v: e.v });
    case 'u':
      return findDoc(docs, e.id) === undefined ? docs : upsertDoc(docs, { id: e.id, v: e.v });
    case 'd':
      return removeDoc(docs, e.id);
    case 'n':
      return docs;
  }
}

/**
 * Apply an entry as the client's operation, not as its logged result: an update increments the
 * document again. Wrong when the effect is already in the data (the seeded bug of initial sync).
 */
export function applyEntryNonIdempotent(docs: Collection, e: OplogEntry): Collection {
  if (e.op !== 'u') return applyEntry(docs, e);
  const d = findDoc(docs, e.id);
  return d === undefined ? docs : upsertDoc(docs, { id: e.id, v: d.v + 1 });
}

/** A client's write. */
export interface WriteOp {
  readonly op: Exclude<OpKind, 'n'>;
  readonly id: string;
}

/**
 * A primary's execution of a client write on its data: the entry it logs at `at`, or `null` for a
 * write that changes nothing (an update or delete of a missing document, an insert of an existing
 * one: a duplicate key error the client is told about as a no-op here).
 */
export function executeWrite(docs: Collection, w: WriteOp, at: OpTime): { readonly docs: Collection; readonly entry: OplogEntry } | null {
  const d = findDoc(docs, w.id);
  let entry: OplogEntry;
  switch (w.op) {
    case 'i':
      if (d !== undefined) return null;
      entry = { ts: at.ts, term: at.term, op: 'i', id: w.id, v: 0 };
      break;
    case 'u':
      if (d === undefined) return null;
      entry = { ts: at.ts, term: at.term, op: 'u', id: w.id, v: d.v + 1 };
      break;
    case 'd':
      if (d === undefined) return null;
      entry = { ts: at.ts, term: at.term, op: 'd', id: w.id, v: 0 };
      break;
  }
  return { docs: applyEntry(docs, entry), entry };
}
