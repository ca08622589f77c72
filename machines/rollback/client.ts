/**
 * The client of the rollback model: its writes one at a time, w:1 or w:"majority". Guards and
 * actions are in `impl/rollback.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ClientContext, ClientEvent } from '../../impl/rollback.js';
import { clientImpl, newClient } from '../../impl/rollback.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const client = clientImpl();
/** A client: sends a write to the node it selected as primary and waits for its acknowledgement (or gives up: a lost message, a wtimeout, a NotPrimary error end the write too). */
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
