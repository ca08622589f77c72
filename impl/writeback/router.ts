/**
 * A router (mongos) of the writeback model: one thread per client connection (the chart's
 * `requests` region) and one writeback listener per shard (the `listener*` regions), sharing the
 * process's memory — its vector time, its cached routing table and the listeners' record of the
 * writebacks they have re-applied (`_seenWritebacks` in writeback_listener.cpp).
 *
 * Legacy mode: a client's write goes fire-and-forget to the shard the routing table names, with
 * that shard's version; the client's `getLastError` goes to the same shard on the same connection;
 * when the shard answers "writeback <id>", the router waits until the listener for that shard has
 * re-applied writeback `id`, and reports that re-application's outcome. Each listener polls
 * `writebacklisten` with the router's serverID, refreshes the routing table, re-applies the write
 * on the shard that owns the chunk (a write that gets a response, so a stale version there is an
 * error, not another writeback), retries once after a refresh on a stale version, and records the
 * id and outcome. Ids are strictly increasing per queue, so a writeback whose id is not above the
 * last one recorded from that shard is a duplicate and is dropped (the real listener relied on TCP
 * for that; the model's network duplicates).
 *
 * Command mode: the write is a write command; a stale version is an immediate `StaleConfig`; the
 * router refreshes and retries once; `getLastError` reports the command's outcome; the listener
 * only logs.
 *
 * Everything is volatile: a restarted router is a new process with a new serverID, which loads the
 * routing table before serving, and whose listeners poll new queues.
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { advance, externalGossip, internalGossip, ZERO_TIME } from '../logical-time.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message, RemoteResponse } from '../world/network.js';
import { request } from '../world/network.js';
import type { Bugs, GleResult, LastError, MessageEvent, PollData, Routing, ShardName, WriteMode } from './common.js';
import { CONFIG, newerRouting, requestOf, responseOf, routerExchange, serverIdKey, SHARDS, STALE_RETRIES } from './common.js';

/** Static parameters of a guard or action in the chart (`{ shard }`, `{ region }`, `{ ok }`). */
type Params = Readonly<Record<string, unknown>> | undefined;

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

/** A listener's writeback in progress: where it re-applies it, with which version, after how many stale attempts. */
export interface ListenerState {
  readonly current: PollData | null;
  readonly target: ShardName;
  readonly version: number;
  readonly attempts: number;
}

/** The last writeback a listener re-applied from its shard, and its outcome. */
export interface Seen {
  readonly id: number;
  readonly ok: boolean;
}

export interface RouterContext {
  readonly name: string;
  /** Which incarnation of the process this is: its serverID (an ObjectId in the real system, fresh at every start). */
  readonly serverId: number;
  readonly clock: VectorTime;
  readonly table: Routing | null;
  readonly conn: ConnState | null;
  /** Per shard, in {@link SHARDS} order. */
  readonly listeners: readonly ListenerState[];
  readonly seen: readonly Seen[];
}

export type RouterRegion = 'requests' | 'listener0' | 'listener1';

/**
 * A router's events. A client's request is its command (`write`, `getLastError`). A response is
 * named for the exchange it answers — which thread of the router waits for it: `loaded` (the
 * routing table at startup), `replied` and `refreshed` (the client connection's write or
 * `getLastError`, and its refresh), `polled<i>`, `listenerRefreshed<i>` and `reapplied<i>` (the
 * listener for shard i). Timeouts are per thread.
 */
export type RouterEvent = MessageEvent | { readonly type: 'requestTimeout' | 'listenerTimeout0' | 'listenerTimeout1' };

/** The timeout event of a router thread. */
export const timeoutEventType = (region: RouterRegion): 'requestTimeout' | 'listenerTimeout0' | 'listenerTimeout1' =>
  region === 'requests' ? 'requestTimeout' : region === 'listener0' ? 'listenerTimeout0' : 'listenerTimeout1';

/** The event of delivering `msg` to a router (see {@link RouterEvent}). */
export function routerEvent(msg: Message): MessageEvent {
  if (msg.kind === 'request') return { type: msg.cmd.name, msg };
  const what = msg.id.slice(msg.id.indexOf('/') + 1);
  if (what === 'load') return { type: 'loaded', msg };
  const listener = /^wbl-shard(\d+)(?::(refresh|apply))?/.exec(what);
  if (listener !== null) return { type: `${listener[2] === 'refresh' ? 'listenerRefreshed' : listener[2] === 'apply' ? 'reapplied' : 'polled'}${listener[1]!}`, msg };
  return { type: what.endsWith(':refresh') ? 'refreshed' : 'replied', msg };
}

const IDLE_LISTENER: ListenerState = Object.freeze({ current: null, target: SHARDS[0], version: 0, attempts: 0 });
const NOTHING_SEEN: Seen = Object.freeze({ id: 0, ok: false });

