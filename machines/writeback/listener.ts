/**
 * A router's writeback listener thread for one shard. Guards and actions are implemented in
 * `impl/writeback/listener.ts`.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { ListenerContext, ListenerEvent } from '../../impl/writeback/listener.js';
import { idleListener, listenerImpl } from '../../impl/writeback/listener.js';
import { newRouterShared } from '../../impl/writeback/router.js';
import { INITIAL_ROUTING } from '../../impl/writeback/config.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const listener = listenerImpl(new Set());

/** Poll, refresh the routing table, re-apply on the owner, record the id and outcome, poll again. */
export const listenerMachine = setup({
  types: {} as RoleTypes<ListenerContext, ListenerEvent>,
  guards: xstateGuards<ListenerContext, ListenerEvent, typeof listener.guards>(listener.guards),
  actions: xstateActions<ListenerContext, ListenerEvent, unknown, typeof listener.updates, typeof listener.effects>(listener),
}).createMachine({
  id: 'listener',
  context: ({ input }) => input ?? { ...newRouterShared('router0', INITIAL_ROUTING), ...idleListener(0) },
  initial: 'starting',
  states: {
    starting: { always: { target: 'polling', actions: 'sendPoll' } },
    polling: {
      on: {
        polled: [
          // Ids increase per queue: an id already recorded is a duplicate; the poll stays parked on the shard.
          { guard: and(['isPollReply', 'isDuplicateWriteback']), actions: 'acceptGossip' },
          { guard: and(['isPollReply', 'writeCommands']), actions: ['acceptGossip', 'logWriteback', 'sendPoll'] },
          { guard: and(['isPollReply', 'resendsWithoutRefresh']), target: 'reapplying', actions: ['acceptGossip', 'takeWriteback', 'routeReapplyWithWantedVersion', 'sendReapply'] },
          { guard: 'isPollReply', target: 'refreshing', actions: ['acceptGossip', 'takeWriteback', 'requestRefresh'] },
        ],
        TIMEOUT: { actions: 'sendPoll' },
      },
    },
    refreshing: {
      on: { tableRefreshed: { guard: 'isRefreshReply', target: 'reapplying', actions: ['acceptGossip', 'installTable', 'routeReapply', 'sendReapply'] } },
    },
    reapplying: {
      on: {
        reapplied: [
          { guard: and(['isReapplyReply', 'writeSucceeded']), target: 'polling', actions: ['acceptGossip', 'recordApplied', 'sendPoll'] },
          { guard: and(['isReapplyReply', 'staleRetryable']), target: 'refreshing', actions: ['acceptGossip', 'countAttempt', 'requestRefresh'] },
          { guard: 'isReapplyReply', target: 'polling', actions: ['acceptGossip', 'recordFailed', 'sendPoll'] },
        ],
        TIMEOUT: { target: 'polling', actions: ['recordFailed', 'sendPoll'] },
      },
    },
  },
});
