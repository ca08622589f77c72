/**
 * The recipient shard of the range-deletion model (seed 003, "Orphaned range deletion": step 3;
 * "Orphan filtering": the recipient during the migration), besides what every shard does
 * (`shard.ts`).
 *
 * `_recvChunkStart` starts a session; while a range-deletion task overlapping the chunk remains in
 * `config.rangeDeletions` (an earlier migration's orphans not yet deleted), the recipient waits for
 * it to be deleted; then it persists its own pending task and acknowledges, before cloning. The
 * cloning is the migration model's, here one environment step that copies the chunk's documents
 * from the donor; they are orphans on the recipient until the migration commits, and its queries
 * filter them out with the metadata they hold. `_recvChunkCommit` is answered once the clone is
 * done. The commit sequence's `deleteRangeDeletionTask` deletes its task and clears its filtering
 * metadata, which it refreshes (it owns the chunk now); the abort sequence's `_recvChunkAbort`
 * ends the session and marks its task ready, which submits it to its range deleter.
 *
 * The session is in memory: a restarted recipient has lost it (the donor's request times out and
 * the migration aborts); its task is durable.
 *
 * @module
 */
import type { Doc } from '../sharding/index.js';
import { MIN_KEY, overlaps, upsertDoc } from '../sharding/index.js';
import { metadataManager } from '../sharding/metadata-manager.js';
import type { Message } from '../world/network.js';
import { internalGossip } from '../logical-time.js';
import type { Bugs, MessageEvent } from './common.js';
import { INITIAL_TABLE, LEFTOVER_DOCS, LEFTOVER_TASK, RECIPIENT, requestOf } from './common.js';
import type { DeleterEvent, RdShardContext } from './shard.js';
import { newShardContext, persistPending, readyAndSubmit, removeTask, restartShard, shardImpl, tick } from './shard.js';

/** The exchange a recipient answers later. */
export interface Waiter {
  readonly id: string;
  readonly from: string;
}

export interface RecipientSession {
  readonly id: string;
  readonly min: number;
  readonly max: number;
  readonly from: string;
  /** The `_recvChunkStart` held while an overlapping range deletion remains. */
  readonly start: Waiter | null;
  /** The `_recvChunkCommit` held until the clone is done. */
  readonly commit: Waiter | null;
}

export interface RecipientContext extends RdShardContext {
  /** The migration in flight (in memory). */
  readonly session: RecipientSession | null;
}

/** The migration's cloning (the migration model's part): the chunk's documents on the donor, copied. */
export type CloneEvent = { readonly type: 'CLONE'; readonly docs: readonly Doc[] };

export type RecipientEvent = MessageEvent | DeleterEvent | CloneEvent;

/** A recipient, with the leftovers of an earlier aborted migration (its orphan and ready task) or without. */
export function newRecipient(leftover: boolean): RecipientContext {
  const ctx = newShardContext(RECIPIENT, metadataManager(INITIAL_TABLE), leftover ? LEFTOVER_DOCS : [], leftover ? [LEFTOVER_TASK] : []);
  // The leftover task was submitted to the deleter when the earlier migration aborted.
  return { ...ctx, queue: leftover ? [LEFTOVER_TASK.id] : [], session: null };
}

export function recoverRecipient(ctx: RecipientContext, bugs: Bugs): RecipientContext {
  return { ...restartShard(ctx, bugs), session: null };
}

const argsOf = (e: RecipientEvent) => requestOf(e as MessageEvent).cmd;
const sessionIdOf = (e: RecipientEvent): string => argsOf(e)['sessionId'] as string;

