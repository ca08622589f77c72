/**
 * The donor shard of the range-deletion model: its migration coordinator, its range deleter and
 * its queries, as parallel regions. Guards and actions are in `impl/range-deletion/donor.ts` and
 * `impl/range-deletion/shard.ts`.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { DonorContext, DonorEvent } from '../../impl/range-deletion/donor.js';
import { donorImpl, newDonor } from '../../impl/range-deletion/donor.js';
import { INSTALL_REFRESH } from '../../impl/range-deletion/shard.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';
import { DELETER_REGION, QUERY_HANDLERS, REFRESH_HANDLER } from './deleter.js';

const donor = donorImpl(new Set());

/**
 * The donor. On start-up it resubmits its ready range-deletion tasks and, if its filtering metadata
 * is unknown (a restart), refreshes it. The coordinator region runs the migration coordinator:
 * document, pending task, `_recvChunkStart`, `_recvChunkCommit`, the commit on the config server,
 * the decision, then the commit or the abort sequence; with a coordinator document after a restart
 * it recovers (`recovering`) from the refreshed routing table.
 */
export const donorMachine = setup({
  types: {} as RoleTypes<DonorContext, DonorEvent>,
  guards: xstateGuards<DonorContext, DonorEvent, typeof donor.guards>(donor.guards),
  actions: xstateActions<DonorContext, DonorEvent, unknown, typeof donor.updates, typeof donor.effects>(donor),
}).createMachine({
  id: 'donor',
  context: ({ input }) => input ?? newDonor(1),
  type: 'parallel',
  entry: ['resubmitTasks', 'requestRefreshIfUnknown', 'markRefreshingIfUnknown'],
  on: QUERY_HANDLERS,
  states: {
    coordinator: {
      initial: 'booting',
      on: { refresh: REFRESH_HANDLER },
      states: {
        booting: { always: [{ guard: 'hasCoordinator', target: 'recovering' }, { target: 'idle' }] },
        idle: {
          on: {
            MOVE_CHUNK: [
              { guard: and(['hasMoves', 'ownsMovedChunk']), target: 'starting', actions: ['countMove', 'persistCoordinator', 'persistPendingTask', 'sendRecvChunkStart'] },
              { guard: 'hasMoves', actions: 'countMove' },
            ],
          },
        },
        starting: {
          on: {
            start: [
              { guard: and(['isStartReply', 'succeeded']), target: 'cloning', actions: ['acceptGossip', 'sendRecvChunkCommit'] },
              { guard: 'isStartReply', target: 'aborting', actions: 'acceptGossip' },
            ],
            TIMEOUT: { target: 'aborting' },
          },
        },
        // The recipient clones (the migration model's part); it answers _recvChunkCommit once done.
        cloning: {
          on: {
            commit: [
              { guard: and(['isCommitReply', 'succeeded']), target: 'committingOnConfig', actions: ['acceptGossip', 'sendConfigCommit'] },
              { guard: 'isCommitReply', target: 'aborting', actions: 'acceptGossip' },
            ],
            TIMEOUT: { target: 'aborting' },
          },
        },
        committingOnConfig: {
          on: {
            cfgcommit: [
              { guard: and(['isConfigCommitReply', 'succeeded']), target: 'committing', actions: ['acceptGossip', 'installCommitted', 'persistCommitDecision'] },
              { guard: 'isConfigCommitReply', target: 'aborting', actions: 'acceptGossip' },
            ],
          },
        },
        // A restart with a coordinator document: refresh, then decide (a persisted decision stands).
        recovering: {
          on: {
            refresh: [
              { guard: and(['isRefreshReply', 'decidedCommit']), target: 'committing', actions: [...INSTALL_REFRESH] },
              { guard: and(['isRefreshReply', 'decidedAbort']), target: 'aborting', actions: [...INSTALL_REFRESH] },
              { guard: and(['isRefreshReply', 'chunkMoved']), target: 'committing', actions: [...INSTALL_REFRESH, 'persistCommitDecision'] },
              { guard: 'isRefreshReply', target: 'aborting', actions: [...INSTALL_REFRESH] },
            ],
          },
        },
        // The commit sequence: the recipient's task deleted, then the donor's marked ready and submitted; the coordinator document deleted.
        committing: {
          entry: 'sendDeleteRecipientTask',
          on: {
            release: { guard: 'isReleaseReply', target: 'idle', actions: ['acceptGossip', 'markOwnTaskReady', 'deleteCoordinator'] },
            TIMEOUT: { actions: 'sendDeleteRecipientTask' },
          },
        },
        // The abort sequence: the decision recorded, the donor's task deleted, then the recipient's marked ready; the coordinator document deleted.
        aborting: {
          entry: ['persistAbortDecision', 'deleteOwnTask', 'sendRecvChunkAbort'],
          on: {
            abort: { guard: 'isAbortReply', target: 'idle', actions: ['acceptGossip', 'deleteCoordinator'] },
            TIMEOUT: { actions: 'sendRecvChunkAbort' },
          },
        },
      },
    },
    deleter: DELETER_REGION,
  },
});
