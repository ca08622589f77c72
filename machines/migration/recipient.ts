/**
 * The recipient shard of the migration model. Guards and actions are in
 * `impl/migration/recipient.ts` (migration) and `impl/sharding/shard-serving.ts` (versioned
 * operations).
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { RecipientContext, RecipientEvent } from '../../impl/migration/recipient.js';
import { newRecipient, recipientImpl } from '../../impl/migration/recipient.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const recipient = recipientImpl(new Set());

const crud = [
  { guard: 'metaUnknown', actions: ['acceptGossip', 'requestRefresh', 'markRefreshing', 'holdForRefresh'] },
  { guard: and(['versionStale', 'shardIsOlder']), actions: ['acceptGossip', 'replyStale', 'requestRefresh', 'markRefreshing'] },
  { guard: 'versionStale', actions: ['acceptGossip', 'replyStale'] },
  { actions: ['acceptGossip', 'applyOp', 'replyOk'] },
] as const;

/** Any error or lost reply fails the migration: the registry entry goes, and the donor learns it from `_recvChunkStatus` or its own error. */
const fail = { target: '#recipient.idle', actions: ['replyHeldFail', 'replyCommitFailed', 'failReceiving'] } as const;

/**
 * The recipient: serves versioned operations in every state; `_recvChunkStart` starts cloning
 * (`_migrateClone` until empty), catch-up (`_transferMods` until empty), steady; `_recvChunkCommit`
 * fetches the last modifications and commits.
 */
export const recipientMachine = setup({
  types: {} as RoleTypes<RecipientContext, RecipientEvent>,
  guards: xstateGuards<RecipientContext, RecipientEvent, typeof recipient.guards>(recipient.guards),
  actions: xstateActions<RecipientContext, RecipientEvent, unknown, typeof recipient.updates, typeof recipient.effects>(recipient),
}).createMachine({
  id: 'recipient',
  context: ({ input }) => input ?? newRecipient(),
  initial: 'idle',
  on: {
    insert: crud,
    find: crud,
    refresh: { guard: 'isRefreshReply', actions: ['acceptGossip', 'installRefreshed', 'replyRefreshHeld', 'dropRefreshHeld'] },
    _recvChunkStart: { actions: ['acceptGossip', 'replyRefused'] },
    _recvChunkStatus: [{ guard: 'statusMustWait', actions: ['acceptGossip', 'holdStatus'] }, { actions: ['acceptGossip', 'replyStatus'] }],
    _recvChunkCommit: { actions: ['acceptGossip', 'replyNotSteady'] },
    _recvChunkAbort: [
      { guard: 'isActiveSession', target: '.idle', actions: ['acceptGossip', ...fail.actions, 'markTaskReady', 'acknowledge'] },
      { actions: ['acceptGossip', 'markTaskReady', 'acknowledge'] },
    ],
    deleteRangeDeletionTask: { actions: ['acceptGossip', 'deleteOwnTask', 'acknowledge'] },
    DELETE_RANGE: { guard: 'hasReadyTask', actions: 'deleteReadyRange' },
  },
  states: {
    idle: {
      on: {
        _recvChunkStart: [
          { guard: 'registryBusy', actions: ['acceptGossip', 'replyRefused'] },
          // The real recipient waits for an overlapping range deletion to finish, then gives up.
          { guard: 'overlapsRangeDeletion', actions: ['acceptGossip', 'replyRefused'] },
          { target: 'cloning', actions: ['acceptGossip', 'startReceiving', 'acknowledge', 'requestCloneBatch'] },
        ],
      },
    },
    cloning: {
      on: {
        clone: [
          { guard: and(['isCloneReply', 'batchNonEmpty']), actions: ['acceptGossip', 'applyBatch', 'requestCloneBatch'] },
          { guard: and(['isCloneReply', 'succeeded', 'skipsTransferMods']), target: 'steady', actions: ['acceptGossip', 'applyBatch', 'replyHeldSteady', 'enterSteady'] },
          { guard: and(['isCloneReply', 'succeeded']), target: 'catchup', actions: ['acceptGossip', 'applyBatch', 'enterCatchup', 'requestMods'] },
          { guard: 'isCloneReply', ...fail, actions: ['acceptGossip', ...fail.actions] },
        ],
        TIMEOUT: fail,
      },
    },
    catchup: {
      on: {
        mods: [
          { guard: and(['isModsReply', 'batchNonEmpty']), actions: ['acceptGossip', 'applyBatch', 'requestMods'] },
          { guard: and(['isModsReply', 'succeeded']), target: 'steady', actions: ['acceptGossip', 'applyBatch', 'replyHeldSteady', 'enterSteady'] },
          { guard: 'isModsReply', ...fail, actions: ['acceptGossip', ...fail.actions] },
        ],
        TIMEOUT: fail,
      },
    },
    steady: {
      on: {
        _recvChunkCommit: [
          { guard: and(['isSession', 'skipsTransferMods']), target: 'idle', actions: ['acceptGossip', 'holdCommit', 'clearMetadata', 'replyCommitOk', 'finishReceiving'] },
          { guard: 'isSession', target: 'committing', actions: ['acceptGossip', 'holdCommit', 'requestMods'] },
        ],
      },
    },
    // Step 6: the last _transferMods while the donor holds writes, then the commit's reply.
    committing: {
      on: {
        mods: [
          { guard: and(['isModsReply', 'batchNonEmpty']), actions: ['acceptGossip', 'applyBatch', 'requestMods'] },
          { guard: and(['isModsReply', 'succeeded']), target: 'idle', actions: ['acceptGossip', 'applyBatch', 'clearMetadata', 'replyCommitOk', 'finishReceiving'] },
          { guard: 'isModsReply', ...fail, actions: ['acceptGossip', ...fail.actions] },
        ],
        TIMEOUT: fail,
      },
    },
  },
});