export function recipientImpl(bugs: Bugs) {
  const waitsForOverlap = !bugs.has('recipient-no-wait-overlapping');
  const shard = shardImpl<RecipientContext, RecipientEvent>(bugs);
  const gossip = (ctx: RecipientContext) => internalGossip(ctx.clock);
  const answer = (ctx: RecipientContext, w: Waiter | null | undefined, status: 'ok' | 'OperationFailed'): readonly Message[] =>
    w === null || w === undefined ? [] : [{ kind: 'response', id: w.id, from: ctx.host, to: w.from, status, data: null, gossip: gossip(ctx) }];
  const otherOverlapping = (ctx: RecipientContext, s: { id: string; min: number; max: number }): boolean =>
    overlaps(ctx.rangeDeletions.filter((t) => t.id !== s.id), s.min, s.max);
  const withSession = (ctx: RecipientContext, patch: Partial<RecipientSession>): RecipientContext => (ctx.session === null ? ctx : { ...ctx, session: { ...ctx.session, ...patch } });

  return {
    guards: {
      ...shard.guards,
      /** An earlier task overlapping the incoming range is still there (without the wait: never). */
      overlapsTask: (ctx: RecipientContext, e: RecipientEvent) => {
        const a = argsOf(e);
        return waitsForOverlap && otherOverlapping(ctx, { id: a['sessionId'] as string, min: (a['min'] as number) ?? MIN_KEY, max: a['max'] as number });
      },
      noOverlap: (ctx: RecipientContext) => ctx.session === null || !otherOverlapping(ctx, ctx.session),
      isSession: (ctx: RecipientContext, e: RecipientEvent) => ctx.session !== null && sessionIdOf(e) === ctx.session.id,
      commitHeld: (ctx: RecipientContext) => ctx.session?.commit != null,
      hasTaskOf: (ctx: RecipientContext, e: RecipientEvent) => ctx.rangeDeletions.some((t) => t.id === sessionIdOf(e)),
    },
    updates: {
      ...shard.updates,
      startSession: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const a = argsOf(e);
        return { ...ctx, session: { id: a['sessionId'] as string, min: a['min'] as number, max: a['max'] as number, from: a['from'] as string, start: null, commit: null } };
      },
      holdStart: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const req = requestOf(e as MessageEvent);
        return withSession(ctx, { start: { id: req.id, from: req.from } });
      },
      dropHeldStart: (ctx: RecipientContext): RecipientContext => withSession(ctx, { start: null }),
      /** Step 3: the recipient's own pending task, before cloning. */
      persistPendingTask: (ctx: RecipientContext): RecipientContext => {
        const s = ctx.session;
        return s === null ? ctx : persistPending(ctx, s.id, s.min, s.max);
      },
      /** The clone: the donor's documents of the chunk inserted (upserts by `_id`), one oplog write. */
      applyClone: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        let docs = ctx.docs;
        for (const d of (e as CloneEvent).docs) docs = upsertDoc(docs, d);
        return { ...tick(ctx), docs };
      },
      holdCommit: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const req = requestOf(e as MessageEvent);
        return withSession(ctx, { commit: { id: req.id, from: req.from } });
      },
      endSession: (ctx: RecipientContext): RecipientContext => (ctx.session === null ? ctx : { ...ctx, session: null }),
      /** The abort sequence: the recipient's task ready, and so submitted to its deleter. */
      markTaskReady: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => readyAndSubmit(ctx, sessionIdOf(e)),
      /** The commit sequence: the recipient's task deleted (its copy of the range is owned now). */
      deleteOwnTask: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => removeTask(ctx, sessionIdOf(e)),
    },
    effects: {
      ...shard.effects,
      replyHeldStart: (ctx: RecipientContext): readonly Message[] => answer(ctx, ctx.session?.start, 'ok'),
      replyHeldCommit: (ctx: RecipientContext): readonly Message[] => answer(ctx, ctx.session?.commit, 'ok'),
      replyBusy: (ctx: RecipientContext, e: RecipientEvent): readonly Message[] => answer(ctx, { id: requestOf(e as MessageEvent).id, from: requestOf(e as MessageEvent).from }, 'OperationFailed'),
    },
  };
}

export type RecipientImpl = ReturnType<typeof recipientImpl>;
