/**
 * Optimes (seed 001, "Oplog"): the position of an oplog entry, a timestamp and the term of the
 * primary that wrote it. Two entries are the same operation only when both match: after a
 * failover two primaries of different terms may write entries with the same timestamp.
 *
 * @module
 */
import type { LogicalTime } from '../logical-time.js';

/** An oplog position: the entry's timestamp (a logical time) and the term of the primary that wrote it. */
export interface OpTime {
  readonly ts: LogicalTime;
  readonly term: number;
}

/** The position before every entry. */
export const NULL_OPTIME: OpTime = Object.freeze({ ts: 0, term: 0 });

/** MongoDB's order of optimes: by term, then by timestamp. */
export function compareOpTime(a: OpTime, b: OpTime): number {
  return a.term !== b.term ? a.term - b.term : a.ts - b.ts;
}

/** Whether two optimes name the same entry (timestamp and term). */
export function sameOpTime(a: OpTime, b: OpTime): boolean {
  return a.ts === b.ts && a.term === b.term;
}

/** The optime of a value that has one (an oplog entry). */
export function opTimeOf(x: OpTime): OpTime {
  return x.ts === 0 && x.term === 0 ? NULL_OPTIME : { ts: x.ts, term: x.term };
}
