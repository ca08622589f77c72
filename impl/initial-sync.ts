/**
 * Replica-set initial sync (seed 001, "Replica Set Sync and Initial Sync", "Background Sync
 * Threads", "Sync Source Feedback", "Oplog Reader"; DESIGN § 4.2): the data and pure functions of
 * its three roles — a client writing with w:"majority", the sync source (the primary) and the
 * syncing node. The charts are in `machines/initial-sync/`; the composition is
 * `protocols/initial-sync.ts`.
 *
 * The syncing node's steps, and where they live here ({@link nodeImpl}):
 * - set the durable "initial sync in progress" flag and wipe its data (`beginAttempt`);
 * - read the source's last oplog position and start fetching the oplog from it (`recordBeginFetch`);
 * - clone the collection one document at a time while writes keep landing (`storeDoc`,
 *   `requestNextDoc`): the clone is not a snapshot; fetched batches are buffered (`bufferBatch`);
 * - read the source's last position again at the end of the clone: `minValid` (`recordMinValid`);
 * - apply the buffered entries and keep applying batches until `minValid` (`applyBuffered`,
 *   `applyBatch`), idempotently (`applyEntry` in `impl/replication/oplog.ts`);
 * - clear the flag and tail the oplog as a secondary, reporting its applied position to the source
 *   (`clearFlag`, `reportProgress`: replSetUpdatePosition).
 * An error of the attempt — the source restarted (its boot id changed), the oplog entries after the
 * fetcher's position rolled over, a lost message — starts a new attempt from scratch; a restart
 * of the node with the flag set does too.
 *
 * @module
 */
import type { LogicalTime, VectorTime } from './logical-time.js';
import { advance, externalGossip, internalGossip, vectorTime, ZERO_TIME } from './logical-time.js';
import type { Collection, Doc, OplogEntry, OpTime, Oplog, WriteOp } from './replication/index.js';
import {
  appendEntry,
  applyEntry,
  applyEntryNonIdempotent,
  compareOpTime,
  EMPTY_OPLOG,
  executeWrite,
  fetchAfter,
  lastOpTime,
  nextDocAfter,
  NULL_OPTIME,
  sameOpTime,
} from './replication/index.js';
import type { Message, RemoteRequest, RemoteResponse } from './world/network.js';
import { request, respond } from './world/network.js';
import type { MessageEvent } from './world/events.js';
import { requestOf, responseOf } from './world/events.js';

/** Host names. */
export const CLIENT = 'client';
export const SOURCE = 'source';
export const NODE = 'node';

/** The term of the source's writes (no elections in this protocol). */
export const TERM = 1;

/** The seeded bugs of initial sync (descriptions in `protocols/initial-sync.ts`). */
export type InitialSyncBug = 'fetch-after-clone' | 'no-apply-phase' | 'non-idempotent-apply' | 'resume-as-finished' | 'feedback-reports-fetched';

type Bugs = ReadonlySet<string>;

export type { MessageEvent } from './world/events.js';
export { messageEventByCommand as messageEvent } from './world/events.js';

// ------------------------------------------------------------------------------------------ client

/** A client: one write at a time from a budget, each with writeConcern w:"majority". */
export interface ClientContext {
  readonly clusterTime: LogicalTime;
  readonly opsLeft: number;
  readonly opCount: number;
  /** The greatest oplog timestamp of a write acknowledged to it (0: none). */
  readonly acked: LogicalTime;
}

export type ClientEvent = { readonly type: 'SUBMIT'; readonly write: WriteOp } | { readonly type: 'response'; readonly msg: Message } | { readonly type: 'TIMEOUT' };

export const opId = (opCount: number): string => `op${opCount}`;

export function newClient(ops: number): ClientContext {
  return { clusterTime: 0, opsLeft: ops, opCount: 0, acked: 0 };
}

/** What the source answers an acknowledged write: the write's oplog timestamp. */
export interface WriteReply {
  readonly ts: LogicalTime;
}

