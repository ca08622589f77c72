/**
 * The legacy writeback protocol (seed 000, "Writeback Listener"; shard versioning from seed 003):
 * names, data and messages shared by its roles. The roles' guards and actions are in
 * `client.ts`, `router.ts`, `shard.ts` and `config.ts` beside this module; their charts are in
 * `machines/writeback/`; the composition with the world is `protocols/writeback.ts`.
 *
 * The collection has one chunk. Its **version** is the major version of seed 003's chunk version
 * (the epoch never changes here): 1 when the collection is sharded, +1 at every move. A shard's
 * **shard version** is the chunk's version when it owns the chunk and 0 (`SV<0, 0, E>`) when it
 * owns no chunk. A router attaches the version it has cached for the shard it targets; the shard
 * accepts an operation only when that equals its own shard version.
 *
 * @module
 */

/** The two shards (each a single mongod) and the config server. */
export const SHARDS = ['shard0', 'shard1'] as const;
export type ShardName = (typeof SHARDS)[number];
export const CONFIG = 'config';

export const routerName = (i: number): string => `router${i}`;
export const clientName = (i: number): string => `client${i}`;

/**
 * How routers send writes to shards. `legacy`: fire-and-forget writes, a stale version queues a
 * writeback, `getLastError` reports it and the router's writeback listener re-applies it.
 * `commands`: write commands, every write gets a response, a stale version is an immediate error
 * and the router refreshes and retries; the listener only logs.
 */
export type WriteMode = 'legacy' | 'commands';

/** How many times a stale-version error is retried (after a refresh) by a write command or a listener. */
export const STALE_RETRIES = 1;

/** The router's cached routing table of the one chunk: its owner and its version. */
export interface Routing {
  readonly owner: ShardName;
  readonly version: number;
}

/** The version a router attaches for `shard`: the chunk's version for the owner it believes in, 0 otherwise. */
export function versionFor(table: Routing, shard: ShardName): number {
  return table.owner === shard ? table.version : 0;
}

/** The newer of two routing tables (versions only grow). */
export function newerRouting(a: Routing | null, b: Routing): Routing {
  return a !== null && a.version >= b.version ? a : b;
}

/**
 * A queued writeback (d_writeback.cpp): the write, the connection that sent it (so that
 * `getLastError` on that connection can wait for it), the shard version the shard wanted, and its
 * id — strictly increasing per queue.
 */
export interface Writeback {
  readonly id: number;
  readonly write: string;
  readonly conn: string;
  readonly wanted: number;
}

/** What `getLastError` on a shard reports for a connection's last write. */
export type LastError = { readonly kind: 'ok' } | { readonly kind: 'writeback'; readonly id: number };

export const LAST_OK: LastError = Object.freeze({ kind: 'ok' });

/** The seeded bugs of the writeback model (descriptions in `protocols/writeback.ts`). */
export type WritebackBug =
  | 'gle-no-wait'
  | 'listener-reapplies-duplicate'
  | 'writeback-ids-reset-on-restart'
  | 'resend-stale-version'
  | 'shard-restart-forgets-clock'
  | 'gossip-config-without-cluster';

export type Bugs = ReadonlySet<string>;

export type { MessageEvent } from '../world/events.js';
export { messageEventByCommand as messageEvent, requestOf, responseOf } from '../world/events.js';

/** The `write` command: a document insert into the sharded collection, with the version the sender attached. */
export interface WriteCommand {
  readonly name: 'write';
  readonly [arg: string]: unknown;
  readonly write: string;
  /** The connection's identity on the shard (the sending router incarnation's client connection or listener). */
  readonly conn: string;
  readonly version: number;
  /** Whether the operation gets a response (a write command, or a listener's re-application); legacy writes do not. */
  readonly response: boolean;
}

/** The data of a `writebacklisten` response: the writeback popped from the queue. */
export type PollData = Writeback;

/** The data of a `getLastError` response from the router to the client. */
export interface GleResult {
  readonly done: boolean;
}

/** The exchange id of a router incarnation's requests: `router0#1/...`. */
export const routerExchange = (router: string, serverId: number, what: string): string => `${router}#${serverId}/${what}`;

/** The writeback-queue key of a router incarnation on a shard: its serverID. */
export const serverIdKey = (router: string, serverId: number): string => `${router}#${serverId}`;
