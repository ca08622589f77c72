/**
 * A router (mongos) of the writeback model: the memory its threads share, and the thread that
 * serves the client connection (the `router` chart). The writeback listener threads, one per shard,
 * are in `listener.ts`; both threads' contexts are the shared memory ({@link RouterShared}) plus
 * their own fields, and the protocol module keeps one copy of the shared part per router.
 *
 * Legacy mode: a client's write goes fire-and-forget to the shard the routing table names, with
 * that shard's version; the client's `getLastError` goes to the same shard on the same connection;
 * when the shard answers "writeback <id>", the thread waits (WriteBackListener::waitFor) until the
 * listener for that shard has recorded writeback `id`, and reports that re-application's outcome.
 *
 * Command mode: the write is a write command; a stale version is an immediate `StaleConfig`; the
 * thread refreshes the routing table and retries once; `getLastError` reports the command's
 * outcome.
 *
 * Everything is volatile: a restarted router is a new process with a new serverID, which loads the
 * routing table before it serves.
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { advance, externalGossip, internalGossip, ZERO_TIME } from '../logical-time.js';
import { acceptGossip } from '../vector-clock.js';
import type { Gossip } from '../logical-time.js';
import type { Message, RemoteResponse } from '../world/network.js';
import { request } from '../world/network.js';
import type { Bugs, GleResult, LastError, MessageEvent, Routing, ShardName } from './common.js';
import { CONFIG, newerRouting, requestOf, responseOf, routerExchange, serverIdKey, SHARDS, STALE_RETRIES } from './common.js';

/** The last writeback a listener re-applied from its shard, and its outcome (`_seenWritebacks`). */
export interface Seen {
  readonly id: number;
  readonly ok: boolean;
}

/** The memory a router's threads share. */
export interface RouterShared {
  readonly name: string;
  /** Which incarnation of the process this is: its serverID (an ObjectId in the real system, fresh at every start). */
  readonly serverId: number;
  readonly clock: VectorTime;
  /** The cached routing table (`null` until loaded). */
  readonly table: Routing | null;
  /** Per shard, in {@link SHARDS} order: what its listener last recorded. */
  readonly seen: readonly Seen[];
}

/** The client connection's operation in progress. */
export interface ConnState {
  /** The client's exchange id (its reply goes back with it). */
  readonly op: string;
  readonly write: string;
  /** Where the write went and with which version. */
  readonly shard: ShardName;
  readonly version: number;
  readonly attempts: number;
  /** The writeback id `getLastError` waits for (legacy), 0 before the shard reported one. */
  readonly waitFor: number;
  /** The write command's outcome (command mode), `null` while unknown. */
  readonly result: boolean | null;
}

/** The client-connection thread's context: the shared memory and its operation. */
export interface RouterContext extends RouterShared {
  readonly conn: ConnState | null;
}

/**
 * The thread's events. A client's request is its command (`write`, `getLastError`); a response
 * is named for the exchange it answers: `loaded` (the routing table at startup), `replied` (the
 * write command or `getLastError` on the shard) and `refreshed` (a refresh before a retry).
 * `writebackRecorded` is the waiter noticing that a listener recorded a writeback; `TIMEOUT` is
 * the environment's.
 */
export type RouterEvent = MessageEvent | { readonly type: 'writebackRecorded' } | { readonly type: 'TIMEOUT' };

const NOTHING_SEEN: Seen = Object.freeze({ id: 0, ok: false });

export function newRouterShared(name: string, table: Routing | null, serverId = 1): RouterShared {
  return { name, serverId, clock: ZERO_TIME, table, seen: SHARDS.map(() => NOTHING_SEEN) };
}

export function newRouter(name: string, table: Routing | null, serverId = 1): RouterContext {
  return { ...newRouterShared(name, table, serverId), conn: null };
}

/** A restarted router process: nothing survives; a new serverID, no routing table yet. */
export function recoverRouterShared(shared: RouterShared): RouterShared {
  return newRouterShared(shared.name, null, shared.serverId + 1);
}

// Exchange ids, all scoped to the router incarnation.
export const serverIdOf = (ctx: RouterShared): string => serverIdKey(ctx.name, ctx.serverId);
export const loadId = (ctx: RouterShared): string => routerExchange(ctx.name, ctx.serverId, 'load');
export const opExchange = (ctx: RouterContext): string => routerExchange(ctx.name, ctx.serverId, ctx.conn?.op ?? '');
export const opRefreshId = (ctx: RouterContext): string => routerExchange(ctx.name, ctx.serverId, `${ctx.conn?.op ?? ''}:refresh`);