export function clientImpl() {
  return {
    guards: {
      hasBudget: (ctx: ClientContext) => ctx.opsLeft > 0,
      isCurrentReply: (ctx: ClientContext, e: ClientEvent) => e.type === 'response' && e.msg.id === opId(ctx.opCount),
    },
    updates: {
      startOp: (ctx: ClientContext): ClientContext => ({ ...ctx, opsLeft: ctx.opsLeft - 1, opCount: ctx.opCount + 1 }),
      learnAck: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const res = responseOf(e as MessageEvent);
        const clusterTime = Math.max(ctx.clusterTime, res.gossip.$clusterTime);
        const acked = res.status === 'ok' ? Math.max(ctx.acked, (res.data as WriteReply).ts) : ctx.acked;
        return clusterTime === ctx.clusterTime && acked === ctx.acked ? ctx : { ...ctx, clusterTime, acked };
      },
    },
    effects: {
      sendWrite: (ctx: ClientContext, e: ClientEvent): readonly Message[] =>
        e.type === 'SUBMIT' ? [request(opId(ctx.opCount), CLIENT, SOURCE, { name: 'write', op: e.write.op, id: e.write.id, w: 'majority' }, externalGossip(ctx.clusterTime))] : [],
    },
  };
}

// ------------------------------------------------------------------------------------------ source

/** A write waiting for w:"majority" (both members of the two-node set), and whom to answer. */
export interface AwaitingAck {
  readonly id: string;
  readonly to: string;
  readonly ts: LogicalTime;
}

/**
 * The sync source, the primary. `clock`, `boot`, `docs` and `oplog` are durable; what it knows of
 * the syncing node's progress (`reported`) and the writes waiting for it (`waiting`) are not.
 */
export interface SourceContext {
  readonly clock: VectorTime;
  /** Its boot id: a restart changes it, and a syncing node that sees it change fails its attempt. */
  readonly boot: number;
  readonly docs: Collection;
  readonly oplog: Oplog;
  /** How many entries the capped oplog holds. */
  readonly capacity: number;
  /** The syncing node's applied position, from its replSetUpdatePosition (sync-source feedback). */
  readonly reported: OpTime;
  readonly waiting: readonly AwaitingAck[];
}

export type SourceEvent = MessageEvent;

/** The source at the start: `docs` documents `a`, `b`, … inserted at times 1, 2, … (older entries rolled over). */
export function newSource(docs: number, capacity: number): SourceContext {
  let oplog = EMPTY_OPLOG;
  const initial: Doc[] = [];
  for (let i = 0; i < docs; i++) {
    const id = String.fromCharCode(97 + i);
    initial.push({ id, v: 0 });
    oplog = appendEntry(oplog, { ts: i + 1, term: TERM, op: 'i', id, v: 0 }, capacity);
  }
  return { clock: vectorTime(docs, 0, 0), boot: 0, docs: initial, oplog, capacity, reported: NULL_OPTIME, waiting: [] };
}

/** A restarted source: durable data kept, a new boot id, what it knew of the syncing node lost. */
export function recoverSource(ctx: SourceContext): SourceContext {
  return { ...ctx, boot: ctx.boot + 1, reported: NULL_OPTIME, waiting: [] };
}

/** The data of the source's answer to the oplog query (`find` on `local.oplog.rs`, last entry). */
export interface PositionReply {
  readonly boot: number;
  readonly optime: OpTime;
}
/** The data of the source's answer to a clone `find` after `after`. */
export interface CloneReply {
  readonly boot: number;
  readonly after: string;
  readonly doc: Doc | null;
}
/** The data of the source's answer to a `getMore` on the oplog from `after`. */
export interface BatchReply {
  readonly boot: number;
  readonly after: OpTime;
  readonly entries: readonly OplogEntry[];
}

export const OPLOG_COLLECTION = 'local.oplog.rs';
export const DATA_COLLECTION = 'test.docs';

