/**
 * A router's writeback listener thread for one shard (writeback_listener.cpp): it polls
 * `writebacklisten` with the router's serverID, refreshes the routing table, re-applies the write
 * on the shard that owns the chunk — as a write that gets a response, so a stale version there is
 * an error (d_logic.cpp's 9517), not another writeback — retries once after a refresh on a stale
 * version, and records the writeback's id and outcome in the router's memory
 * (`_seenWritebacks`), where `getLastError` waits for it. Then it polls again.
 *
 * Ids are strictly increasing per queue, so a writeback whose id is not above the last one
 * recorded from that shard is a duplicate: the listener drops it (the real one relied on TCP for
 * that; the model's network duplicates poll responses). In command mode no writeback is ever
 * queued; the listener would only log one.
 *
 * @module
 */
import { internalGossip } from '../logical-time.js';
import type { Message, RemoteResponse } from '../world/network.js';
import { request } from '../world/network.js';
import type { Bugs, MessageEvent, PollData, ShardName, WriteMode } from './common.js';
import { responseOf, routerExchange, SHARDS, STALE_RETRIES } from './common.js';
import type { RouterShared, Seen } from './router.js';
import { findChunks, gossipInto, installTable, serverIdOf } from './router.js';

/** A listener thread's context: the router's shared memory, its shard, and the writeback in progress. */
export interface ListenerContext extends RouterShared {
  /** Its shard's index in {@link SHARDS}. */
  readonly shard: number;
  readonly current: PollData | null;
  /** Where it re-applies the current writeback, with which version, after how many stale attempts. */
  readonly target: ShardName;
  readonly version: number;
  readonly attempts: number;
}

/** The listener's own fields (what is not shared memory). */
export type ListenerOwn = Pick<ListenerContext, 'shard' | 'current' | 'target' | 'version' | 'attempts'>;

/**
 * The listener's events: `polled` (a `writebacklisten` response), `tableRefreshed`, `reapplied`
 * (the re-applied write's response), and the environment's `TIMEOUT`.
 */
export type ListenerEvent = MessageEvent | { readonly type: 'TIMEOUT' };

export const listenerHost = (router: string, shard: number): string => `${router}.wbl${shard}`;

export function idleListener(shard: number): ListenerOwn {
  return { shard, current: null, target: SHARDS[shard]!, version: 0, attempts: 0 };
}

const x = (ctx: ListenerContext, what: string): string => routerExchange(ctx.name, ctx.serverId, `wbl-${SHARDS[ctx.shard]!}${what}`);
export const pollId = (ctx: RouterShared & { shard: number }): string => routerExchange(ctx.name, ctx.serverId, `wbl-${SHARDS[ctx.shard]!}`);
export const listenerRefreshId = (ctx: ListenerContext): string => x(ctx, `:refresh${ctx.current?.id ?? 0}`);
export const reapplyId = (ctx: ListenerContext): string => x(ctx, `:apply${ctx.current?.id ?? 0}.${ctx.attempts}`);

/** The event of delivering `msg` to a listener (see {@link ListenerEvent}). */
export function listenerEvent(msg: Message): MessageEvent {
  const id = msg.id;
  return { type: id.includes(':refresh') ? 'tableRefreshed' : id.includes(':apply') ? 'reapplied' : 'polled', msg };
}

const isResponse = (e: ListenerEvent, id: string): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.id === id;
const statusOf = (e: ListenerEvent): RemoteResponse['status'] => responseOf(e as MessageEvent).status;

