/**
 * The recipient shard of the range-deletion model: its side of the migration, its range deleter
 * and its queries, as parallel regions. Guards and actions are in
 * `impl/range-deletion/recipient.ts` and `impl/range-deletion/shard.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { RecipientContext, RecipientEvent } from '../../impl/range-deletion/recipient.js';
import { newRecipient, recipientImpl } from '../../impl/range-deletion/recipient.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';
import { DELETER_REGION, QUERY_HANDLERS, REFRESH_HANDLER } from './deleter.js';

const recipient = recipientImpl(new Set());

/**
 * The recipient. On start-up it resubmits its ready tasks and refreshes unknown metadata. The
 * migration region: `_recvChunkStart` waits for overlapping range deletions, persists the pending
 * task and acknowledges; the clone (an environment step); `_recvChunkCommit` answered once cloned.
 * In every state the coordinator's sequences reach it: `deleteRangeDeletionTask` (commit) and
 * `_recvChunkAbort` (abort).
 */
export const recipientMachine = setup({
  types: {} as RoleTypes<RecipientContext, RecipientEvent>,
  guards: xstateGuards<RecipientContext, RecipientEvent, typeof recipient.guards>(recipient.guards),
  actions: xstateActions<RecipientContext, RecipientEvent, unknown, typeof recipient.updates, typeof recipient.effects>(recipient),
}).createMachine({
  id: 'recipient',
  context: ({ input }) => input ?? newRecipient(true),
  type: 'parallel',
  entry: ['resubmitTasks', 'requestRefreshIfUnknown', 'markRefreshingIfUnknown'],
  on: QUERY_HANDLERS,
  states: {
    migration: {
      initial: 'idle',
      on: {
        refresh: REFRESH_HANDLER,
        _recvChunkStart: { actions: ['acceptGossip', 'replyBusy'] },
        _recvChunkCommit: { actions: ['acceptGossip', 'replyBusy'] },
        _recvChunkAbort: [
          { guard: 'isSession', target: '.idle', actions: ['acceptGossip', 'endSession', 'markTaskReady', 'acknowledge'] },
          { actions: ['acceptGossip', 'markTaskReady', 'acknowledge'] },
        ],
        deleteRangeDeletionTask: [
          { guard: 'hasTaskOf', actions: ['acceptGossip', 'deleteOwnTask', 'clearFilteringMetadata', 'requestRefresh', 'markRefreshing', 'acknowledge'] },
          { actions: ['acceptGossip', 'acknowledge'] },
        ],
      },
      states: {
        idle: {
          on: {
            _recvChunkStart: [
              { guard: 'overlapsTask', target: 'waitingForOverlap', actions: ['acceptGossip', 'startSession', 'holdStart'] },
              { target: 'cloning', actions: ['acceptGossip', 'startSession', 'persistPendingTask', 'acknowledge'] },
            ],
          },
        },
        // Step 3: wait until the overlapping range deletion is done, then persist the pending task, before cloning.
        waitingForOverlap: { always: { guard: 'noOverlap', target: 'cloning', actions: ['persistPendingTask', 'replyHeldStart', 'dropHeldStart'] } },
        cloning: {
          on: {
            CLONE: [{ guard: 'commitHeld', target: 'idle', actions: ['applyClone', 'replyHeldCommit', 'endSession'] }, { target: 'steady', actions: 'applyClone' }],
            _recvChunkCommit: [{ guard: 'isSession', actions: ['acceptGossip', 'holdCommit'] }, { actions: ['acceptGossip', 'replyBusy'] }],
          },
        },
        steady: {
          on: {
            _recvChunkCommit: [{ guard: 'isSession', target: 'idle', actions: ['acceptGossip', 'acknowledge', 'endSession'] }, { actions: ['acceptGossip', 'replyBusy'] }],
          },
        },
      },
    },
    deleter: DELETER_REGION,
  },
});