/** The event of delivering `msg` to a router's client-connection thread (see {@link RouterEvent}). */
export function routerEvent(msg: Message): MessageEvent {
  if (msg.kind === 'request') return { type: msg.cmd.name, msg };
  const what = msg.id.slice(msg.id.indexOf('/') + 1);
  return { type: what === 'load' ? 'loaded' : what.endsWith(':refresh') ? 'refreshed' : 'replied', msg };
}

/** The shared memory after a thread advanced its clock with `gossip` from a cluster node. */
export function gossipInto<C extends RouterShared>(ctx: C, gossip: Gossip, bugs: Bugs): C {
  const clock = acceptGossip(ctx.clock, gossip, bugs);
  return clock === ctx.clock ? ctx : { ...ctx, clock };
}

/** A `find` on `config.chunks`. */
export function findChunks(ctx: RouterShared, from: string, id: string): Message {
  return request(id, from, CONFIG, { name: 'find', collection: 'config.chunks' }, internalGossip(ctx.clock));
}

export function installTable<C extends RouterShared>(ctx: C, e: { readonly msg?: Message }): C {
  const table = newerRouting(ctx.table, responseOf(e).data as Routing);
  return table === ctx.table ? ctx : { ...ctx, table };
}

const isResponse = (e: RouterEvent, id: string): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.id === id;
const statusOf = (e: RouterEvent): RemoteResponse['status'] => responseOf(e as MessageEvent).status;

