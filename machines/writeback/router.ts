/**
 * The router (mongos) of the writeback model: a parallel chart with one region for the client
 * connection's thread (`requests`) and one per shard for its writeback listener thread
 * (`listener0`, `listener1`). Guards and actions are implemented in `impl/writeback/router.ts`;
 * the listener regions pass their shard as a static param.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { RouterContext, RouterEvent } from '../../impl/writeback/router.js';
import { newRouter, routerImpl } from '../../impl/writeback/router.js';
import { INITIAL_ROUTING } from '../../impl/writeback/config.js';
import { SHARDS } from '../../impl/writeback/common.js';
import type { Params, RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const router = routerImpl(new Set());
type Args = { context: RouterContext; event: RouterEvent };
/** Guards and actions typed to take static params (the listener regions pass `{ shard }`). */
type Guards<T> = { [K in keyof T]: (args: Args, params: Params) => boolean };
type Actions<T> = { [K in keyof T]: (args: Args, params: Params) => void };

/** A listener thread: poll, refresh the routing table, re-apply on the owner, record, poll again. */
function listenerRegion(shard: number) {
  const p = { shard };
  const isPollReply = { type: 'isPollReply', params: p } as const;
  const isReapplyReply = { type: 'isReapplyReply', params: p } as const;
  const sendPoll = { type: 'sendPoll', params: p } as const;
  return {
    initial: 'starting',
    states: {
      starting: { always: { target: 'polling', actions: sendPoll } },
      polling: {
        on: {
          [`polled${shard}`]: [
            // Ids increase per queue: an id already recorded is a duplicate; the poll stays parked on the shard.
            { guard: and([isPollReply, { type: 'isDuplicateWriteback', params: p }]), actions: 'acceptGossip' },
            { guard: and([isPollReply, 'writeCommands']), actions: ['acceptGossip', 'logWriteback', sendPoll] },
            {
              guard: and([isPollReply, 'resendsWithoutRefresh']),
              target: 'reapplying',
              actions: ['acceptGossip', { type: 'takeWriteback', params: p }, { type: 'routeReapplyWithWantedVersion', params: p }, { type: 'sendReapply', params: p }],
            },
            { guard: isPollReply, target: 'refreshing', actions: ['acceptGossip', { type: 'takeWriteback', params: p }, { type: 'requestListenerRefresh', params: p }] },
          ],
          [`listenerTimeout${shard}`]: { actions: sendPoll },
        },
      },
      refreshing: {
        on: {
          [`listenerRefreshed${shard}`]: {
            guard: { type: 'isListenerRefreshReply', params: p },
            target: 'reapplying',
            actions: ['acceptGossip', 'installTable', { type: 'routeReapply', params: p }, { type: 'sendReapply', params: p }],
          },
        },
      },
      reapplying: {
        on: {
          [`reapplied${shard}`]: [
            { guard: and([isReapplyReply, 'writeSucceeded']), target: 'polling', actions: ['acceptGossip', { type: 'recordApplied', params: { shard, ok: true } }, sendPoll] },
            {
              guard: and([isReapplyReply, { type: 'reapplyStaleRetryable', params: p }]),
              target: 'refreshing',
              actions: ['acceptGossip', { type: 'countListenerAttempt', params: p }, { type: 'requestListenerRefresh', params: p }],
            },
            { guard: isReapplyReply, target: 'polling', actions: ['acceptGossip', { type: 'recordApplied', params: { shard, ok: false } }, sendPoll] },
          ],
          [`listenerTimeout${shard}`]: { target: 'polling', actions: [{ type: 'recordApplied', params: { shard, ok: false } }, sendPoll] },
        },
      },
    },
  };
}

/**
 * A router: the client connection's thread routes writes (legacy: fire-and-forget; commands: a
 * write command, refreshed and retried once on a stale version) and answers `getLastError`; each
 * listener re-applies the writebacks its shard queued for this router.
 */