export function newRouter(name: string, table: Routing | null, serverId = 1): RouterContext {
  return { name, serverId, clock: ZERO_TIME, table, conn: null, listeners: SHARDS.map(() => IDLE_LISTENER), seen: SHARDS.map(() => NOTHING_SEEN) };
}

/** A restarted router: nothing survives; a new serverID, no routing table yet. */
export function recoverRouter(ctx: RouterContext): RouterContext {
  return newRouter(ctx.name, null, ctx.serverId + 1);
}

// Exchange ids, all scoped to the router incarnation.
const key = (ctx: RouterContext): string => serverIdKey(ctx.name, ctx.serverId);
const x = (ctx: RouterContext, what: string): string => routerExchange(ctx.name, ctx.serverId, what);
export const loadId = (ctx: RouterContext): string => x(ctx, 'load');
export const opExchange = (ctx: RouterContext): string => x(ctx, ctx.conn?.op ?? '');
export const opRefreshId = (ctx: RouterContext): string => x(ctx, `${ctx.conn?.op ?? ''}:refresh`);
export const pollId = (ctx: RouterContext, shard: number): string => x(ctx, `wbl-${SHARDS[shard]!}`);
const listenerOf = (ctx: RouterContext, shard: number): ListenerState => ctx.listeners[shard]!;
export const listenerRefreshId = (ctx: RouterContext, shard: number): string => x(ctx, `wbl-${SHARDS[shard]!}:refresh${listenerOf(ctx, shard).current?.id ?? 0}`);
export const reapplyId = (ctx: RouterContext, shard: number): string => {
  const l = listenerOf(ctx, shard);
  return x(ctx, `wbl-${SHARDS[shard]!}:apply${l.current?.id ?? 0}.${l.attempts}`);
};

const shardParam = (params: Params): number => (params?.['shard'] as number | undefined) ?? 0;
const isResponse = (e: RouterEvent, id: string): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.id === id;
const statusOf = (e: RouterEvent): RemoteResponse['status'] => responseOf(e as MessageEvent).status;

function setAt<T>(xs: readonly T[], i: number, v: T): readonly T[] {
  return xs.map((old, j) => (j === i ? v : old));
}

