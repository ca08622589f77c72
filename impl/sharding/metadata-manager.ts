/**
 * The filtering metadata of a shard with its older versions kept for the queries that use them
 * (seed 003, "Orphan filtering": the MetadataManager and its reference counts, RangePreserver and
 * CollectionMetadataTracker; "Orphaned range deletion": the range deleter waits on them).
 *
 * A query takes a reference to the current filtering metadata when it starts and filters with it
 * until it ends, even if the metadata changes meanwhile (a migration commits): the manager keeps
 * every older version that a running query references, counted, and drops it when the count
 * reaches zero. A range may be deleted only once no retained version says this shard owns part of
 * it: a query that started before the migration committed must still see the moved documents.
 *
 * Everything here is in memory: a restart loses the versions and the queries with them.
 *
 * @module
 */
import type { ChunkVersion } from './chunk-version.js';
import { versionsEqual } from './chunk-version.js';
import type { Doc } from './data.js';
import type { RoutingTable } from './routing-table.js';
import { chunkFor, collectionVersion } from './routing-table.js';

/** One version of the filtering metadata and how many running queries reference it. */
export interface TrackedMetadata {
  readonly table: RoutingTable;
  readonly refs: number;
}

/** The manager: the current version (`null` when unknown) and the older ones still referenced. */
export interface MetadataManager {
  readonly current: RoutingTable | null;
  readonly older: readonly TrackedMetadata[];
  /** References to the current version. */
  readonly currentRefs: number;
}

export const UNKNOWN_METADATA: MetadataManager = Object.freeze({ current: null, older: [], currentRefs: 0 });

export function metadataManager(current: RoutingTable | null): MetadataManager {
  return current === null ? UNKNOWN_METADATA : Object.freeze({ current, older: [], currentRefs: 0 });
}

export const versionOf = (t: RoutingTable): ChunkVersion => collectionVersion(t);

/**
 * A new current version: the previous one is kept among the older versions if queries reference
 * it, dropped otherwise. Installing the same version changes nothing.
 */
export function installMetadata(m: MetadataManager, table: RoutingTable): MetadataManager {
  if (m.current !== null && versionsEqual(versionOf(m.current), versionOf(table))) return m;
  const older = m.current !== null && m.currentRefs > 0 ? [...m.older, { table: m.current, refs: m.currentRefs }] : m.older;
  return { current: table, older, currentRefs: 0 };
}

/** The metadata cleared (it will be refreshed): the current version is kept as an older one while referenced. */
export function clearMetadata(m: MetadataManager): MetadataManager {
  if (m.current === null) return m;
  const older = m.currentRefs > 0 ? [...m.older, { table: m.current, refs: m.currentRefs }] : m.older;
  return { current: null, older, currentRefs: 0 };
}

/** A query starts: a reference to the current version (which must be known). */
export function acquire(m: MetadataManager): MetadataManager {
  if (m.current === null) throw new RangeError('no filtering metadata to acquire');
  return { ...m, currentRefs: m.currentRefs + 1 };
}

/** The table of version `v` that the manager holds (current or older), if any. */
export function tableOf(m: MetadataManager, v: ChunkVersion): RoutingTable | undefined {
  if (m.current !== null && versionsEqual(versionOf(m.current), v)) return m.current;
  return m.older.find((o) => versionsEqual(versionOf(o.table), v))?.table;
}

/** A query ends: its reference released; an older version nobody references any more is dropped. */
export function release(m: MetadataManager, v: ChunkVersion): MetadataManager {
  if (m.current !== null && m.currentRefs > 0 && versionsEqual(versionOf(m.current), v)) return { ...m, currentRefs: m.currentRefs - 1 };
  const i = m.older.findIndex((o) => versionsEqual(versionOf(o.table), v));
  if (i < 0) return m;
  const o = m.older[i]!;
  const older = o.refs > 1 ? m.older.map((x, j) => (j === i ? { table: x.table, refs: x.refs - 1 } : x)) : m.older.filter((_, j) => j !== i);
  return { ...m, older };
}

/** Whether `shard` owns part of `[min, max)` under `table`. */
export function ownsPartOf(table: RoutingTable, shard: string, min: number, max: number): boolean {
  return table.chunks.some((c) => c.shard === shard && c.min < max && min < c.max);
}

/**
 * Whether a running query still uses a version under which `shard` owns part of `[min, max)`: the
 * range deleter waits until it does not (the promise the reference counts signal).
 */
export function rangeInUse(m: MetadataManager, shard: string, min: number, max: number): boolean {
  if (m.current !== null && m.currentRefs > 0 && ownsPartOf(m.current, shard, min, max)) return true;
  return m.older.some((o) => o.refs > 0 && ownsPartOf(o.table, shard, min, max));
}

/** Whether `shard` owns the document under `table` (the shard filter of a query). */
export function owns(table: RoutingTable, shard: string, d: Doc): boolean {
  return chunkFor(table, d.key).shard === shard;
}

/** What a query with metadata `table` returns from `docs` on `shard`: the owned documents (all of them without the filter). */
export function filterOrphans(table: RoutingTable, shard: string, docs: readonly Doc[], filter = true): readonly Doc[] {
  return filter ? docs.filter((d) => owns(table, shard, d)) : docs;
}
