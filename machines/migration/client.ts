/**
 * A client of the migration model. Guards and actions are in `impl/migration/client.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ClientContext, ClientEvent } from '../../impl/migration/client.js';
import { clientImpl, newClient } from '../../impl/migration/client.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const client = clientImpl();

/** One operation at a time through its router; an insert acknowledged is remembered. */
export const clientMachine = setup({
  types: {} as RoleTypes<ClientContext, ClientEvent>,
  guards: xstateGuards<ClientContext, ClientEvent, typeof client.guards>(client.guards),
  actions: xstateActions<ClientContext, ClientEvent, unknown, typeof client.updates, typeof client.effects>(client),
}).createMachine({
  id: 'client',
  context: ({ input }) => input ?? newClient('client0', 'router0', 1, 0),
  initial: 'idle',
  states: {
    idle: { on: { SUBMIT: { guard: 'hasOps', target: 'waiting', actions: ['startOp', 'sendOp'] } } },
    waiting: {
      on: {
        op: [
          { guard: 'insertAcknowledged', target: 'idle', actions: ['learnClusterTime', 'recordAck', 'finishOp'] },
          { guard: 'isCurrentReply', target: 'idle', actions: ['learnClusterTime', 'finishOp'] },
        ],
        TIMEOUT: { target: 'idle', actions: 'finishOp' },
      },
    },
  },
});
