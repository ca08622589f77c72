/**
 * What both shards of the range-deletion model do (seed 003, "Orphan filtering", "Orphaned range
 * deletion"): serve long-running queries with the filtering metadata they started with, refresh the
 * metadata from the config server, keep `config.rangeDeletions`, and run a single-threaded range
 * deleter over the tasks submitted to it.
 *
 * A query is a cursor: `find` takes a reference to the current filtering metadata (held until the
 * metadata is known) and opens the cursor; `getMore` returns the collection's documents on this
 * shard that the cursor's metadata says the shard owns (the shard filter drops the orphans) and
 * closes the cursor, releasing its reference.
 *
 * The range deleter takes the submitted tasks one at a time: it waits until no running query uses
 * metadata under which this shard owns part of the range, then for the secondaries' delay
 * (`orphanCleanupDelaySecs`, an environment event), deletes the range's documents in batches of
 * {@link BATCH_SIZE} (each batch an environment event: the delay between batches) until a batch
 * finds none, then deletes the task document. Only ready tasks are submitted: by the migration
 * coordinator's sequences, and on restart from `config.rangeDeletions` (the real shard resubmits
 * them when it steps up).
 *
 * Durable: the documents, the vector and oplog time, `config.rangeDeletions`. In memory: the
 * filtering metadata and its older versions, the cursors, the held queries, the deleter's queue.
 *
 * @module
 */
