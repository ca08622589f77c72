/**
 * What every shard of a sharded collection does with a versioned operation (seed 003, "Shard
 * versioning", "The routing table cache"), shared by the migration and range-deletion models:
 * check the attached shard version against the filtering metadata; with unknown metadata, hold the
 * operation and refresh from the config server, then answer it with a stale-version error so that
 * its sender retries; on a mismatch answer the error at once, and refresh too when the sender has
 * seen a newer version; otherwise run it. Operations held for another reason (a migration's
 * critical section) are answered the same way once it ends.
 *
 * A shard's data, vector time and oplog time are durable; its filtering metadata, the operations it
 * holds and its refresh in flight are in memory.
 *
 * @module
 */
import type { Gossip, LogicalTime, VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime } from '../logical-time.js';
import type { Message, RemoteRequest } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { CachedRouting } from './catalog-cache.js';
import { installRefresh } from './catalog-cache.js';
import type { ChunkVersion } from './chunk-version.js';
import type { Doc } from './data.js';
import { docsInRange, insertDoc } from './data.js';
import type { RoutingTable } from './routing-table.js';
import { chunkFor, shardVersion } from './routing-table.js';
import type { StaleConfigInfo, VersionCheck } from './versioning.js';
import { checkShardVersion } from './versioning.js';

/** Why a shard holds an operation: its metadata is being refreshed, or a critical section blocks it. */
export type HoldReason = 'refresh' | 'critsec';

export interface HeldOp {
  readonly reason: HoldReason;
  readonly req: RemoteRequest;
}

/** The part of a shard's context that serving versioned operations reads and writes. */
export interface ShardServing {
  readonly host: string;
  readonly clock: VectorTime;
  /** The time of its last oplog entry (durable; a restart recovers its clock from it and the persisted vector time). */
  readonly oplog: LogicalTime;
  /** The documents of the sharded collection it holds (durable). */
  readonly docs: readonly Doc[];
  /** The filtering metadata: its cached routing table, `null` when unknown (in memory). */
  readonly meta: CachedRouting;
  /** A refresh of the metadata is in flight (in memory). */
  readonly refreshing: boolean;
  /** Operations held (in memory). */
  readonly held: readonly HeldOp[];
}

/** A versioned CRUD request's arguments. */
export interface VersionedOp {
  readonly name: string;
  readonly doc: Doc | null;
  readonly key: number;
  readonly shardVersion: ChunkVersion;
}

export const opOf = (req: RemoteRequest): VersionedOp => req.cmd as unknown as VersionedOp;

export function versionCheck(ctx: ShardServing, req: RemoteRequest): VersionCheck {
  return checkShardVersion(ctx.meta, ctx.host, opOf(req).shardVersion);
}

/** The shard's clock after an oplog write: ClusterTime ticks, and the oplog records the write's time. */
export function tick<C extends ShardServing>(ctx: C): C {
  const t = ctx.clock.cluster + 1;
  return { ...ctx, clock: vectorTime(t, ctx.clock.config, ctx.clock.topology), oplog: t };
}

export function withGossip<C extends ShardServing>(ctx: C, clock: VectorTime): C {
  return clock === ctx.clock ? ctx : { ...ctx, clock };
}

/** An insert applied: the document written at a freshly ticked ClusterTime. */
export function applyInsert<C extends ShardServing>(ctx: C, d: Doc): C {
  return { ...tick(ctx), docs: insertDoc(ctx.docs, d) };
}

/** Hold `req` (once: a request already held is not held twice). */
export function hold<C extends ShardServing>(ctx: C, reason: HoldReason, req: RemoteRequest): C {
  if (ctx.held.some((h) => h.req.id === req.id && h.req.from === req.from)) return ctx;
  return { ...ctx, held: [...ctx.held, { reason, req }] };
}

export const refreshId = (host: string): string => `${host}:refresh`;

/** The refresh of the filtering metadata: a `find` on `config.chunks`. */
export function refreshRequest(ctx: ShardServing, config: string): Message {
  return request(refreshId(ctx.host), ctx.host, config, { name: 'find', collection: 'config.chunks' }, internalGossip(ctx.clock));
}

export function installMeta<C extends ShardServing>(ctx: C, fresh: RoutingTable): C {
  const meta = installRefresh(ctx.meta, fresh);
  return meta === ctx.meta && !ctx.refreshing ? ctx : { ...ctx, meta, refreshing: false };
}

/** The stale-version error for `req`: what it carried and what this shard has. */
export function staleReply(ctx: ShardServing, req: RemoteRequest): Message {
  const data: StaleConfigInfo = { received: opOf(req).shardVersion, wanted: ctx.meta === null ? null : shardVersion(ctx.meta, ctx.host) };
  return respond(req, ctx.host, 'StaleConfig', data, internalGossip(ctx.clock));
}

