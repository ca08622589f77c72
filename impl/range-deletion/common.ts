/**
 * Orphaned range deletion and orphan filtering (seed 003, "Orphaned range deletion", "Orphan
 * filtering", and the migration coordinator of "Migrations"; DESIGN § 4.5): the names, data and
 * messages its roles share. The sharding core it builds on is `impl/sharding/` (the routing table,
 * the documents a migration persists, the filtering metadata with its reference-counted older
 * versions in `metadata-manager.ts`); the roles' guards and actions are in `shard.ts` (what both
 * shards do: queries, refreshes, the range deleter), `donor.ts` (the migration coordinator),
 * `recipient.ts`, `config.ts` and `client.ts` beside this module; their charts are in
 * `machines/range-deletion/`; the composition is `protocols/range-deletion.ts`.
 *
 * The collection is sharded on a numeric key with two chunks on `shard0`: `C0 [MinKey, 3)` with
 * the documents `d0` (key 0) and `d1` (key 1), and `C1 [3, MaxKey)`. The migration moves `C0` to
 * `shard1`. An earlier migration of `C0` to `shard1` was aborted: `shard1` may start with its
 * orphan copy of `d0` and its range-deletion task, ready (the `leftover` size parameter).
 *
 * @module
 */
import type { Doc, RangeDeletionTask, RoutingTable } from '../sharding/index.js';
import { chunk, chunkVersion, doc, MAX_KEY, MIN_KEY, moveChunk, routingTable } from '../sharding/index.js';

export const DONOR = 'shard0';
export const RECIPIENT = 'shard1';
export const CONFIG = 'config';
export const EPOCH = 'E1';

export const clientName = (i: number): string => `client${i}`;

export const MOVED_CHUNK = 'C0';
export const SPLIT_KEY = 3;

export const INITIAL_TABLE: RoutingTable = routingTable(EPOCH, [
  chunk('C0', MIN_KEY, SPLIT_KEY, DONOR, chunkVersion(1, 0, EPOCH)),
  chunk('C1', SPLIT_KEY, MAX_KEY, DONOR, chunkVersion(1, 1, EPOCH)),
]);
/** The routing table once `C0` has moved (the seed's version bumps). */
export const MOVED_TABLE: RoutingTable = moveChunk(INITIAL_TABLE, MOVED_CHUNK, RECIPIENT);
/** Every version of the routing table the model can reach, for the invariants to look a version up. */
export const TABLES: readonly RoutingTable[] = [INITIAL_TABLE, MOVED_TABLE];

/** The documents of `C0` on the donor: two, deleted one per batch. */
export const INITIAL_DOCS: readonly Doc[] = Object.freeze([doc('d0', 0), doc('d1', 1)]);

/** The earlier, aborted migration's leftovers on the recipient: its orphan copy of `d0` and its ready task. */
export const LEFTOVER_ID = 'mig0';
export const LEFTOVER_DOCS: readonly Doc[] = Object.freeze([doc('d0', 0)]);
export const LEFTOVER_TASK: RangeDeletionTask = Object.freeze({ id: LEFTOVER_ID, min: MIN_KEY, max: SPLIT_KEY, pending: false });

/** Documents per range-deletion batch (`rangeDeleterBatchSize`). */
export const BATCH_SIZE = 1;

export type Bugs = ReadonlySet<string>;

export type { MessageEvent } from '../world/events.js';
export { messageEventByExchange as messageEvent, requestOf, responseOf } from '../world/events.js';

/** The data of a query's last batch: the documents it returns and the version of the metadata it filtered with. */
export interface QueryResult {
  readonly ids: readonly string[];
  readonly version: { readonly major: number; readonly minor: number; readonly epoch: string };
}
