/**
 * The client of the writeback model: a legacy driver's "safe" write — the write, then
 * `getLastError` on the same connection — one at a time.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { ClientContext, ClientEvent } from '../../impl/writeback/client.js';
import { clientImpl, newClient } from '../../impl/writeback/client.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const client = clientImpl();
export const clientMachine = setup({
  types: {} as RoleTypes<ClientContext, ClientEvent>,
  guards: xstateGuards<ClientContext, ClientEvent, typeof client.guards>(client.guards),
  actions: xstateActions<ClientContext, ClientEvent, unknown, typeof client.updates, typeof client.effects>(client),
}).createMachine({
  id: 'client',
  context: ({ input }) => input ?? newClient('client0', 'router0', 1),
  initial: 'idle',
  states: {
    idle: {
      on: { SUBMIT: { guard: 'hasWrites', target: 'waiting', actions: ['startWrite', 'sendWriteAndGle'] } },
    },
    waiting: {
      on: {
        response: [
          { guard: and(['isCurrentReply', 'reportsDone']), target: 'idle', actions: ['learnClusterTime', 'recordAck'] },
          { guard: 'isCurrentReply', target: 'idle', actions: 'learnClusterTime' },
        ],
        TIMEOUT: { target: 'idle' },
      },
    },
  },
});