/** The successful reply to a CRUD request: `null` for an insert, the ids of the chunk's documents here for a find. */
export function okReply(ctx: ShardServing, req: RemoteRequest): Message {
  const op = opOf(req);
  if (op.name !== 'find' || ctx.meta === null) return respond(req, ctx.host, 'ok', null, internalGossip(ctx.clock));
  const c = chunkFor(ctx.meta, op.key);
  return respond(req, ctx.host, 'ok', { ids: docsInRange(ctx.docs, c.min, c.max).map((d) => d.id) }, internalGossip(ctx.clock));
}

/** The stale-version replies to the operations held for `reason`. */
export function releaseReplies(ctx: ShardServing, reason: HoldReason): readonly Message[] {
  return ctx.held.filter((h) => h.reason === reason).map((h) => staleReply(ctx, h.req));
}

export function dropHeld<C extends ShardServing>(ctx: C, reason: HoldReason): C {
  const held = ctx.held.filter((h) => h.reason !== reason);
  return held.length === ctx.held.length ? ctx : { ...ctx, held };
}

/** Gossip of a message into a shard's clock (the caller's accept rule, for the vector clock's seeded bugs). */
export type AcceptGossip = (t: VectorTime, g: Gossip) => VectorTime;

interface MessageEventLike {
  readonly type: string;
  readonly msg?: Message;
}

const reqOf = (e: MessageEventLike): RemoteRequest => e.msg as RemoteRequest;

/**
 * The guards and actions of serving versioned CRUD operations, for a shard chart to name: the
 * version check (`metaUnknown`, `versionStale`, `shardIsOlder`), holding (`holdForRefresh`,
 * `holdForCriticalSection`), the refresh (`requestRefresh`, `installRefreshed`, `replyRefreshHeld`,
 * `dropRefreshHeld`), running the operation (`applyOp`, `replyOk`) and the errors (`replyStale`).
 * `onInsert` lets a role do more with an insert it applies (a donor queues it for `_transferMods`).
 */
export function servingImpl<C extends ShardServing, E extends MessageEventLike>(config: string, accept: AcceptGossip, onInsert: (ctx: C, d: Doc) => C = (ctx) => ctx) {
  return {
    guards: {
      metaUnknown: (ctx: C) => ctx.meta === null,
      isRefreshReply: (ctx: C, e: E) => e.msg !== undefined && e.msg.kind === 'response' && e.msg.id === refreshId(ctx.host),
      versionStale: (ctx: C, e: E) => versionCheck(ctx, reqOf(e)).kind === 'stale',
      /** The sender has seen a newer version than this shard's: the shard must refresh too. */
      shardIsOlder: (ctx: C, e: E) => {
        const v = versionCheck(ctx, reqOf(e));
        return v.kind === 'stale' && v.shardIsOlder;
      },
    },
    updates: {
      acceptGossip: (ctx: C, e: E): C => (e.msg === undefined ? ctx : withGossip(ctx, accept(ctx.clock, e.msg.gossip))),
      holdForRefresh: (ctx: C, e: E): C => hold(ctx, 'refresh', reqOf(e)),
      holdForCriticalSection: (ctx: C, e: E): C => hold(ctx, 'critsec', reqOf(e)),
      markRefreshing: (ctx: C): C => (ctx.refreshing ? ctx : { ...ctx, refreshing: true }),
      installRefreshed: (ctx: C, e: E): C => installMeta(ctx, (e.msg as { data: unknown }).data as RoutingTable),
      dropRefreshHeld: (ctx: C): C => dropHeld(ctx, 'refresh'),
      dropCriticalSectionHeld: (ctx: C): C => dropHeld(ctx, 'critsec'),
      applyOp: (ctx: C, e: E): C => {
        const op = opOf(reqOf(e));
        return op.name === 'insert' && op.doc !== null ? onInsert(applyInsert(ctx, op.doc), op.doc) : ctx;
      },
    },
    effects: {
      /** A refresh, unless one is in flight already. */
      requestRefresh: (ctx: C): readonly Message[] => (ctx.refreshing ? [] : [refreshRequest(ctx, config)]),
      replyStale: (ctx: C, e: E): readonly Message[] => [staleReply(ctx, reqOf(e))],
      replyOk: (ctx: C, e: E): readonly Message[] => [okReply(ctx, reqOf(e))],
      replyRefreshHeld: (ctx: C): readonly Message[] => releaseReplies(ctx, 'refresh'),
      replyCriticalSectionHeld: (ctx: C): readonly Message[] => releaseReplies(ctx, 'critsec'),
    },
  };
}