export function sourceImpl() {
  const reply = (ctx: SourceContext, e: SourceEvent, data: unknown, status: RemoteResponse['status'] = 'ok'): Message =>
    respond(requestOf(e), SOURCE, status, data, internalGossip(ctx.clock));
  return {
    guards: {
      isOplogQuery: (_ctx: SourceContext, e: SourceEvent) => requestOf(e).cmd['collection'] === OPLOG_COLLECTION,
    },
    updates: {
      acceptGossip: (ctx: SourceContext, e: SourceEvent): SourceContext => {
        const clock = advance(ctx.clock, e.msg.gossip);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** Run the write: a change ticks ClusterTime and is logged at it; then it waits for the majority. */
      applyClientWrite: (ctx: SourceContext, e: SourceEvent): SourceContext => {
        const req = requestOf(e);
        const ts = ctx.clock.cluster + 1;
        const done = executeWrite(ctx.docs, { op: req.cmd['op'] as WriteOp['op'], id: req.cmd['id'] as string }, { ts, term: TERM });
        // A second copy of a request already waiting is not a new waiter.
        const wait = (at: LogicalTime) => (ctx.waiting.some((w) => w.id === req.id) ? ctx.waiting : [...ctx.waiting, { id: req.id, to: req.from, ts: at }]);
        if (done === null) return { ...ctx, waiting: wait(lastOpTime(ctx.oplog).ts) };
        return {
          ...ctx,
          clock: vectorTime(ts, ctx.clock.config, ctx.clock.topology),
          docs: done.docs,
          oplog: appendEntry(ctx.oplog, done.entry, ctx.capacity),
          waiting: wait(ts),
        };
      },
      /** replSetUpdatePosition: the syncing node has applied up to `applied`. */
      recordPosition: (ctx: SourceContext, e: SourceEvent): SourceContext => {
        const applied = requestOf(e).cmd['applied'] as OpTime;
        return compareOpTime(applied, ctx.reported) > 0 ? { ...ctx, reported: applied } : ctx;
      },
      forgetAcknowledged: (ctx: SourceContext): SourceContext => {
        const waiting = ctx.waiting.filter((w) => w.ts > ctx.reported.ts);
        return waiting.length === ctx.waiting.length ? ctx : { ...ctx, waiting };
      },
    },
    effects: {
      /** Answer every write the syncing node has now applied: both members have it. */
      replyAcknowledged: (ctx: SourceContext): readonly Message[] =>
        ctx.waiting
          .filter((w) => w.ts <= ctx.reported.ts)
          .map((w): Message => ({ kind: 'response', id: w.id, from: SOURCE, to: w.to, status: 'ok', data: { ts: w.ts } satisfies WriteReply, gossip: externalGossip(ctx.clock.cluster) })),
      replyLastOpTime: (ctx: SourceContext, e: SourceEvent): readonly Message[] => [reply(ctx, e, { boot: ctx.boot, optime: lastOpTime(ctx.oplog) } satisfies PositionReply)],
      replyNextDoc: (ctx: SourceContext, e: SourceEvent): readonly Message[] => {
        const after = requestOf(e).cmd['after'] as string;
        return [reply(ctx, e, { boot: ctx.boot, after, doc: nextDocAfter(ctx.docs, after) } satisfies CloneReply)];
      },
      replyBatch: (ctx: SourceContext, e: SourceEvent): readonly Message[] => {
        const after = requestOf(e).cmd['after'] as OpTime;
        const got = fetchAfter(ctx.oplog, after);
        if (typeof got === 'string') return [reply(ctx, e, { boot: ctx.boot, after, entries: [] } satisfies BatchReply, got)];
        return [reply(ctx, e, { boot: ctx.boot, after, entries: got } satisfies BatchReply)];
      },
    },
  };
}

// ------------------------------------------------------------------------------------ syncing node

/**
 * The syncing node. Durable: `clock`, the "initial sync in progress" `flag`, its data `docs`, its
 * oplog's last applied position `lastApplied` (`null`: an empty oplog), `minValid` (the
 * end-of-clone position, `null` until the clone ends) and the attempt counter. Volatile: the
 * attempt's progress — the source's boot id, the fetcher's position and buffer, the clone cursor.
 */
export interface NodeContext {
  readonly clock: VectorTime;
  readonly flag: boolean;
  readonly docs: Collection;
  readonly lastApplied: OpTime | null;
  readonly minValid: OpTime | null;
  readonly attempt: number;
  /** The source's boot id when the attempt began (-1: not known). */
  readonly sourceBoot: number;
  /** Where fetching began (the source's position when the attempt began). */
  readonly beginFetch: OpTime | null;
  /** The fetcher's last fetched entry (`null`: not fetching). */
  readonly lastFetched: OpTime | null;
  /** Fetched entries not yet applied. */
  readonly buffer: readonly OplogEntry[];
  /** The clone cursor: the `_id` of the last document cloned (`''`: none). */
  readonly clonedAfter: string;
}

export type NodeEvent = MessageEvent | { readonly type: 'START' } | { readonly type: 'FETCH' } | { readonly type: 'REPORT' } | { readonly type: 'TIMEOUT' };

export function newNode(): NodeContext {
  return { clock: ZERO_TIME, flag: false, docs: [], lastApplied: null, minValid: null, attempt: 0, sourceBoot: -1, beginFetch: null, lastFetched: null, buffer: [], clonedAfter: '' };
}

/** A restarted syncing node: durable state kept, the attempt's progress lost. */
export function recoverNode(ctx: NodeContext): NodeContext {
  return { ...ctx, sourceBoot: -1, beginFetch: null, lastFetched: null, buffer: [], clonedAfter: '' };
}

/** The exchange ids of an attempt: one per kind of request. */
export const exchangeId = (kind: 'pos' | 'clone' | 'end' | 'fetch' | 'feedback', attempt: number): string => `${kind}${attempt}`;

export function nodeImpl(bugs: Bugs) {
  const fetchAfterClone = bugs.has('fetch-after-clone');
  const noApplyPhase = bugs.has('no-apply-phase');
  const apply = bugs.has('non-idempotent-apply') ? applyEntryNonIdempotent : applyEntry;
  const resumeAsFinished = bugs.has('resume-as-finished');
  const reportFetched = bugs.has('feedback-reports-fetched');

  /** A successful reply of this attempt's `kind` exchange, from the source the attempt began with. */
  const current = (ctx: NodeContext, e: NodeEvent, kind: Parameters<typeof exchangeId>[0]): boolean => {
    if (e.type !== 'response') return false;
    const res = responseOf(e);
    if (res.id !== exchangeId(kind, ctx.attempt) || res.status !== 'ok') return false;
    return ctx.sourceBoot < 0 || (res.data as { boot: number }).boot === ctx.sourceBoot;
  };
  const batchOf = (e: NodeEvent): BatchReply => responseOf(e as MessageEvent).data as BatchReply;
  const isNextBatch = (ctx: NodeContext, e: NodeEvent): boolean => current(ctx, e, 'fetch') && ctx.lastFetched !== null && sameOpTime(batchOf(e).after, ctx.lastFetched);
  const applyAll = (docs: Collection, entries: readonly OplogEntry[]): Collection => entries.reduce(apply, docs);
  const lastOf = (entries: readonly OplogEntry[], otherwise: OpTime | null): OpTime | null => {
    const e = entries[entries.length - 1];
    return e === undefined ? otherwise : { ts: e.ts, term: e.term };
  };
  const position = (e: NodeEvent): PositionReply => responseOf(e as MessageEvent).data as PositionReply;
  const to = (ctx: NodeContext, kind: Parameters<typeof exchangeId>[0], cmd: RemoteRequest['cmd']): Message =>
    request(exchangeId(kind, ctx.attempt), NODE, SOURCE, cmd, internalGossip(ctx.clock));

  return {
    guards: {
      /** An empty oplog or the flag set: a new initial sync. Under `resume-as-finished`, only an empty oplog. */
      needsInitialSync: (ctx: NodeContext) => ctx.lastApplied === null || (ctx.flag && !resumeAsFinished),
      /** A reply of this attempt that fails it: an error, or from a source that restarted since the attempt began. */
      isAttemptFailure: (ctx: NodeContext, e: NodeEvent) => {
        if (e.type !== 'response') return false;
        const res = responseOf(e);
        const a = ctx.attempt;
        if (res.id !== exchangeId('pos', a) && res.id !== exchangeId('clone', a) && res.id !== exchangeId('end', a) && res.id !== exchangeId('fetch', a)) return false;
        // An error to a getMore from a position the fetcher has since moved past is stale.
        if (res.id === exchangeId('fetch', a) && (ctx.lastFetched === null || !sameOpTime(batchOf(e).after, ctx.lastFetched))) return false;
        if (res.status !== 'ok') return true;
        return ctx.sourceBoot >= 0 && (res.data as { boot: number }).boot !== ctx.sourceBoot;
      },
      isBeginPosition: (ctx: NodeContext, e: NodeEvent) => current(ctx, e, 'pos'),
      isCloneDoc: (ctx: NodeContext, e: NodeEvent) => current(ctx, e, 'clone') && (responseOf(e as MessageEvent).data as CloneReply).after === ctx.clonedAfter && (responseOf(e as MessageEvent).data as CloneReply).doc !== null,
      isCloneEnd: (ctx: NodeContext, e: NodeEvent) => current(ctx, e, 'clone') && (responseOf(e as MessageEvent).data as CloneReply).after === ctx.clonedAfter && (responseOf(e as MessageEvent).data as CloneReply).doc === null,
      isEndPosition: (ctx: NodeContext, e: NodeEvent) => current(ctx, e, 'end'),
      isNextBatch,
      /** The fetcher's position rolled over at the source: this secondary is too stale to catch up. */
      isOplogStartMissing: (ctx: NodeContext, e: NodeEvent) =>
        e.type === 'response' && e.msg.id === exchangeId('fetch', ctx.attempt) && (e.msg as RemoteResponse).status === 'OplogStartMissing' && ctx.lastFetched !== null && sameOpTime(batchOf(e).after, ctx.lastFetched),
      isFetching: (ctx: NodeContext) => ctx.lastFetched !== null,
      /** Applied up to the end-of-clone position: consistent. Under `no-apply-phase`, at once. */
      reachedMinValid: (ctx: NodeContext) => noApplyPhase || (ctx.minValid !== null && ctx.lastApplied !== null && compareOpTime(ctx.lastApplied, ctx.minValid) >= 0),
    },
    updates: {
      acceptGossip: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const clock = advance(ctx.clock, (e as MessageEvent).msg.gossip);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** Set the durable flag, drop the data and the oplog, and start a new attempt. */
      beginAttempt: (ctx: NodeContext): NodeContext => ({
        clock: ctx.clock,
        flag: true,
        docs: [],
        lastApplied: null,
        minValid: null,
        attempt: ctx.attempt + 1,
        sourceBoot: -1,
        beginFetch: null,
        lastFetched: null,
        buffer: [],
        clonedAfter: '',
      }),
      /** The source's last position: fetching starts from it (under `fetch-after-clone`, only once the clone ends). */
      recordBeginFetch: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const p = position(e);
        return { ...ctx, sourceBoot: p.boot, beginFetch: p.optime, lastFetched: fetchAfterClone ? null : p.optime };
      },
      storeDoc: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const doc = (responseOf(e as MessageEvent).data as CloneReply).doc!;
        return { ...ctx, docs: [...ctx.docs.filter((d) => d.id !== doc.id), doc].sort((x, y) => (x.id < y.id ? -1 : 1)), clonedAfter: doc.id };
      },
      /** The end-of-clone position becomes `minValid` (under `fetch-after-clone`, fetching starts here). */
      recordMinValid: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const optime = position(e).optime;
        if (!fetchAfterClone) return { ...ctx, minValid: optime };
        return { ...ctx, minValid: optime, beginFetch: optime, lastFetched: optime };
      },
      bufferBatch: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const entries = batchOf(e).entries;
        return entries.length === 0 ? ctx : { ...ctx, buffer: [...ctx.buffer, ...entries], lastFetched: lastOf(entries, ctx.lastFetched) };
      },
      /** The apply phase begins: the oplog starts at the fetch's beginning; the buffered entries are applied. */
      applyBuffered: (ctx: NodeContext): NodeContext => {
        if (noApplyPhase) return { ...ctx, lastApplied: ctx.beginFetch, buffer: [] };
        return { ...ctx, docs: applyAll(ctx.docs, ctx.buffer), lastApplied: lastOf(ctx.buffer, ctx.beginFetch), buffer: [] };
      },
      applyBatch: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const entries = batchOf(e).entries;
        if (entries.length === 0) return ctx;
        const last = lastOf(entries, ctx.lastFetched);
        return { ...ctx, docs: applyAll(ctx.docs, entries), lastApplied: last, lastFetched: last };
      },
      /** Initial sync is done: clear the flag; the attempt's source is no longer checked. */
      clearFlag: (ctx: NodeContext): NodeContext => ({ ...ctx, flag: false, sourceBoot: -1, buffer: [] }),
      /** A secondary tails the oplog from its last applied entry. */
      resumeTailing: (ctx: NodeContext): NodeContext => (ctx.lastFetched === null ? { ...ctx, lastFetched: ctx.lastApplied } : ctx),
    },
    effects: {
      requestBeginPosition: (ctx: NodeContext): readonly Message[] => [to(ctx, 'pos', { name: 'find', collection: OPLOG_COLLECTION, sort: { $natural: -1 }, limit: 1 })],
      requestNextDoc: (ctx: NodeContext): readonly Message[] => [to(ctx, 'clone', { name: 'find', collection: DATA_COLLECTION, after: ctx.clonedAfter, limit: 1 })],
      requestEndPosition: (ctx: NodeContext): readonly Message[] => [to(ctx, 'end', { name: 'find', collection: OPLOG_COLLECTION, sort: { $natural: -1 }, limit: 1 })],
      requestBatch: (ctx: NodeContext): readonly Message[] => (ctx.lastFetched === null ? [] : [to(ctx, 'fetch', { name: 'getMore', collection: OPLOG_COLLECTION, after: ctx.lastFetched })]),
      /**
       * Sync-source feedback (replSetUpdatePosition): a secondary reports how far it has applied; a
       * node in initial sync reports nothing. Under `feedback-reports-fetched`, it reports how far
       * it has fetched, during initial sync too.
       */
      reportProgress: (ctx: NodeContext, e: NodeEvent): readonly Message[] => {
        // An empty batch moved nothing: no report (the periodic REPORT re-sends a lost one).
        if (e.type === 'response' && e.msg.id === exchangeId('fetch', ctx.attempt) && batchOf(e).entries.length === 0) return [];
        const at = reportFetched ? ctx.lastFetched : ctx.flag ? null : ctx.lastApplied;
        if (at === null) return [];
        return [request(exchangeId('feedback', ctx.attempt), NODE, SOURCE, { name: 'replSetUpdatePosition', applied: at }, internalGossip(ctx.clock))];
      },
    },
  };
}

export type ClientImpl = ReturnType<typeof clientImpl>;
export type SourceImpl = ReturnType<typeof sourceImpl>;
export type NodeImpl = ReturnType<typeof nodeImpl>;
