/**
 * The donor shard of the migration model. Guards and actions are in `impl/migration/donor.ts`
 * (migration) and `impl/sharding/shard-serving.ts` (versioned operations).
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { DonorContext, DonorEvent } from '../../impl/migration/donor.js';
import { donorImpl, newDonor } from '../../impl/migration/donor.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const donor = donorImpl(new Set());

/** A versioned CRUD operation, in every state: hold it for a refresh, refuse a stale version, hold it for the critical section, or run it. */
const crud = [
  { guard: 'metaUnknown', actions: ['acceptGossip', 'requestRefresh', 'markRefreshing', 'holdForRefresh'] },
  { guard: and(['versionStale', 'shardIsOlder']), actions: ['acceptGossip', 'replyStale', 'requestRefresh', 'markRefreshing'] },
  { guard: 'versionStale', actions: ['acceptGossip', 'replyStale'] },
  { guard: 'blockedByCriticalSection', actions: ['acceptGossip', 'holdForCriticalSection'] },
  { actions: ['acceptGossip', 'applyOp', 'replyOk'] },
] as const;

/** Leaving the critical section: its held operations get a stale-version error (their routers refresh and retry). */
const leaveCriticalSection = ['replyCriticalSectionHeld', 'exitCriticalSection'] as const;

/**
 * The donor: serves versioned operations in every state; a `moveChunk` starts a migration (steps
 * 1–7 of the seed), joins the one in flight for the same chunk, or is refused; the decision is
 * persisted, then the commit or abort sequence runs. A restart with a coordinator document recovers
 * the migration (`recovering`) from the routing table.
 */