/** The client-connection thread of either design (`machines/writeback/router.ts` has one chart per design). */
export function routerImpl(bugs: Bugs) {
  const glesWithoutWaiting = bugs.has('gle-no-wait');
  const resendsStaleVersion = bugs.has('resend-stale-version');

  const writeTo = (ctx: RouterContext, response: boolean): readonly Message[] => {
    const c = ctx.conn;
    if (c === null) return [];
    const key = serverIdOf(ctx);
    return [request(opExchange(ctx), ctx.name, c.shard, { name: 'write', write: c.write, conn: key, serverId: key, version: c.version, response }, internalGossip(ctx.clock))];
  };
  const replyToClient = (ctx: RouterContext, done: boolean): readonly Message[] => {
    const c = ctx.conn;
    if (c === null) return [];
    const data: GleResult = { done };
    return [{ kind: 'response', id: c.op, from: ctx.name, to: clientOf(c.op), status: 'ok', data, gossip: externalGossip(ctx.clock.cluster) }];
  };
  const withConn = (ctx: RouterContext, patch: Partial<ConnState>): RouterContext => (ctx.conn === null ? ctx : { ...ctx, conn: { ...ctx.conn, ...patch } });
  const seenOf = (ctx: RouterContext): Seen | undefined => (ctx.conn === null ? undefined : ctx.seen[SHARDS.indexOf(ctx.conn.shard)]);

  return {
    guards: {
      tableKnown: (ctx: RouterContext) => ctx.table !== null,
      isLoadReply: (ctx: RouterContext, e: RouterEvent) => isResponse(e, loadId(ctx)),
      knowsConnection: (ctx: RouterContext, e: RouterEvent) => 'msg' in e && ctx.conn !== null && ctx.conn.op === e.msg.id,
      isOpReply: (ctx: RouterContext, e: RouterEvent) => isResponse(e, opExchange(ctx)),
      isOpRefreshReply: (ctx: RouterContext, e: RouterEvent) => isResponse(e, opRefreshId(ctx)),
      shardReportsOk: (_ctx: RouterContext, e: RouterEvent) => statusOf(e) === 'ok' && (responseOf(e as MessageEvent).data as LastError | null)?.kind === 'ok',
      shardReportsWriteback: (_ctx: RouterContext, e: RouterEvent) => statusOf(e) === 'ok' && (responseOf(e as MessageEvent).data as LastError | null)?.kind === 'writeback',
      /** Under `gle-no-wait`, `getLastError` treats a reported writeback as done. */
      skipsWritebackWait: () => glesWithoutWaiting,
      writeSucceeded: (_ctx: RouterContext, e: RouterEvent) => statusOf(e) === 'ok',
      staleRetryable: (ctx: RouterContext, e: RouterEvent) => statusOf(e) === 'StaleConfig' && ctx.conn !== null && ctx.conn.attempts < STALE_RETRIES,
      /** Under `resend-stale-version`, a stale write is re-sent with the version the shard reported instead of after a refresh. */
      resendsWithoutRefresh: () => resendsStaleVersion,
      writebackApplied: (ctx: RouterContext) => {
        const s = seenOf(ctx);
        return s !== undefined && ctx.conn!.waitFor > 0 && s.id === ctx.conn!.waitFor && s.ok;
      },
      /** The listener recorded the awaited id as failed, or is already past it (writeback_listener.cpp asserts). */
      writebackFailed: (ctx: RouterContext) => {
        const s = seenOf(ctx);
        return s !== undefined && ctx.conn!.waitFor > 0 && (s.id > ctx.conn!.waitFor || (s.id === ctx.conn!.waitFor && !s.ok));
      },
    },
    updates: {
      /** ClusterTime from the driver (a driver gossips nothing else). */
      acceptClientGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const clock = advance(ctx.clock, { $clusterTime: requestOf(e as MessageEvent).gossip.$clusterTime });
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      acceptGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => gossipInto(ctx, responseOf(e as MessageEvent).gossip, bugs),
      installTable: (ctx: RouterContext, e: RouterEvent): RouterContext => installTable(ctx, e as MessageEvent),
      /** Route the client's write by the cached table: the owner it names, with the chunk's version. */
      routeWrite: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const req = requestOf(e as MessageEvent);
        const t = ctx.table!;
        return { ...ctx, conn: { op: req.id, write: req.cmd['write'] as string, shard: t.owner, version: t.version, attempts: 0, waitFor: 0, result: null } };
      },
      reroute: (ctx: RouterContext): RouterContext => (ctx.table === null ? ctx : withConn(ctx, { shard: ctx.table.owner, version: ctx.table.version })),
      /** The seeded bug's "fix": keep the target, take the version the shard said it wanted. */
      adoptWantedVersion: (ctx: RouterContext, e: RouterEvent): RouterContext => withConn(ctx, { version: (responseOf(e as MessageEvent).data as { wanted: number }).wanted }),
      countAttempt: (ctx: RouterContext): RouterContext => withConn(ctx, { attempts: (ctx.conn?.attempts ?? 0) + 1 }),
      awaitWriteback: (ctx: RouterContext, e: RouterEvent): RouterContext => withConn(ctx, { waitFor: (responseOf(e as MessageEvent).data as { id: number }).id }),
      recordSuccess: (ctx: RouterContext): RouterContext => withConn(ctx, { result: true }),
      recordFailure: (ctx: RouterContext): RouterContext => withConn(ctx, { result: false }),
      forgetOp: (ctx: RouterContext): RouterContext => (ctx.conn === null ? ctx : { ...ctx, conn: null }),
    },
    effects: {
      requestTable: (ctx: RouterContext): readonly Message[] => [findChunks(ctx, ctx.name, loadId(ctx))],
      sendWrite: (ctx: RouterContext): readonly Message[] => writeTo(ctx, false),
      sendWriteCommand: (ctx: RouterContext): readonly Message[] => writeTo(ctx, true),
      sendGle: (ctx: RouterContext): readonly Message[] =>
        ctx.conn === null ? [] : [request(opExchange(ctx), ctx.name, ctx.conn.shard, { name: 'getLastError', conn: serverIdOf(ctx) }, internalGossip(ctx.clock))],
      requestOpRefresh: (ctx: RouterContext): readonly Message[] => [findChunks(ctx, ctx.name, opRefreshId(ctx))],
      replyDone: (ctx: RouterContext): readonly Message[] => replyToClient(ctx, true),
      replyFailed: (ctx: RouterContext): readonly Message[] => replyToClient(ctx, false),
      replyResult: (ctx: RouterContext): readonly Message[] => replyToClient(ctx, ctx.conn?.result === true),
      /** A `getLastError` on a connection this process never saw: the connection was reset by a restart. */
      replyConnectionReset: (ctx: RouterContext, e: RouterEvent): readonly Message[] => {
        const req = requestOf(e as MessageEvent);
        return [{ kind: 'response', id: req.id, from: ctx.name, to: req.from, status: 'NetworkError', data: null, gossip: externalGossip(ctx.clock.cluster) }];
      },
    },
  };
}

/** The client of an op exchange id (`client0:op1` → `client0`). */
function clientOf(op: string): string {
  return op.slice(0, op.indexOf(':'));
}

export type RouterImpl = ReturnType<typeof routerImpl>;
