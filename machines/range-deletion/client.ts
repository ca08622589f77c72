/**
 * A long-running query of the range-deletion model. Guards and actions are in
 * `impl/range-deletion/client.ts`.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { ClientContext, ClientEvent } from '../../impl/range-deletion/client.js';
import { clientImpl, newClient } from '../../impl/range-deletion/client.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const client = clientImpl();

/** Opens a cursor (`find`), then fetches its batch (`getMore`), one query at a time; a reply that cannot come times out. */
export const clientMachine = setup({
  types: {} as RoleTypes<ClientContext, ClientEvent>,
  guards: xstateGuards<ClientContext, ClientEvent, typeof client.guards>(client.guards),
  actions: xstateActions<ClientContext, ClientEvent, unknown, typeof client.updates, typeof client.effects>(client),
}).createMachine({
  id: 'client',
  context: ({ input }) => input ?? newClient('client0', 'shard0', 1),
  initial: 'idle',
  states: {
    idle: { on: { SUBMIT: { guard: 'hasQueries', target: 'opening', actions: ['startQuery', 'sendFind'] } } },
    opening: {
      on: {
        find: [
          { guard: and(['isFindReply', 'succeeded']), target: 'open', actions: ['learnClusterTime', 'sendGetMore'] },
          { guard: 'isFindReply', target: 'idle', actions: 'learnClusterTime' },
        ],
        TIMEOUT: { target: 'idle' },
      },
    },
    // The cursor is open on the shard: the query runs with the metadata it took.
    open: {
      on: {
        more: [
          { guard: and(['isMoreReply', 'succeeded']), target: 'idle', actions: ['learnClusterTime', 'recordBatch'] },
          { guard: 'isMoreReply', target: 'idle', actions: 'learnClusterTime' },
        ],
        TIMEOUT: { target: 'idle' },
      },
    },
  },
});