export function listenerImpl(bugs: Bugs, mode: WriteMode = 'legacy') {
  const reappliesDuplicates = bugs.has('listener-reapplies-duplicate');
  const resendsStaleVersion = bugs.has('resend-stale-version');
  const commands = mode === 'commands';
  const record = (ctx: ListenerContext, ok: boolean): ListenerContext => {
    if (ctx.current === null) return ctx;
    const seen: Seen = { id: ctx.current.id, ok };
    return { ...ctx, seen: ctx.seen.map((s, i) => (i === ctx.shard ? seen : s)), current: null, target: SHARDS[ctx.shard]!, version: 0, attempts: 0 };
  };
  return {
    guards: {
      writeCommands: () => commands,
      isPollReply: (ctx: ListenerContext, e: ListenerEvent) => isResponse(e, pollId(ctx)),
      isDuplicateWriteback: (ctx: ListenerContext, e: ListenerEvent) => !reappliesDuplicates && (responseOf(e as MessageEvent).data as PollData).id <= ctx.seen[ctx.shard]!.id,
      /** Under `resend-stale-version`, the writeback is re-sent where it was queued, with the version that shard wanted, without a refresh. */
      resendsWithoutRefresh: () => resendsStaleVersion,
      isRefreshReply: (ctx: ListenerContext, e: ListenerEvent) => isResponse(e, listenerRefreshId(ctx)),
      isReapplyReply: (ctx: ListenerContext, e: ListenerEvent) => isResponse(e, reapplyId(ctx)),
      writeSucceeded: (_ctx: ListenerContext, e: ListenerEvent) => statusOf(e) === 'ok',
      staleRetryable: (ctx: ListenerContext, e: ListenerEvent) => statusOf(e) === 'StaleConfig' && ctx.attempts < STALE_RETRIES,
    },
    updates: {
      acceptGossip: (ctx: ListenerContext, e: ListenerEvent): ListenerContext => gossipInto(ctx, responseOf(e as MessageEvent).gossip, bugs),
      installTable: (ctx: ListenerContext, e: ListenerEvent): ListenerContext => installTable(ctx, e as MessageEvent),
      takeWriteback: (ctx: ListenerContext, e: ListenerEvent): ListenerContext => ({ ...ctx, current: responseOf(e as MessageEvent).data as PollData, attempts: 0 }),
      routeReapply: (ctx: ListenerContext): ListenerContext => (ctx.table === null ? ctx : { ...ctx, target: ctx.table.owner, version: ctx.table.version }),
      /** The seeded bug: back to the shard that queued it, with the version it wanted. */
      routeReapplyWithWantedVersion: (ctx: ListenerContext): ListenerContext => ({ ...ctx, target: SHARDS[ctx.shard]!, version: ctx.current?.wanted ?? 0 }),
      countAttempt: (ctx: ListenerContext): ListenerContext => ({ ...ctx, attempts: ctx.attempts + 1 }),
      recordApplied: (ctx: ListenerContext): ListenerContext => record(ctx, true),
      recordFailed: (ctx: ListenerContext): ListenerContext => record(ctx, false),
    },
    effects: {
      sendPoll: (ctx: ListenerContext): readonly Message[] => [
        request(pollId(ctx), listenerHost(ctx.name, ctx.shard), SHARDS[ctx.shard]!, { name: 'writebacklisten', serverId: serverIdOf(ctx) }, internalGossip(ctx.clock)),
      ],
      requestRefresh: (ctx: ListenerContext): readonly Message[] => [findChunks(ctx, listenerHost(ctx.name, ctx.shard), listenerRefreshId(ctx))],
      /** Re-apply the writeback as a write that gets a response (the listener's write and its getLastError). */
      sendReapply: (ctx: ListenerContext): readonly Message[] => {
        if (ctx.current === null) return [];
        const conn = `${serverIdOf(ctx)}/wbl-${SHARDS[ctx.shard]!}`;
        return [
          request(reapplyId(ctx), listenerHost(ctx.name, ctx.shard), ctx.target, { name: 'write', write: ctx.current.write, conn, serverId: serverIdOf(ctx), version: ctx.version, response: true }, internalGossip(ctx.clock)),
        ];
      },
      /** Command mode: a writeback would only be logged (none is ever queued). */
      logWriteback: (): readonly Message[] => [],
    },
  };
}

export type ListenerImpl = ReturnType<typeof listenerImpl>;
