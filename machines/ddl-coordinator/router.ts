/**
 * A router forwarding a DDL request to the primary shard's coordinator service, retrying while it
 * goes unanswered. Guards and actions are implemented in `impl/ddl/router.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { RouterContext, RouterEvent } from '../../impl/ddl/router.js';
import { newRouter, routerImpl } from '../../impl/ddl/router.js';
import { DROP } from '../../impl/ddl/common.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const router = routerImpl(new Set());
export const routerMachine = setup({
  types: {} as RoleTypes<RouterContext, RouterEvent>,
  guards: xstateGuards<RouterContext, RouterEvent, typeof router.guards>(router.guards),
  actions: xstateActions<RouterContext, RouterEvent, unknown, typeof router.updates, typeof router.effects>(router),
}).createMachine({
  id: 'router',
  context: ({ input }) => input ?? newRouter('router0', DROP),
  initial: 'idle',
  states: {
    idle: { on: { SUBMIT: { target: 'forwarding', actions: 'forwardRequest' } } },
    forwarding: {
      on: {
        reply: { guard: 'isReply', target: 'answered', actions: ['acceptGossip', 'recordResult'] },
        // Unanswered (lost, or reset by the primary's step-down): a retryable error, sent again.
        TIMEOUT: { actions: 'forwardRequest' },
      },
    },
    answered: {},
  },
});
