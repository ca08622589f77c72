/**
 * The parts of a shard chart that the donor and the recipient share: the queries served in every
 * state, and the range deleter's region (a single thread: one task at a time, from its queue).
 * Guards and actions are in `impl/range-deletion/shard.ts`.
 *
 * @module
 */
import { INSTALL_REFRESH } from '../../impl/range-deletion/shard.js';

/** `find` opens a cursor on the current metadata (held while it is unknown); `getMore` returns the filtered batch and closes it. */
export const QUERY_HANDLERS = {
  find: [{ guard: 'metaUnknown', actions: ['acceptGossip', 'holdFind'] }, { actions: ['acceptGossip', 'openCursor', 'replyCursor'] }],
  getMore: [{ guard: 'hasCursor', actions: ['acceptGossip', 'replyBatch', 'closeCursor'] }, { actions: ['acceptGossip', 'replyCursorNotFound'] }],
} as const;

/** A refresh reply installs the metadata and opens the queries held for it. */
export const REFRESH_HANDLER = { guard: 'isRefreshReply', actions: [...INSTALL_REFRESH] } as const;

/**
 * The range deleter: takes the next submitted task; waits until no running query uses metadata
 * under which the shard owns part of its range; waits for the secondaries' delay; deletes a batch
 * per `DELETE_BATCH` until one finds nothing, then deletes the task document.
 */
export const DELETER_REGION = {
  initial: 'idle',
  states: {
    idle: { always: { guard: 'hasSubmitted', target: 'waitingForQueries' } },
    waitingForQueries: { always: { guard: 'headRangeFree', target: 'waitingForSecondaries' } },
    waitingForSecondaries: { on: { SECONDARY_DELAY: { target: 'deleting' } } },
    deleting: {
      on: {
        DELETE_BATCH: [{ guard: 'headRangeHasDocs', actions: 'deleteBatch' }, { target: 'idle', actions: 'finishTask' }],
      },
    },
  },
} as const;
