/**
 * The client (a driver) of the cross-shard transaction model as a statechart; its guards and
 * actions are in `impl/transactions/client.ts`.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { ClientContext, ClientEvent } from '../../impl/transactions/client.js';
import { clientImpl, newClient } from '../../impl/transactions/client.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const client = clientImpl();

/**
 * A driver on one session: an optional retryable write (retried with the same statement id when
 * its outcome is unknown), then a transaction: statements, then `commitTransaction` (retried on
 * the same router, or sent with the recovery token to a second router, when the outcome is
 * unknown) or `abortTransaction`.
 */
export const clientMachine = setup({
  types: {} as RoleTypes<ClientContext, ClientEvent>,
  guards: xstateGuards<ClientContext, ClientEvent, typeof client.guards>(client.guards),
  actions: xstateActions<ClientContext, ClientEvent, unknown, typeof client.updates, typeof client.effects>(client),
}).createMachine({
  id: 'client',
  context: ({ input }) => input ?? newClient(1, 2, 1),
  initial: 'idle',
  states: {
    idle: {
      on: {
        RETRYABLE_WRITE: { guard: 'hasRetryableWrite', target: 'writing', actions: ['startRetryableWrite', 'send'] },
        STATEMENT: { guard: and(['mayStartTransaction', 'hasStatements']), target: 'inStatement', actions: ['startStatement', 'send'] },
        COMMIT: { guard: 'mayStartTransaction', target: 'committing', actions: ['startCommit', 'send'] },
      },
    },
    writing: {
      on: {
        response: [
          { guard: 'isOk', target: 'idle', actions: ['learn', 'finishRequest'] },
          { guard: 'isReply', target: 'writeUnknown', actions: 'learn' },
        ],
        TIMEOUT: { target: 'writeUnknown' },
      },
    },
    writeUnknown: {
      on: { RETRY: { guard: 'hasRetries', target: 'writing', actions: ['retry', 'send'] } },
    },
    inStatement: {
      on: {
        response: [
          { guard: 'isOk', target: 'open', actions: ['learn', 'finishRequest'] },
          { guard: 'isReply', target: 'finished', actions: ['learn', 'recordAborted'] },
        ],
        TIMEOUT: { target: 'finished', actions: 'recordAborted' },
      },
    },
    open: {
      on: {
        STATEMENT: { guard: 'hasStatements', target: 'inStatement', actions: ['startStatement', 'send'] },
        COMMIT: { target: 'committing', actions: ['startCommit', 'send'] },
        ABORT: { target: 'aborting', actions: ['startAbort', 'send'] },
      },
    },
    committing: {
      on: {
        response: [
          { guard: 'isOk', target: 'finished', actions: ['learn', 'recordCommitted'] },
          { guard: 'isAborted', target: 'finished', actions: ['learn', 'recordAborted'] },
          { guard: 'isReply', target: 'commitUnknown', actions: 'learn' },
        ],
        TIMEOUT: { target: 'commitUnknown' },
      },
    },
    commitUnknown: {
      on: {
        RETRY: { guard: 'hasRetries', target: 'committing', actions: ['retry', 'send'] },
        RECOVER_COMMIT: { guard: 'hasRetries', target: 'committing', actions: ['recoverCommit', 'send'] },
      },
    },
    aborting: {
      on: {
        response: { guard: 'isReply', target: 'finished', actions: ['learn', 'recordAborted'] },
        TIMEOUT: { target: 'finished', actions: 'recordAborted' },
      },
    },
    finished: {},
  },
});
