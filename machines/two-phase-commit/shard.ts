/**
 * A shard primary of the cross-shard transaction model as a statechart with two regions: the
 * transaction participant, and the transaction coordinator the shard runs when it is the first
 * participant. Guards and actions are in `impl/transactions/shard.ts`.
 *
 * @module
 */
import { and, not, setup } from 'xstate';
import type { ShardContext, ShardEvent } from '../../impl/transactions/shard.js';
import { newShard, shardImpl } from '../../impl/transactions/shard.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const shard = shardImpl(new Set());

/** A retryable write: refused once a newer transaction started, answered without re-applying when already executed. */
const retryableWrite = [
  { guard: and(['isRetryableWrite', 'isTooOld']), actions: ['acceptGossip', 'replyTooOld'] },
  { guard: and(['isRetryableWrite', 'alreadyExecuted']), actions: ['acceptGossip', 'replyOk'] },
  { guard: 'isRetryableWrite', actions: ['acceptGossip', 'applyRetryableWrite', 'replyOk'] },
] as const;
const tooOld = { guard: 'isRetryableWrite', actions: ['acceptGossip', 'replyTooOld'] } as const;
const noSuchTransaction = { actions: ['acceptGossip', 'replyNoSuchTransaction'] } as const;
const fallbackNoSuchTransaction = { guard: 'coordinatorAbsent', actions: ['acceptGossip', 'replyNoSuchTransaction'] } as const;
const start = { guard: 'startsTransaction', target: 'active', actions: ['acceptGossip', 'startTransaction', 'applyStatement', 'replyStatement'] } as const;
/**
 * The first statement of a transaction that names this shard coordinator starts the participant
 * and creates the coordinator: one transition into both regions, so that no configuration has a
 * coordinator created beside a participant that never started.
 */
const startAndCoordinate = {
  guard: and(['becomesCoordinator', 'coordinatorAbsent']),
  target: ['active', '#shard.coordinator.created'],
  actions: ['acceptGossip', 'startTransaction', 'applyStatement', 'replyStatement', 'createCoordinator'],
} as const;
const continued = { guard: 'continuesTransaction', actions: ['acceptGossip', 'applyStatement', 'replyStatement'] } as const;
const noSuchStatement = { guard: 'continuesTransaction', actions: ['acceptGossip', 'replyNoSuchTransaction'] } as const;
const join = { actions: ['acceptGossip', 'addWaiter'] } as const;

/**
 * A shard primary; `STEP_UP` (the node becoming primary, at start and after every crash or failover)
 * restores the participant from `config.transactions` and runs the coordinator's step-up recovery.
 * **Participant**: a statement with `startTransaction` starts the transaction;
 * `prepareTransaction` prepares it (durably) and votes; the decision commits or aborts it; before
 * it prepares it may expire (a unilateral abort). A restart comes back prepared, committed or
 * aborted from `config.transactions`, and loses a transaction that had not prepared. When no
 * coordinator runs here, `coordinateCommitTransaction` is answered from the participant.
 * **Coordinator**: created by the first statement that names this shard coordinator; on
 * `coordinateCommitTransaction` with the participants it persists them, prepares, persists the
 * decision, sends it and deletes its document; step-up recovery resumes from the document.
 */
