/**
 * A router's client-connection thread. Guards and actions are implemented in
 * `impl/writeback/router.ts`; the router's writeback listeners are the `listener` chart.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { RouterContext, RouterEvent } from '../../impl/writeback/router.js';
import { newRouter, routerImpl } from '../../impl/writeback/router.js';
import { INITIAL_ROUTING } from '../../impl/writeback/config.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const router = routerImpl(new Set());

/** The states both designs share: a restarted mongos loads the routing table before it serves. */
const startup = {
  starting: { always: [{ guard: 'tableKnown', target: 'idle' }, { target: 'loading', actions: 'requestTable' }] },
  loading: { on: { loaded: { guard: 'isLoadReply', target: 'idle', actions: ['acceptGossip', 'installTable'] } } },
} as const;

const resetConnection = { actions: ['acceptClientGossip', 'replyConnectionReset'] } as const;

/**
 * The legacy design: routes a fire-and-forget write by the cached table, sends `getLastError` to
 * the same shard, and on "writeback <id>" waits until the listener recorded that id.
 */
export const routerMachine = setup({
  types: {} as RoleTypes<RouterContext, RouterEvent>,
  guards: xstateGuards<RouterContext, RouterEvent, typeof router.guards>(router.guards),
  actions: xstateActions<RouterContext, RouterEvent, unknown, typeof router.updates, typeof router.effects>(router),
}).createMachine({
  id: 'router',
  context: ({ input }) => input ?? newRouter('router0', INITIAL_ROUTING),
  initial: 'starting',
  states: {
    ...startup,
    idle: {
      on: {
        write: { actions: ['acceptClientGossip', 'routeWrite', 'sendWrite'] },
        getLastError: [{ guard: 'knowsConnection', target: 'awaitingShard', actions: ['acceptClientGossip', 'sendGle'] }, resetConnection],
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
        TIMEOUT: { target: 'idle', actions: ['replyFailed', 'forgetOp'] },
      },
    },
    // WriteBackListener::waitFor: until the listener has recorded the id the shard reported
    // (perhaps before the shard's answer came back).
    awaitingWriteback: {
      always: [
        { guard: 'writebackApplied', target: 'idle', actions: ['replyDone', 'forgetOp'] },
        { guard: 'writebackFailed', target: 'idle', actions: ['replyFailed', 'forgetOp'] },
      ],
      on: {
        writebackRecorded: [
          { guard: 'writebackApplied', target: 'idle', actions: ['replyDone', 'forgetOp'] },
          { guard: 'writebackFailed', target: 'idle', actions: ['replyFailed', 'forgetOp'] },
        ],
        TIMEOUT: { target: 'idle', actions: ['replyFailed', 'forgetOp'] },
      },
    },
  },
});

/**
 * The write-commands design (`commands=1`): the write is a write command; a stale version is an
 * immediate `StaleConfig`, after which it refreshes the table and retries once; `getLastError`
 * reports the command's outcome.
 */
export const commandRouterMachine = setup({
  types: {} as RoleTypes<RouterContext, RouterEvent>,
  guards: xstateGuards<RouterContext, RouterEvent, typeof router.guards>(router.guards),
  actions: xstateActions<RouterContext, RouterEvent, unknown, typeof router.updates, typeof router.effects>(router),
}).createMachine({
  id: 'commandRouter',
  context: ({ input }) => input ?? newRouter('router0', INITIAL_ROUTING),
  initial: 'starting',
  states: {
    ...startup,
    idle: {
      on: {
        write: { target: 'writing', actions: ['acceptClientGossip', 'routeWrite', 'sendWriteCommand'] },
        getLastError: resetConnection,
      },
    },
    writing: {
      on: {
        replied: [
          { guard: and(['isOpReply', 'writeSucceeded']), target: 'written', actions: ['acceptGossip', 'recordSuccess'] },
          { guard: and(['isOpReply', 'staleRetryable', 'resendsWithoutRefresh']), actions: ['acceptGossip', 'countAttempt', 'adoptWantedVersion', 'sendWriteCommand'] },
          { guard: and(['isOpReply', 'staleRetryable']), target: 'refreshing', actions: ['acceptGossip', 'countAttempt', 'requestOpRefresh'] },
          { guard: 'isOpReply', target: 'written', actions: ['acceptGossip', 'recordFailure'] },
        ],
        TIMEOUT: { target: 'written', actions: 'recordFailure' },
      },
    },
    refreshing: {
      on: { refreshed: { guard: 'isOpRefreshReply', target: 'writing', actions: ['acceptGossip', 'installTable', 'reroute', 'sendWriteCommand'] } },
    },
    written: {
      on: { getLastError: { guard: 'knowsConnection', target: 'idle', actions: ['acceptClientGossip', 'replyResult', 'forgetOp'] } },
    },
  },
});
