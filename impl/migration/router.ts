/**
 * A router (mongos) of the migration model: it routes each client operation by its cached routing
 * table — to the shard that owns the key's chunk, with that shard's version as the router knows
 * it — and on a stale-version error refreshes its cache from the config server and retries
 * (seed 003, "The routing table cache", "Versioning updates"). Routers never tick the vector clock;
 * they gossip it. Everything is in memory.
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { advance, externalGossip, internalGossip, ZERO_TIME } from '../logical-time.js';
import type { CachedRouting, Doc } from '../sharding/index.js';
import { chunkFor, installRefresh, shardVersion } from '../sharding/index.js';
import type { RoutingTable } from '../sharding/index.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message, RemoteResponse } from '../world/network.js';
import { request } from '../world/network.js';
import type { Bugs, MessageEvent } from './common.js';
import { CONFIG, requestOf, responseOf, STALE_RETRIES } from './common.js';

/** The operation in progress: the client's request, where it was sent, and how often it was retried. */
export interface RouterOp {
  /** The client's exchange id (the reply goes back with it). */
  readonly op: string;
  readonly client: string;
  readonly name: 'insert' | 'find';
  readonly doc: Doc | null;
  readonly key: number;
  readonly shard: string;
  readonly attempts: number;
}

export interface RouterContext {
  readonly name: string;
  readonly clock: VectorTime;
  readonly table: CachedRouting;
  readonly conn: RouterOp | null;
}

export type RouterEvent = MessageEvent | { readonly type: 'TIMEOUT' };

export function newRouter(name: string, table: CachedRouting): RouterContext {
  return { name, clock: ZERO_TIME, table, conn: null };
}

export const tryId = (ctx: RouterContext): string => `${ctx.name}:${ctx.conn?.op ?? ''}:try${ctx.conn?.attempts ?? 0}`;
export const refreshId = (ctx: RouterContext): string => `${ctx.name}:${ctx.conn?.op ?? ''}:refresh${ctx.conn?.attempts ?? 0}`;

const isReply = (e: RouterEvent, id: string): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.id === id;
const statusOf = (e: RouterEvent): RemoteResponse['status'] => responseOf(e as MessageEvent).status;

export function routerImpl(bugs: Bugs) {
  const toShard = (ctx: RouterContext): readonly Message[] => {
    const c = ctx.conn;
    if (c === null || ctx.table === null) return [];
    const cmd = { name: c.name, doc: c.doc, key: c.key, shardVersion: shardVersion(ctx.table, c.shard) };
    return [request(tryId(ctx), ctx.name, c.shard, cmd, internalGossip(ctx.clock))];
  };
  const replyToClient = (ctx: RouterContext, status: RemoteResponse['status'], data: unknown): readonly Message[] => {
    const c = ctx.conn;
    if (c === null) return [];
    return [{ kind: 'response', id: c.op, from: ctx.name, to: c.client, status, data, gossip: externalGossip(ctx.clock.cluster) }];
  };
  return {
    guards: {
      isTryReply: (ctx: RouterContext, e: RouterEvent) => isReply(e, tryId(ctx)),
      isRefreshReply: (ctx: RouterContext, e: RouterEvent) => isReply(e, refreshId(ctx)),
      succeeded: (_ctx: RouterContext, e: RouterEvent) => statusOf(e) === 'ok',
      staleRetryable: (ctx: RouterContext, e: RouterEvent) => statusOf(e) === 'StaleConfig' && ctx.conn !== null && ctx.conn.attempts < STALE_RETRIES,
    },
    updates: {
      /** ClusterTime from the driver (a driver gossips nothing else). */
      acceptClientGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const clock = advance(ctx.clock, { $clusterTime: requestOf(e as MessageEvent).gossip.$clusterTime });
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      acceptGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const clock = acceptGossip(ctx.clock, responseOf(e as MessageEvent).gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** Target the shard that owns the key's chunk in the cached table. */
      route: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const req = requestOf(e as MessageEvent);
        const key = req.cmd['key'] as number;
        const shard = ctx.table === null ? '' : chunkFor(ctx.table, key).shard;
        return { ...ctx, conn: { op: req.id, client: req.from, name: req.cmd.name as 'insert' | 'find', doc: (req.cmd['doc'] as Doc | null) ?? null, key, shard, attempts: 0 } };
      },
      installTable: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const table = installRefresh(ctx.table, responseOf(e as MessageEvent).data as RoutingTable);
        return table === ctx.table ? ctx : { ...ctx, table };
      },
      /** Retry: count the attempt and re-target by the (refreshed) table. */
      retarget: (ctx: RouterContext): RouterContext => {
        const c = ctx.conn;
        if (c === null || ctx.table === null) return ctx;
        return { ...ctx, conn: { ...c, shard: chunkFor(ctx.table, c.key).shard, attempts: c.attempts + 1 } };
      },
      forgetOp: (ctx: RouterContext): RouterContext => (ctx.conn === null ? ctx : { ...ctx, conn: null }),
    },
    effects: {
      sendToShard: toShard,
      requestRefresh: (ctx: RouterContext): readonly Message[] => [request(refreshId(ctx), ctx.name, CONFIG, { name: 'find', collection: 'config.chunks' }, internalGossip(ctx.clock))],
      replyResult: (ctx: RouterContext, e: RouterEvent): readonly Message[] => replyToClient(ctx, 'ok', responseOf(e as MessageEvent).data),
      replyError: (ctx: RouterContext, e: RouterEvent): readonly Message[] => replyToClient(ctx, e.type === 'TIMEOUT' ? 'NetworkError' : statusOf(e), null),
    },
  };
}

export type RouterImpl = ReturnType<typeof routerImpl>;