export const shardMachine = setup({
  types: {} as RoleTypes<ShardContext, ShardEvent>,
  guards: xstateGuards<ShardContext, ShardEvent, typeof shard.guards>(shard.guards),
  actions: xstateActions<ShardContext, ShardEvent, unknown, typeof shard.updates, typeof shard.effects>(shard),
}).createMachine({
  id: 'shard',
  context: ({ input }) => input ?? newShard('shard0'),
  type: 'parallel',
  states: {
    participant: {
      initial: 'starting',
      states: {
        starting: {
          on: {
            STEP_UP: [
              { guard: 'recordPrepared', target: 'prepared' },
              { guard: 'recordCommitted', target: 'committed' },
              { guard: 'recordAborted', target: 'aborted' },
              { target: 'idle' },
            ],
          },
        },
        idle: {
          on: {
            insert: [...retryableWrite, startAndCoordinate, start, noSuchStatement],
            find: [startAndCoordinate, start, noSuchStatement],
            prepareTransaction: noSuchTransaction,
            commitTransaction: noSuchTransaction,
            abortTransaction: noSuchTransaction,
            coordinateCommitTransaction: fallbackNoSuchTransaction,
          },
        },
        active: {
          on: {
            insert: [tooOld, continued],
            find: continued,
            prepareTransaction: { target: 'prepared', actions: ['acceptGossip', 'prepare', 'replyVote'] },
            commitTransaction: { guard: not('hasCommitTimestamp'), target: 'committed', actions: ['acceptGossip', 'commitUnprepared', 'replyOk'] },
            abortTransaction: { target: 'aborted', actions: ['acceptGossip', 'replyOk'] },
            coordinateCommitTransaction: { guard: 'coordinatorAbsent', target: 'aborted', actions: ['acceptGossip', 'replyNoSuchTransaction'] },
            EXPIRE: { target: 'aborted' },
          },
        },
        prepared: {
          on: {
            insert: tooOld,
            prepareTransaction: { actions: ['acceptGossip', 'replyVote'] },
            commitTransaction: {
              guard: 'hasCommitTimestamp',
              target: 'committed',
              actions: ['acceptGossip', 'commitPrepared', 'replyOk', 'answerFallbackCommitted', 'clearFallbackWaiters'],
            },
            abortTransaction: { target: 'aborted', actions: ['acceptGossip', 'abortPrepared', 'replyOk', 'answerFallbackAborted', 'clearFallbackWaiters'] },
            coordinateCommitTransaction: { guard: 'coordinatorAbsent', actions: ['acceptGossip', 'addFallbackWaiter'] },
            EXPIRE: { guard: 'mayExpireWhenPrepared', target: 'aborted', actions: ['abortPrepared', 'answerFallbackAborted', 'clearFallbackWaiters'] },
          },
        },
        committed: {
          on: {
            insert: tooOld,
            prepareTransaction: { actions: ['acceptGossip', 'replyVote'] },
            commitTransaction: { actions: ['acceptGossip', 'replyOk'] },
            coordinateCommitTransaction: { guard: 'coordinatorAbsent', actions: ['acceptGossip', 'replyOk'] },
          },
        },
        aborted: {
          on: {
            insert: [tooOld, noSuchStatement],
            find: noSuchStatement,
            prepareTransaction: noSuchTransaction,
            commitTransaction: noSuchTransaction,
            abortTransaction: { actions: ['acceptGossip', 'replyOk'] },
            coordinateCommitTransaction: fallbackNoSuchTransaction,
          },
        },
      },
    },
    coordinator: {
      initial: 'steppingUp',
      on: { MAJORITY_COMMIT: { guard: 'hasUnreplicatedWrite', actions: 'replicateWrite' } },
      states: {
        steppingUp: {
          on: { STEP_UP: [{ guard: 'docHasDecision', target: 'sendingDecision' }, { guard: 'docHasParticipants', target: 'preparing' }, { target: 'absent' }] },
        },
        /** No coordinator here; the participant's first statement may create one (`startAndCoordinate`). */
        absent: {},
        created: {
          on: {
            coordinateCommitTransaction: [
              { guard: and(['hasParticipantList', 'persistsParticipants']), target: 'persistingParticipants', actions: ['acceptGossip', 'rememberParticipants', 'addWaiter', 'writeParticipantList'] },
              { guard: 'hasParticipantList', target: 'preparing', actions: ['acceptGossip', 'rememberParticipants', 'addWaiter'] },
              join,
            ],
            EXPIRE: { target: 'absent', actions: ['replyCancelled', 'forgetCoordinator'] },
          },
        },
        persistingParticipants: {
          on: {
            MAJORITY_COMMIT: { target: 'preparing', actions: 'replicateWrite' },
            coordinateCommitTransaction: join,
          },
        },
        preparing: {
          entry: 'sendPrepare',
          on: {
            response: [
              { guard: 'isAbortVote', target: 'persistingDecision', actions: ['acceptGossip', 'decideAbort', 'sendDecisionEarly', 'replyWaitersEarly'] },
              { guard: 'isLastCommitVote', target: 'persistingDecision', actions: ['acceptGossip', 'recordVote', 'decideCommit', 'sendDecisionEarly', 'replyWaitersEarly'] },
              { guard: 'isVote', actions: ['acceptGossip', 'recordVote'] },
            ],
            TIMEOUT: { actions: 'sendPrepare' },
            coordinateCommitTransaction: join,
          },
        },
        persistingDecision: {
          on: {
            MAJORITY_COMMIT: { target: 'sendingDecision', actions: 'replicateWrite' },
            coordinateCommitTransaction: join,
          },
        },
        sendingDecision: {
          entry: ['replyWaiters', 'clearWaiters', 'sendDecision'],
          always: { guard: 'allAcked', target: 'absent', actions: ['deleteDocument', 'forgetCoordinator'] },
          on: {
            response: { guard: 'isAck', actions: ['acceptGossip', 'recordAck'] },
            TIMEOUT: { actions: 'sendDecision' },
            coordinateCommitTransaction: { actions: ['acceptGossip', 'replyDecision'] },
          },
        },
      },
    },
  },
});