export const donorMachine = setup({
  types: {} as RoleTypes<DonorContext, DonorEvent>,
  guards: xstateGuards<DonorContext, DonorEvent, typeof donor.guards>(donor.guards),
  actions: xstateActions<DonorContext, DonorEvent, unknown, typeof donor.updates, typeof donor.effects>(donor),
}).createMachine({
  id: 'donor',
  context: ({ input }) => input ?? newDonor(),
  initial: 'booting',
  on: {
    insert: crud,
    find: crud,
    refresh: { guard: 'isRefreshReply', actions: ['acceptGossip', 'installRefreshed', 'replyRefreshHeld', 'dropRefreshHeld'] },
    moveChunk: [
      { guard: 'joinsActive', actions: ['acceptGossip', 'addRequester'] },
      { guard: 'registers', actions: ['acceptGossip', 'registerAnother', 'addRequester'] },
      { actions: ['acceptGossip', 'replyMoveConflict'] },
    ],
    _migrateClone: { actions: ['acceptGossip', 'replyNoSession'] },
    _transferMods: { actions: ['acceptGossip', 'replyNoSession'] },
    DELETE_RANGE: { guard: 'hasReadyTask', actions: 'deleteReadyRange' },
  },
  states: {
    booting: { always: [{ guard: 'needsRecovery', target: 'recovering' }, { target: 'idle' }] },
    idle: {
      on: {
        moveChunk: [
          { guard: and(['registers', 'ownsChunk']), target: 'migrating', actions: ['acceptGossip', 'startMigration', 'addRequester', 'sendRecvChunkStart'] },
          { actions: ['acceptGossip', 'replyMoveFailed'] },
        ],
      },
    },
    migrating: {
      on: {
        _migrateClone: [{ guard: 'isSession', actions: ['acceptGossip', 'replyCloneBatch', 'popCloneBatch'] }, { actions: ['acceptGossip', 'replyNoSession'] }],
        _transferMods: [{ guard: 'isSession', actions: ['acceptGossip', 'replyMods', 'clearMods'] }, { actions: ['acceptGossip', 'replyNoSession'] }],
      },
      initial: 'starting',
      states: {
        starting: {
          on: {
            start: [
              { guard: and(['isStartReply', 'succeeded']), target: 'cloning', actions: ['acceptGossip', 'sendStatusPoll'] },
              { guard: 'isStartReply', target: '#donor.aborting', actions: 'acceptGossip' },
            ],
            TIMEOUT: { target: '#donor.aborting' },
          },
        },
        // Step 4: poll _recvChunkStatus until the recipient is steady.
        cloning: {
          on: {
            status: [
              { guard: and(['isStatusReply', 'recipientSteady']), target: 'criticalSection', actions: ['acceptGossip', 'enterCriticalSection', 'sendRecvChunkCommit'] },
              { guard: and(['isStatusReply', 'recipientFailed']), target: '#donor.aborting', actions: 'acceptGossip' },
              { guard: 'isStatusReply', actions: ['acceptGossip', 'sendStatusPoll'] },
            ],
            TIMEOUT: { target: '#donor.aborting' },
          },
        },
        // Steps 5 and 6: writes blocked, recovery document persisted; the recipient fetches the last modifications.
        criticalSection: {
          on: {
            commit: [
              { guard: and(['isCommitReply', 'succeeded']), target: 'committingOnConfig', actions: ['acceptGossip', 'suspendReads', 'sendConfigCommit'] },
              { guard: 'isCommitReply', target: '#donor.aborting', actions: 'acceptGossip' },
            ],
            TIMEOUT: { target: '#donor.aborting' },
          },
        },
        // Step 7: reads suspended too; the config server commits and its reply is the refreshed metadata.
        committingOnConfig: {
          on: {
            cfgcommit: [
              { guard: and(['isConfigCommitReply', 'succeeded']), target: '#donor.committed', actions: ['acceptGossip', 'installCommitted', 'persistCommit', ...leaveCriticalSection] },
              { guard: 'isConfigCommitReply', target: '#donor.aborting', actions: 'acceptGossip' },
            ],
          },
        },
      },
    },
    // A restart with a coordinator document: refresh, then decide (a persisted decision stands).
    recovering: {
      entry: ['reRegister', 'requestRefresh', 'markRefreshing'],
      on: {
        refresh: [
          { guard: and(['isRefreshReply', 'decidedCommit']), target: 'committed', actions: ['acceptGossip', 'installRefreshed', 'replyRefreshHeld', 'dropRefreshHeld'] },
          { guard: and(['isRefreshReply', 'decidedAbort']), target: 'aborting', actions: ['acceptGossip', 'installRefreshed', 'replyRefreshHeld', 'dropRefreshHeld'] },
          { guard: and(['isRefreshReply', 'chunkMoved']), target: 'committed', actions: ['acceptGossip', 'installRefreshed', 'replyRefreshHeld', 'dropRefreshHeld', 'persistCommit'] },
          { guard: and(['isRefreshReply', 'hasCoordinator']), target: 'aborting', actions: ['acceptGossip', 'installRefreshed', 'replyRefreshHeld', 'dropRefreshHeld'] },
          // Only the recovery document was left: the critical section's metadata is refreshed; nothing to decide.
          { guard: 'isRefreshReply', target: 'idle', actions: ['acceptGossip', 'installRefreshed', 'replyRefreshHeld', 'dropRefreshHeld', 'exitCriticalSection'] },
        ],
      },
    },
    // The commit sequence: delete the recipient's task, then mark the donor's ready and delete the coordinator document.
    committed: {
      entry: 'sendDeleteRecipientTask',
      on: {
        release: { guard: 'isReleaseReply', target: 'idle', actions: ['acceptGossip', 'replyRequestersOk', 'finishCommit'] },
        TIMEOUT: { actions: 'sendDeleteRecipientTask' },
      },
    },
    // The abort sequence: the decision persisted, the critical section ended; the recipient aborts and marks its task ready; the donor's task and the coordinator document are deleted.
    aborting: {
      entry: ['persistAbort', ...leaveCriticalSection, 'sendRecvChunkAbort'],
      on: {
        abort: { guard: 'isAbortReply', target: 'idle', actions: ['acceptGossip', 'replyRequestersFailed', 'finishAbort'] },
        TIMEOUT: { actions: 'sendRecvChunkAbort' },
      },
    },
  },
});