import type { LogicalTime, VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import type { ChunkVersion, Doc, RangeDeletionTask, RoutingTable } from '../sharding/index.js';
import { deleteTask, docsInRange, markReady, pendingTask, putTask } from '../sharding/index.js';
import type { MetadataManager as Manager } from '../sharding/metadata-manager.js';
import { acquire, clearMetadata, filterOrphans, installMetadata, rangeInUse, release, tableOf, UNKNOWN_METADATA, versionOf } from '../sharding/metadata-manager.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message, Status } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { Bugs, MessageEvent, QueryResult } from './common.js';
import { BATCH_SIZE, CONFIG, requestOf, responseOf } from './common.js';

/** An open cursor: the query's exchange, its client, and the version of the metadata it holds. */
export interface Cursor {
  readonly id: string;
  readonly from: string;
  readonly version: ChunkVersion;
}

/** A query waiting for the filtering metadata to be known. */
export interface HeldFind {
  readonly id: string;
  readonly from: string;
}

export interface RdShardContext {
  readonly host: string;
  readonly clock: VectorTime;
  /** The time of its last oplog entry (durable). */
  readonly oplog: LogicalTime;
  /** The documents of the sharded collection it holds (durable). */
  readonly docs: readonly Doc[];
  /** `config.rangeDeletions` (durable). */
  readonly rangeDeletions: readonly RangeDeletionTask[];
  /** The filtering metadata with the older versions running queries hold (in memory). */
  readonly metadata: Manager;
  /** A refresh of the filtering metadata is in flight (in memory). */
  readonly refreshing: boolean;
  readonly heldFinds: readonly HeldFind[];
  readonly cursors: readonly Cursor[];
  /** The range deleter's queue: the ids of the tasks submitted to it, in order (in memory). */
  readonly queue: readonly string[];
}

export type DeleterEvent = { readonly type: 'SECONDARY_DELAY' } | { readonly type: 'DELETE_BATCH' };

export function newShardContext(host: string, metadata: Manager, docs: readonly Doc[], rangeDeletions: readonly RangeDeletionTask[]): RdShardContext {
  return { host, clock: ZERO_TIME, oplog: 0, docs, rangeDeletions, metadata, refreshing: false, heldFinds: [], cursors: [], queue: [] };
}

/** A restarted shard: durable state kept; the metadata, cursors, held queries and the deleter's queue lost. */
export function restartShard<C extends RdShardContext>(ctx: C, bugs: Bugs): C {
  const clock = bugs.has('restart-forgets-clock') ? vectorTime(ctx.oplog, 0, 0) : ctx.clock;
  return { ...ctx, clock, metadata: UNKNOWN_METADATA, refreshing: false, heldFinds: [], cursors: [], queue: [] };
}

export const refreshId = (host: string): string => `${host}:refresh`;

/** The task the deleter works on: the head of its queue (absent if its document is gone). */
export function headTask(ctx: RdShardContext): RangeDeletionTask | undefined {
  const id = ctx.queue[0];
  return id === undefined ? undefined : ctx.rangeDeletions.find((t) => t.id === id);
}

/** The shard's clock after an oplog write: ClusterTime ticks, and the oplog records it. */
export function tick<C extends RdShardContext>(ctx: C): C {
  const t = ctx.clock.cluster + 1;
  return { ...ctx, clock: vectorTime(t, ctx.clock.config, ctx.clock.topology), oplog: t };
}

/** Submit task `id` to the deleter (once). */
export function submit<C extends RdShardContext>(ctx: C, id: string): C {
  return ctx.queue.includes(id) || !ctx.rangeDeletions.some((t) => t.id === id) ? ctx : { ...ctx, queue: [...ctx.queue, id] };
}

export function withTasks<C extends RdShardContext>(ctx: C, rangeDeletions: readonly RangeDeletionTask[]): C {
  return rangeDeletions === ctx.rangeDeletions ? ctx : { ...ctx, rangeDeletions };
}

/** Persist a pending task for migration `id` over `[min, max)`. */
export function persistPending<C extends RdShardContext>(ctx: C, id: string, min: number, max: number): C {
  return withTasks(ctx, putTask(ctx.rangeDeletions, pendingTask(id, min, max)));
}

/** Mark task `id` ready and submit it (the op observer submits a task when it becomes ready). */
export function readyAndSubmit<C extends RdShardContext>(ctx: C, id: string): C {
  return submit(withTasks(ctx, markReady(ctx.rangeDeletions, id)), id);
}

export function removeTask<C extends RdShardContext>(ctx: C, id: string): C {
  return withTasks(ctx, deleteTask(ctx.rangeDeletions, id));
}

const cursorIdOf = (e: { readonly msg?: Message }): string => requestOf(e).cmd['cursor'] as string;

/**
 * The guards and actions of a shard's queries, refreshes and range deleter, for the donor's and
 * the recipient's charts to name.
 */
export function shardImpl<C extends RdShardContext, E extends { readonly type: string; readonly msg?: Message }>(bugs: Bugs) {
  const waitsForQueries = !bugs.has('no-wait-for-queries');
  const filters = !bugs.has('no-orphan-filter');
  const resubmitsPending = bugs.has('delete-pending-range');
  const resubmits = !bugs.has('no-resubmit-on-restart');
  const gossip = (ctx: C) => internalGossip(ctx.clock);
  const reply = (ctx: C, e: E, status: Status, data: unknown): Message => respond(requestOf(e), ctx.host, status, data, gossip(ctx));
  const cursorOpened = (ctx: C, h: HeldFind): Message => ({ kind: 'response', id: h.id, from: ctx.host, to: h.from, status: 'ok', data: { cursor: h.id }, gossip: gossip(ctx) });
  // A query is its exchange: the same `find` delivered again opens no second cursor.
  const open = (ctx: C, h: HeldFind): C =>
    ctx.cursors.some((c) => c.id === h.id) ? ctx : { ...ctx, metadata: acquire(ctx.metadata), cursors: [...ctx.cursors, { id: h.id, from: h.from, version: versionOf(ctx.metadata.current!) }] };

  return {
    guards: {
      metaUnknown: (ctx: C) => ctx.metadata.current === null,
      hasCursor: (ctx: C, e: E) => ctx.cursors.some((c) => c.id === cursorIdOf(e)),
      isRefreshReply: (ctx: C, e: E) => e.msg !== undefined && e.msg.kind === 'response' && e.msg.id === refreshId(ctx.host),
      hasSubmitted: (ctx: C) => ctx.queue.length > 0,
      /** No running query uses metadata under which this shard owns part of the head task's range (without the wait: always). */
      headRangeFree: (ctx: C) => {
        const t = headTask(ctx);
        return !waitsForQueries || t === undefined || !rangeInUse(ctx.metadata, ctx.host, t.min, t.max);
      },
      headRangeHasDocs: (ctx: C) => {
        const t = headTask(ctx);
        return t !== undefined && docsInRange(ctx.docs, t.min, t.max).length > 0;
      },
    },
    updates: {
      acceptGossip: (ctx: C, e: E): C => {
        if (e.msg === undefined) return ctx;
        const clock = acceptGossip(ctx.clock, e.msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      holdFind: (ctx: C, e: E): C => {
        const req = requestOf(e);
        return ctx.heldFinds.some((h) => h.id === req.id) ? ctx : { ...ctx, heldFinds: [...ctx.heldFinds, { id: req.id, from: req.from }] };
      },
      /** A query starts: a reference to the current metadata, a cursor. */
      openCursor: (ctx: C, e: E): C => {
        const req = requestOf(e);
        return open(ctx, { id: req.id, from: req.from });
      },
      /** The query ends: its cursor closed, its reference released (an older version nobody holds is dropped). */
      closeCursor: (ctx: C, e: E): C => {
        const c = ctx.cursors.find((x) => x.id === cursorIdOf(e));
        return c === undefined ? ctx : { ...ctx, metadata: release(ctx.metadata, c.version), cursors: ctx.cursors.filter((x) => x !== c) };
      },
      markRefreshing: (ctx: C): C => (ctx.refreshing ? ctx : { ...ctx, refreshing: true }),
      markRefreshingIfUnknown: (ctx: C): C => (ctx.metadata.current !== null || ctx.refreshing ? ctx : { ...ctx, refreshing: true }),
      installRefreshed: (ctx: C, e: E): C => {
        const metadata = installMetadata(ctx.metadata, responseOf(e).data as RoutingTable);
        return metadata === ctx.metadata && !ctx.refreshing ? ctx : { ...ctx, metadata, refreshing: false };
      },
      /** The metadata is cleared (the shard's ownership changed); running queries keep their version. */
      clearFilteringMetadata: (ctx: C): C => (ctx.metadata.current === null ? ctx : { ...ctx, metadata: clearMetadata(ctx.metadata) }),
      openHeldCursors: (ctx: C): C => {
        let next = ctx;
        for (const h of ctx.heldFinds) next = open(next, h);
        return next;
      },
      dropHeldFinds: (ctx: C): C => (ctx.heldFinds.length === 0 ? ctx : { ...ctx, heldFinds: [] }),
      /** On start-up the ready tasks of `config.rangeDeletions` are submitted again (under `delete-pending-range`: every task; under `no-resubmit-on-restart`: none). */
      resubmitTasks: (ctx: C): C => {
        if (!resubmits) return ctx;
        let next = ctx;
        for (const t of ctx.rangeDeletions) if (!t.pending || resubmitsPending) next = submit(next, t.id);
        return next;
      },
      /** One batch: up to {@link BATCH_SIZE} of the range's documents deleted, one oplog write. */
      deleteBatch: (ctx: C): C => {
        const t = headTask(ctx);
        if (t === undefined) return ctx;
        const batch = new Set(docsInRange(ctx.docs, t.min, t.max).slice(0, BATCH_SIZE));
        return batch.size === 0 ? ctx : { ...tick(ctx), docs: ctx.docs.filter((d) => !batch.has(d)) };
      },
      /** A batch found nothing: the range is clean; the task document is deleted and the deleter takes the next task. */
      finishTask: (ctx: C): C => {
        const id = ctx.queue[0];
        if (id === undefined) return ctx;
        return { ...removeTask(ctx, id), queue: ctx.queue.slice(1) };
      },
    },
    effects: {
      requestRefresh: (ctx: C): readonly Message[] => (ctx.refreshing ? [] : [request(refreshId(ctx.host), ctx.host, CONFIG, { name: 'find', collection: 'config.chunks' }, gossip(ctx))]),
      requestRefreshIfUnknown: (ctx: C): readonly Message[] =>
        ctx.metadata.current !== null || ctx.refreshing ? [] : [request(refreshId(ctx.host), ctx.host, CONFIG, { name: 'find', collection: 'config.chunks' }, gossip(ctx))],
      replyCursor: (ctx: C, e: E): readonly Message[] => [reply(ctx, e, 'ok', { cursor: requestOf(e).id })],
      replyHeldFinds: (ctx: C): readonly Message[] => ctx.heldFinds.map((h) => cursorOpened(ctx, h)),
      /** The last batch: the documents the cursor's metadata says this shard owns (without the filter: every document here). */
      replyBatch: (ctx: C, e: E): readonly Message[] => {
        const c = ctx.cursors.find((x) => x.id === cursorIdOf(e));
        const table = c === undefined ? undefined : tableOf(ctx.metadata, c.version);
        if (c === undefined || table === undefined) return [reply(ctx, e, 'OperationFailed', null)];
        const result: QueryResult = { ids: filterOrphans(table, ctx.host, ctx.docs, filters).map((d) => d.id), version: c.version };
        return [reply(ctx, e, 'ok', result)];
      },
      replyCursorNotFound: (ctx: C, e: E): readonly Message[] => [reply(ctx, e, 'OperationFailed', null)],
      acknowledge: (ctx: C, e: E): readonly Message[] => [reply(ctx, e, 'ok', null)],
    },
  };
}

/** The actions that install a refreshed metadata and open the queries held for it. */
export const INSTALL_REFRESH = ['acceptGossip', 'installRefreshed', 'openHeldCursors', 'replyHeldFinds', 'dropHeldFinds'] as const;

export type { MessageEvent };