export const routerMachine = setup({
  types: {} as RoleTypes<RouterContext, RouterEvent>,
  guards: xstateGuards<RouterContext, RouterEvent, typeof router.guards>(router.guards) as unknown as Guards<typeof router.guards>,
  actions: xstateActions<RouterContext, RouterEvent, unknown, typeof router.updates, typeof router.effects>(router) as unknown as Actions<typeof router.updates & typeof router.effects>,
}).createMachine({
  id: 'router',
  context: ({ input }) => input ?? newRouter('router0', INITIAL_ROUTING),
  type: 'parallel',
  states: {
    requests: {
      initial: 'starting',
      states: {
        // A restarted mongos loads the routing table before it serves.
        starting: { always: [{ guard: 'tableKnown', target: 'idle' }, { target: 'loading', actions: 'requestTable' }] },
        loading: { on: { loaded: { guard: 'isLoadReply', target: 'idle', actions: ['acceptGossip', 'installTable'] } } },
        idle: {
          on: {
            write: [
              { guard: 'writeCommands', target: 'writing', actions: ['acceptClientGossip', 'routeWrite', 'sendWriteCommand'] },
              { actions: ['acceptClientGossip', 'routeWrite', 'sendWrite'] },
            ],
            getLastError: [
              { guard: 'knowsConnection', target: 'awaitingShard', actions: ['acceptClientGossip', 'sendGle'] },
              { actions: ['acceptClientGossip', 'replyConnectionReset'] },
            ],
          },
        },
        awaitingShard: {
          on: {
            replied: [
              { guard: and(['isOpReply', 'shardReportsOk']), target: 'idle', actions: ['acceptGossip', 'replyDone', 'forgetOp'] },
              { guard: and(['isOpReply', 'shardReportsWriteback', 'skipsWritebackWait']), target: 'idle', actions: ['acceptGossip', 'replyDone', 'forgetOp'] },
              { guard: and(['isOpReply', 'shardReportsWriteback']), target: 'awaitingWriteback', actions: ['acceptGossip', 'awaitWriteback'] },
              { guard: 'isOpReply', target: 'idle', actions: ['acceptGossip', 'replyFailed', 'forgetOp'] },
            ],
            requestTimeout: { target: 'idle', actions: ['replyFailed', 'forgetOp'] },
          },
        },
        // WriteBackListener::waitFor: until the listener has recorded the id the shard reported.
        awaitingWriteback: {
          always: [
            { guard: 'writebackApplied', target: 'idle', actions: ['replyDone', 'forgetOp'] },
            { guard: 'writebackFailed', target: 'idle', actions: ['replyFailed', 'forgetOp'] },
          ],
          on: { requestTimeout: { target: 'idle', actions: ['replyFailed', 'forgetOp'] } },
        },
        writing: {
          on: {
            replied: [
              { guard: and(['isOpReply', 'writeSucceeded']), target: 'written', actions: ['acceptGossip', 'recordSuccess'] },
              { guard: and(['isOpReply', 'staleRetryable', 'resendsWithoutRefresh']), actions: ['acceptGossip', 'countAttempt', 'adoptWantedVersion', 'sendWriteCommand'] },
              { guard: and(['isOpReply', 'staleRetryable']), target: 'refreshing', actions: ['acceptGossip', 'countAttempt', 'requestOpRefresh'] },
              { guard: 'isOpReply', target: 'written', actions: ['acceptGossip', 'recordFailure'] },
            ],
            requestTimeout: { target: 'written', actions: 'recordFailure' },
          },
        },
        refreshing: {
          on: { refreshed: { guard: 'isOpRefreshReply', target: 'writing', actions: ['acceptGossip', 'installTable', 'reroute', 'sendWriteCommand'] } },
        },
        written: {
          on: { getLastError: { guard: 'knowsConnection', target: 'idle', actions: ['acceptClientGossip', 'replyResult', 'forgetOp'] } },
        },
      },
    },
    ...Object.fromEntries(SHARDS.map((_, i) => [`listener${i}`, listenerRegion(i)])),
  },
});
