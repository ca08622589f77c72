/**
 * The router (mongos) of the cross-shard transaction model as a statechart; its guards and actions
 * are in `impl/transactions/router.ts`. Both routers of the model run this chart: the one the
 * transaction runs on, and a second one that only ever recovers a commit with the recovery token.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { RouterContext, RouterEvent } from '../../impl/transactions/router.js';
import { newRouter, routerImpl } from '../../impl/transactions/router.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const router = routerImpl(new Set());

const statement = [
  { guard: 'isClosed', actions: 'replyNoSuchTransaction' },
  { target: 'forwarding', actions: ['acceptClientGossip', 'rememberStatement', 'forwardStatement'] },
] as const;

/**
 * A router: forwards one client request at a time. Statements go to their shard with the
 * transaction's fields; `commitTransaction` takes the path the participants give (none: done; one:
 * commit it; several read-only: commit each; otherwise two-phase commit at the coordinator, the
 * first participant), or, for a transaction it does not know and a recovery token, asks the
 * recovery shard. An error or a timeout of a statement aborts the transaction on every participant
 * (an implicit abort: two-phase commit has not started), as `abortTransaction` does; the router
 * answers the client once the participants have answered the abort.
 */
export const routerMachine = setup({
  types: {} as RoleTypes<RouterContext, RouterEvent>,
  guards: xstateGuards<RouterContext, RouterEvent, typeof router.guards>(router.guards),
  actions: xstateActions<RouterContext, RouterEvent, unknown, typeof router.updates, typeof router.effects>(router),
}).createMachine({
  id: 'router',
  context: ({ input }) => input ?? newRouter('router'),
  initial: 'idle',
  states: {
    idle: {
      on: {
        insert: [{ guard: 'isRetryableWrite', target: 'forwarding', actions: ['acceptClientGossip', 'rememberWrite', 'forwardWrite'] }, ...statement],
        find: [...statement],
        commitTransaction: [
          { guard: and(['isRecovery', 'tokenNamesShard']), target: 'forwarding', actions: ['acceptClientGossip', 'rememberRecovery', 'askRecoveryShard'] },
          { guard: 'isRecovery', actions: 'replyNoSuchTransaction' },
          { guard: 'isAborted', actions: 'replyNoSuchTransaction' },
          { guard: 'hasNoParticipants', actions: 'replyOk' },
          { guard: 'hasOneParticipant', target: 'forwarding', actions: ['acceptClientGossip', 'rememberCommit', 'commitParticipant'] },
          { guard: 'commitsEachShard', target: 'forwarding', actions: ['acceptClientGossip', 'rememberReadOnlyCommit', 'commitEachParticipant'] },
          { target: 'forwarding', actions: ['acceptClientGossip', 'rememberCommit', 'coordinateCommit'] },
        ],
        abortTransaction: [
          { guard: 'isClosed', actions: 'replyNoSuchTransaction' },
          { guard: 'hasNoParticipants', actions: ['acceptClientGossip', 'markAborted', 'replyOk'] },
          { target: 'forwarding', actions: ['acceptClientGossip', 'rememberAbort', 'markAborted', 'abortParticipants'] },
        ],
      },
    },
    forwarding: {
      on: {
        response: [
          { guard: 'isStatementError', actions: ['acceptGossip', 'abortImplicitly', 'abortParticipants'] },
          { guard: 'awaitsOthers', actions: ['acceptGossip', 'recordCommitResponse'] },
          { guard: 'isPendingResponse', target: 'idle', actions: ['acceptGossip', 'recordStatementResult', 'replyToClient', 'forget'] },
        ],
        TIMEOUT: [
          { guard: 'isStatementPending', actions: ['abortImplicitly', 'abortParticipants'] },
          { guard: 'isAbortPending', target: 'idle', actions: ['replyAbortResult', 'forget'] },
          { target: 'idle', actions: ['replyNetworkError', 'forget'] },
        ],
      },
    },
  },
});