export function routerImpl(bugs: Bugs, mode: WriteMode = 'legacy') {
  const glesWithoutWaiting = bugs.has('gle-no-wait');
  const reappliesDuplicates = bugs.has('listener-reapplies-duplicate');
  const resendsStaleVersion = bugs.has('resend-stale-version');
  const commands = mode === 'commands';

  const writeTo = (ctx: RouterContext, response: boolean): readonly Message[] => {
    const c = ctx.conn;
    if (c === null) return [];
    return [request(opExchange(ctx), ctx.name, c.shard, { name: 'write', write: c.write, conn: key(ctx), serverId: key(ctx), version: c.version, response }, internalGossip(ctx.clock))];
  };
  const replyToClient = (ctx: RouterContext, done: boolean): readonly Message[] => {
    const c = ctx.conn;
    if (c === null) return [];
    const data: GleResult = { done };
    return [{ kind: 'response', id: c.op, from: ctx.name, to: clientOf(c.op), status: 'ok', data, gossip: externalGossip(ctx.clock.cluster) }];
  };
  const findChunks = (ctx: RouterContext, id: string): readonly Message[] => [
    request(id, ctx.name, CONFIG, { name: 'find', collection: 'config.chunks' }, internalGossip(ctx.clock)),
  ];
  const withConn = (ctx: RouterContext, patch: Partial<ConnState>): RouterContext => (ctx.conn === null ? ctx : { ...ctx, conn: { ...ctx.conn, ...patch } });
  const withListener = (ctx: RouterContext, shard: number, patch: Partial<ListenerState>): RouterContext => ({
    ...ctx,
    listeners: setAt(ctx.listeners, shard, { ...listenerOf(ctx, shard), ...patch }),
  });
  const seenOf = (ctx: RouterContext): Seen | undefined => (ctx.conn === null ? undefined : ctx.seen[SHARDS.indexOf(ctx.conn.shard)]);

  return {
    guards: {
      writeCommands: () => commands,
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
      // Listeners (params: { shard }).
      isPollReply: (ctx: RouterContext, e: RouterEvent, params: Params) => isResponse(e, pollId(ctx, shardParam(params))),
      isDuplicateWriteback: (ctx: RouterContext, e: RouterEvent, params: Params) =>
        !reappliesDuplicates && (responseOf(e as MessageEvent).data as PollData).id <= ctx.seen[shardParam(params)]!.id,
      isListenerRefreshReply: (ctx: RouterContext, e: RouterEvent, params: Params) => isResponse(e, listenerRefreshId(ctx, shardParam(params))),
      isReapplyReply: (ctx: RouterContext, e: RouterEvent, params: Params) => isResponse(e, reapplyId(ctx, shardParam(params))),
      reapplyStaleRetryable: (ctx: RouterContext, e: RouterEvent, params: Params) => statusOf(e) === 'StaleConfig' && listenerOf(ctx, shardParam(params)).attempts < STALE_RETRIES,
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
      installTable: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const table = newerRouting(ctx.table, responseOf(e as MessageEvent).data as Routing);
        return table === ctx.table ? ctx : { ...ctx, table };
      },
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
      // Listeners (params: { shard }).
      takeWriteback: (ctx: RouterContext, e: RouterEvent, params: Params): RouterContext =>
        withListener(ctx, shardParam(params), { current: responseOf(e as MessageEvent).data as PollData, attempts: 0 }),
      routeReapply: (ctx: RouterContext, _e: RouterEvent, params: Params): RouterContext =>
        ctx.table === null ? ctx : withListener(ctx, shardParam(params), { target: ctx.table.owner, version: ctx.table.version }),
      /** The seeded bug: back to the shard that queued it, with the version it wanted, no refresh. */
      routeReapplyWithWantedVersion: (ctx: RouterContext, _e: RouterEvent, params: Params): RouterContext => {
        const i = shardParam(params);
        return withListener(ctx, i, { target: SHARDS[i]!, version: listenerOf(ctx, i).current?.wanted ?? 0 });
      },
      countListenerAttempt: (ctx: RouterContext, _e: RouterEvent, params: Params): RouterContext => {
        const i = shardParam(params);
        return withListener(ctx, i, { attempts: listenerOf(ctx, i).attempts + 1 });
      },
      /** `_seenWritebacks[conn] = { id, gle }`, and the listener is free again. */
      recordApplied: (ctx: RouterContext, _e: RouterEvent, params: Params): RouterContext => {
        const i = shardParam(params);
        const wb = listenerOf(ctx, i).current;
        if (wb === null) return ctx;
        return { ...ctx, seen: setAt(ctx.seen, i, { id: wb.id, ok: params?.['ok'] === true }), listeners: setAt(ctx.listeners, i, IDLE_LISTENER) };
      },
    },
    effects: {
      requestTable: (ctx: RouterContext): readonly Message[] => findChunks(ctx, loadId(ctx)),
      sendWrite: (ctx: RouterContext): readonly Message[] => writeTo(ctx, false),
      sendWriteCommand: (ctx: RouterContext): readonly Message[] => writeTo(ctx, true),
      sendGle: (ctx: RouterContext): readonly Message[] =>
        ctx.conn === null ? [] : [request(opExchange(ctx), ctx.name, ctx.conn.shard, { name: 'getLastError', conn: key(ctx) }, internalGossip(ctx.clock))],
      requestOpRefresh: (ctx: RouterContext): readonly Message[] => findChunks(ctx, opRefreshId(ctx)),
      replyDone: (ctx: RouterContext): readonly Message[] => replyToClient(ctx, true),
      replyFailed: (ctx: RouterContext): readonly Message[] => replyToClient(ctx, false),
      replyResult: (ctx: RouterContext): readonly Message[] => replyToClient(ctx, ctx.conn?.result === true),
      /** A `getLastError` on a connection this process never saw: the connection was reset by a restart. */
      replyConnectionReset: (ctx: RouterContext, e: RouterEvent): readonly Message[] => {
        const req = requestOf(e as MessageEvent);
        return [{ kind: 'response', id: req.id, from: ctx.name, to: req.from, status: 'NetworkError', data: null, gossip: externalGossip(ctx.clock.cluster) }];
      },
      // Listeners (params: { shard }).
      sendPoll: (ctx: RouterContext, _e: RouterEvent, params: Params): readonly Message[] => {
        const i = shardParam(params);
        return [request(pollId(ctx, i), ctx.name, SHARDS[i]!, { name: 'writebacklisten', serverId: key(ctx) }, internalGossip(ctx.clock))];
      },
      requestListenerRefresh: (ctx: RouterContext, _e: RouterEvent, params: Params): readonly Message[] => findChunks(ctx, listenerRefreshId(ctx, shardParam(params))),
      /** Re-apply the writeback as a write that gets a response (the listener's write plus getLastError). */
      sendReapply: (ctx: RouterContext, _e: RouterEvent, params: Params): readonly Message[] => {
        const i = shardParam(params);
        const l = listenerOf(ctx, i);
        if (l.current === null) return [];
        const conn = `${key(ctx)}/wbl-${SHARDS[i]!}`;
        return [request(reapplyId(ctx, i), ctx.name, l.target, { name: 'write', write: l.current.write, conn, serverId: key(ctx), version: l.version, response: true }, internalGossip(ctx.clock))];
      },
      /** Command mode: a writeback would only be logged (none is ever queued). */
      logWriteback: (): readonly Message[] => [],
    },
  };
}

/** The client of an op exchange id (`client0:op1` → `client0`). */
function clientOf(op: string): string {
  return op.slice(0, op.indexOf(':'));
}

export type RouterImpl = ReturnType<typeof routerImpl>;
