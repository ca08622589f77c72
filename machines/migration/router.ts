/**
 * A router of the migration model. Guards and actions are in `impl/migration/router.ts`.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { RouterContext, RouterEvent } from '../../impl/migration/router.js';
import { newRouter, routerImpl } from '../../impl/migration/router.js';
import { INITIAL_TABLE } from '../../impl/migration/common.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const router = routerImpl(new Set());
const route = { target: 'routing', actions: ['acceptClientGossip', 'route', 'sendToShard'] } as const;

/** Routes by the cached table; a stale-version error refreshes the cache and retries (a bounded number of times). */
export const routerMachine = setup({
  types: {} as RoleTypes<RouterContext, RouterEvent>,
  guards: xstateGuards<RouterContext, RouterEvent, typeof router.guards>(router.guards),
  actions: xstateActions<RouterContext, RouterEvent, unknown, typeof router.updates, typeof router.effects>(router),
}).createMachine({
  id: 'router',
  context: ({ input }) => input ?? newRouter('router0', INITIAL_TABLE),
  initial: 'idle',
  states: {
    idle: { on: { insert: route, find: route } },
    routing: {
      on: {
        try: [
          { guard: and(['isTryReply', 'succeeded']), target: 'idle', actions: ['acceptGossip', 'replyResult', 'forgetOp'] },
          { guard: and(['isTryReply', 'staleRetryable']), target: 'refreshing', actions: ['acceptGossip', 'requestRefresh'] },
          { guard: 'isTryReply', target: 'idle', actions: ['acceptGossip', 'replyError', 'forgetOp'] },
        ],
        TIMEOUT: { target: 'idle', actions: ['replyError', 'forgetOp'] },
      },
    },
    refreshing: {
      on: { refresh: { guard: 'isRefreshReply', target: 'routing', actions: ['acceptGossip', 'installTable', 'retarget', 'sendToShard'] } },
    },
  },
});
