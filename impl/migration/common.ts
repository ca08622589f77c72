/**
 * Live chunk migration (seed 003, "Migrations"; DESIGN § 4.4): the names, data and messages its
 * roles share. The sharding core it builds on (chunk versions, the routing table, caches, the
 * version check, the registry, the persisted documents) is `impl/sharding/`; the roles' guards and
 * actions are in `client.ts`, `router.ts`, `config.ts`, `donor.ts` and `recipient.ts` beside this
 * module; their charts are in `machines/migration/`; the composition is `protocols/migration.ts`.
 *
 * The collection is sharded on a numeric key with two chunks, both on `shard0` at first:
 * `C0 [MinKey, 3)` at `1|0||E1` and `C1 [3, MaxKey)` at `1|1||E1` (the collection was split once).
 * The balancer moves `C0` to `shard1`: `shard0` is the donor and `C1` its control chunk.
 *
 * @module
 */
import type { ChunkVersion, Doc, RoutingTable, StaleConfigInfo } from '../sharding/index.js';
import { chunk, chunkVersion, doc, routingTable, MAX_KEY, MIN_KEY } from '../sharding/index.js';

export const DONOR = 'shard0';
export const RECIPIENT = 'shard1';
export const SHARDS = [DONOR, RECIPIENT] as const;
export const CONFIG = 'config';
export const EPOCH = 'E1';

export const routerName = (i: number): string => `router${i}`;
export const clientName = (i: number): string => `client${i}`;

/** The chunk the balancer moves, and the shard key of the clients' documents (inside it). */
export const MOVED_CHUNK = 'C0';
export const SPLIT_KEY = 3;
export const CLIENT_KEY = 1;

export const INITIAL_TABLE: RoutingTable = routingTable(EPOCH, [
  chunk('C0', MIN_KEY, SPLIT_KEY, DONOR, chunkVersion(1, 0, EPOCH)),
  chunk('C1', SPLIT_KEY, MAX_KEY, DONOR, chunkVersion(1, 1, EPOCH)),
]);

/** The document in `C0` before anything happens (what `_migrateClone` has to copy). */
export const INITIAL_DOCS: readonly Doc[] = Object.freeze([doc('d0', 0)]);

/** How many times a router retries an operation after a stale-version error (each after a refresh). */
export const STALE_RETRIES = 2;

export type Bugs = ReadonlySet<string>;

export type { MessageEvent } from '../world/events.js';
export { messageEventByExchange as messageEvent, requestOf, responseOf } from '../world/events.js';

/** A versioned CRUD operation on the sharded collection (router → shard). */
export interface CrudCommand {
  readonly name: 'insert' | 'find';
  readonly [arg: string]: unknown;
  /** The document an insert writes, or the key a find reads. */
  readonly doc: Doc | null;
  readonly key: number;
  readonly shardVersion: ChunkVersion;
}

/** The data of a `StaleConfig` response. */
export type StaleData = StaleConfigInfo;

/** The data of a successful find: the ids of the documents of the key's chunk on that shard. */
export interface FindResult {
  readonly ids: readonly string[];
}

/** A recipient's answer to `_recvChunkStatus`. */
export type RecipientStatus = 'ready' | 'clone' | 'catchup' | 'steady' | 'commitStart' | 'done' | 'fail';
