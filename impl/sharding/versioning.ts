/**
 * The shard versioning check (seed 003, "Versioning updates"): every request a router (or a shard)
 * sends to a shard carries the sender's cached shard version for that shard; the shard compares it
 * with its own. Equal: the request proceeds. Different: the shard answers with a stale-version
 * error (`StaleConfig`) naming the version it has, and whichever side has the older version
 * refreshes; the sender then retries. A shard whose filtering metadata is unknown (after a restart,
 * or after a migration cleared it) must refresh before it can check anything.
 *
 * @module
 */
import type { ChunkVersion } from './chunk-version.js';
import { isOlder, versionsEqual } from './chunk-version.js';
import type { RoutingTable } from './routing-table.js';
import { shardVersion } from './routing-table.js';

/** The data of a `StaleConfig` error: what the sender attached and what the shard has (`null`: unknown). */
export interface StaleConfigInfo {
  readonly received: ChunkVersion;
  readonly wanted: ChunkVersion | null;
}

/** The outcome of checking a request's shard version on a shard. */
export type VersionCheck =
  | { readonly kind: 'ok' }
  /** The shard's metadata is unknown: it must refresh. */
  | { readonly kind: 'unknown' }
  /** A mismatch; `shardIsOlder` when the shard must refresh too (the sender has seen a newer version). */
  | { readonly kind: 'stale'; readonly wanted: ChunkVersion; readonly shardIsOlder: boolean };

const OK: VersionCheck = Object.freeze({ kind: 'ok' });
const UNKNOWN: VersionCheck = Object.freeze({ kind: 'unknown' });

/** Check the version `received` for `shard` against the shard's filtering metadata `meta` (`null`: unknown). */
export function checkShardVersion(meta: RoutingTable | null, shard: string, received: ChunkVersion): VersionCheck {
  if (meta === null) return UNKNOWN;
  const wanted = shardVersion(meta, shard);
  if (versionsEqual(wanted, received)) return OK;
  return { kind: 'stale', wanted, shardIsOlder: wanted.epoch !== received.epoch || isOlder(wanted, received) };
}
