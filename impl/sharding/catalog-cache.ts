/**
 * The routing table cache (seed 003, "The routing table cache"): a read-only in-memory copy of the
 * routing table on every router and shard, refreshed lazily from the config server — when a
 * request comes back with a stale-version error, or when the cache is marked stale or unknown. On a
 * shard the same copy is its filtering metadata.
 *
 * A refresh never takes a cache backwards: a response that is older than what the cache already
 * holds (a late or duplicated reply) is ignored, as the real cache's version comparison does.
 *
 * @module
 */
import type { RoutingTable } from './routing-table.js';
import { isNewerTable } from './routing-table.js';

/** A cache: the table, or `null` when unknown (never loaded, cleared, or lost in a restart). */
export type CachedRouting = RoutingTable | null;

/** The cache after a refresh answered `fresh`: the newer of the two (`goBack` installs it regardless, a seeded bug). */
export function installRefresh(cache: CachedRouting, fresh: RoutingTable, goBack = false): RoutingTable {
  if (cache === null || goBack) return fresh;
  return isNewerTable(fresh, cache) ? fresh : cache;
}
