/**
 * The client of the initial-sync model: one w:"majority" write at a time. Guards and actions are in
 * `impl/initial-sync.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ClientContext, ClientEvent } from '../../impl/initial-sync.js';
import { clientImpl, newClient } from '../../impl/initial-sync.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const client = clientImpl();
/** A client: sends a write to the primary and waits for its w:"majority" acknowledgement (or gives up after a lost message). */
export const clientMachine = setup({
  types: {} as RoleTypes<ClientContext, ClientEvent>,
  guards: xstateGuards<ClientContext, ClientEvent, typeof client.guards>(client.guards),
  actions: xstateActions<ClientContext, ClientEvent, unknown, typeof client.updates, typeof client.effects>(client),
}).createMachine({
  id: 'client',
  context: ({ input }) => input ?? newClient(0),
  initial: 'idle',
  states: {
    idle: { on: { SUBMIT: { guard: 'hasBudget', target: 'waiting', actions: ['startOp', 'sendWrite'] } } },
    waiting: {
      on: {
        response: { guard: 'isCurrentReply', target: 'idle', actions: 'learnAck' },
        TIMEOUT: { target: 'idle' },
      },
    },
  },
});
