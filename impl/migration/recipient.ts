/**
 * The recipient shard of a migration (seed 003, "The live migration protocol":
 * MigrationDestinationManager; "Orphaned range deletion": the recipient's task), besides serving
 * versioned operations like every shard (`impl/sharding/shard-serving.ts`).
 *
 * `_recvChunkStart` registers an incoming migration (failing when the shard has any other), refuses
 * while a range-deletion task overlapping the chunk remains (the real recipient waits for it, then
 * gives up), persists its own pending task and starts cloning: `_migrateClone` until a batch comes
 * back empty, then `_transferMods` until no modifications are left, after which it is steady.
 * `_recvChunkCommit` makes it fetch the last modifications (the donor is in its critical section)
 * and reply; it then clears its filtering metadata, which a later versioned operation refreshes.
 * Any error or lost reply fails the migration. `_recvChunkStatus` reports where it is;
 * `_recvChunkAbort` (the abort sequence) marks its task ready; `deleteRangeDeletionTask` (the commit
 * sequence) deletes it.
 *
 * @module
 */
import { internalGossip, ZERO_TIME } from '../logical-time.js';
import type { ActiveMigration, CachedRouting, Doc, RangeDeletionTask, ShardServing } from '../sharding/index.js';
import { deleteRange, deleteTask, markReady, overlaps, pendingTask, putTask, readyTask, register, servingImpl, unregister, upsertDoc, withRegistered } from '../sharding/index.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message, RemoteRequest } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { Bugs, MessageEvent, RecipientStatus } from './common.js';
import { CONFIG, INITIAL_TABLE, RECIPIENT, requestOf, responseOf } from './common.js';

export interface RecipientSession {
  readonly id: string;
  readonly chunk: string;
  readonly min: number;
  readonly max: number;
  readonly from: string;
  readonly state: RecipientStatus;
  /** The donor's `_recvChunkCommit`, answered once the last modifications are in. */
  readonly commit: { readonly id: string; readonly from: string } | null;
  /** The donor's `_recvChunkStatus` with `waitForSteadyOrDone`, answered once steady (or failed). */
  readonly statusWaiter: { readonly id: string; readonly from: string } | null;
}

export interface RecipientContext extends ShardServing {
  /** `config.rangeDeletions` (durable). */
  readonly rangeDeletions: readonly RangeDeletionTask[];
  /** The active-migrations registry (in memory). */
  readonly registry: readonly ActiveMigration[];
  /** The current or last migration (in memory). */
  readonly session: RecipientSession | null;
}

export type RecipientEvent = MessageEvent | { readonly type: 'TIMEOUT' } | { readonly type: 'DELETE_RANGE' };

export function newRecipient(meta: CachedRouting = INITIAL_TABLE): RecipientContext {
  return { host: RECIPIENT, clock: ZERO_TIME, oplog: 0, docs: [], meta, refreshing: false, held: [], rangeDeletions: [], registry: [], session: null };
}

/**
 * The exchanges of `_migrateClone` and `_transferMods`: one id per migration each, since the next
 * request goes out only once the previous one is answered, and neither is retried.
 */
export const cloneId = (s: RecipientSession): string => `${s.id}:clone`;
export const modsId = (s: RecipientSession): string => `${s.id}:mods`;

const argsOf = (e: RecipientEvent): RemoteRequest['cmd'] => requestOf(e as MessageEvent).cmd;
const batchOf = (e: RecipientEvent): readonly Doc[] => (responseOf(e as MessageEvent).data as { docs: readonly Doc[] } | null)?.docs ?? [];
const isOk = (e: RecipientEvent): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.status === 'ok';

export function recipientImpl(bugs: Bugs) {
  const skipsMods = bugs.has('skip-transfer-mods');
  const serving = servingImpl<RecipientContext, RecipientEvent>(CONFIG, (t, g) => acceptGossip(t, g, bugs));
  const gossip = (ctx: RecipientContext) => internalGossip(ctx.clock);
  const withSession = (ctx: RecipientContext, patch: Partial<RecipientSession>): RecipientContext => (ctx.session === null ? ctx : { ...ctx, session: { ...ctx.session, ...patch } });
  const toDonor = (ctx: RecipientContext, id: (s: RecipientSession) => string, name: string): readonly Message[] => {
    const s = ctx.session;
    return s === null ? [] : [request(id(s), ctx.host, s.from, { name, sessionId: s.id }, gossip(ctx))];
  };
  const isReply = (ctx: RecipientContext, e: RecipientEvent, id: (s: RecipientSession) => string): boolean =>
    'msg' in e && e.msg.kind === 'response' && ctx.session !== null && e.msg.id === id(ctx.session);
  const replyCommit = (ctx: RecipientContext, status: 'ok' | 'OperationFailed'): readonly Message[] => {
    const c = ctx.session?.commit;
    return c === null || c === undefined ? [] : [{ kind: 'response', id: c.id, from: ctx.host, to: c.from, status, data: null, gossip: gossip(ctx) }];
  };
  const heldStatusReply = (ctx: RecipientContext, state: RecipientStatus): readonly Message[] => {
    const w = ctx.session?.statusWaiter;
    return w === null || w === undefined ? [] : [{ kind: 'response', id: w.id, from: ctx.host, to: w.from, status: 'ok', data: { state }, gossip: gossip(ctx) }];
  };
  const end = (ctx: RecipientContext, state: RecipientStatus): RecipientContext => {
    const s = ctx.session;
    if (s === null) return ctx;
    return { ...ctx, registry: unregister(ctx.registry, s.id), session: { ...s, state, commit: null, statusWaiter: null } };
  };

  return {
    guards: {
      ...serving.guards,
      /** The registry refuses an incoming migration while another is in flight. */
      registryBusy: (ctx: RecipientContext, e: RecipientEvent) => {
        const a = argsOf(e);
        return register(ctx.registry, { direction: 'receive', id: a['sessionId'] as string, chunk: a['chunk'] as string, peer: a['from'] as string }).kind !== 'registered';
      },
      overlapsRangeDeletion: (ctx: RecipientContext, e: RecipientEvent) => overlaps(ctx.rangeDeletions, argsOf(e)['min'] as number, argsOf(e)['max'] as number),
      isSession: (ctx: RecipientContext, e: RecipientEvent) => ctx.session !== null && argsOf(e)['sessionId'] === ctx.session.id,
      isActiveSession: (ctx: RecipientContext, e: RecipientEvent) => ctx.session !== null && argsOf(e)['sessionId'] === ctx.session.id && ctx.registry.some((m) => m.id === ctx.session!.id),
      isCloneReply: (ctx: RecipientContext, e: RecipientEvent) => isReply(ctx, e, cloneId),
      isModsReply: (ctx: RecipientContext, e: RecipientEvent) => isReply(ctx, e, modsId),
      succeeded: (_ctx: RecipientContext, e: RecipientEvent) => isOk(e),
      batchNonEmpty: (_ctx: RecipientContext, e: RecipientEvent) => isOk(e) && batchOf(e).length > 0,
      /** Under `skip-transfer-mods`: steady as soon as the clone is done, and commit without fetching modifications. */
      skipsTransferMods: () => skipsMods,
      hasReadyTask: (ctx: RecipientContext) => readyTask(ctx.rangeDeletions) !== undefined,
      /** `_recvChunkStatus` with `waitForSteadyOrDone` waits while this migration is still cloning or catching up. */
      statusMustWait: (ctx: RecipientContext, e: RecipientEvent) => {
        const st = ctx.session;
        return st !== null && st.id === argsOf(e)['sessionId'] && (st.state === 'clone' || st.state === 'catchup');
      },
    },
    updates: {
      ...serving.updates,
      /** Register the incoming migration, persist the recipient's pending range-deletion task, start cloning. */
      startReceiving: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const a = argsOf(e);
        const id = a['sessionId'] as string;
        const min = a['min'] as number;
        const max = a['max'] as number;
        const from = a['from'] as string;
        const chunk = a['chunk'] as string;
        return {
          ...ctx,
          registry: withRegistered(ctx.registry, { direction: 'receive', id, chunk, peer: from }),
          rangeDeletions: putTask(ctx.rangeDeletions, pendingTask(id, min, max)),
          session: { id, chunk, min, max, from, state: 'clone', commit: null, statusWaiter: null },
        };
      },
      /** Insert a batch of transferred documents (upserts by `_id`: a document cloned and also modified is written once). */
      applyBatch: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const batch = batchOf(e);
        let docs = ctx.docs;
        for (const d of batch) docs = upsertDoc(docs, d);
        return docs === ctx.docs ? ctx : { ...ctx, docs };
      },
      enterCatchup: (ctx: RecipientContext): RecipientContext => withSession(ctx, { state: 'catchup' }),
      enterSteady: (ctx: RecipientContext): RecipientContext => withSession(ctx, { state: 'steady', statusWaiter: null }),
      holdStatus: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const req = requestOf(e as MessageEvent);
        return withSession(ctx, { statusWaiter: { id: req.id, from: req.from } });
      },
      holdCommit: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const req = requestOf(e as MessageEvent);
        return withSession(ctx, { state: 'commitStart', commit: { id: req.id, from: req.from } });
      },
      /** After the commit the recipient does not know its new version: its metadata is cleared, and refreshed on demand. */
      clearMetadata: (ctx: RecipientContext): RecipientContext => (ctx.meta === null ? ctx : { ...ctx, meta: null }),
      finishReceiving: (ctx: RecipientContext): RecipientContext => end(ctx, 'done'),
      failReceiving: (ctx: RecipientContext): RecipientContext => end(ctx, 'fail'),
      /** The abort sequence: the recipient's task for that migration is ready for deletion. */
      markTaskReady: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const rangeDeletions = markReady(ctx.rangeDeletions, argsOf(e)['sessionId'] as string);
        return rangeDeletions === ctx.rangeDeletions ? ctx : { ...ctx, rangeDeletions };
      },
      /** The commit sequence: the recipient's task is deleted (its copy of the range is owned now). */
      deleteOwnTask: (ctx: RecipientContext, e: RecipientEvent): RecipientContext => {
        const rangeDeletions = deleteTask(ctx.rangeDeletions, argsOf(e)['sessionId'] as string);
        return rangeDeletions === ctx.rangeDeletions ? ctx : { ...ctx, rangeDeletions };
      },
      deleteReadyRange: (ctx: RecipientContext): RecipientContext => {
        const t = readyTask(ctx.rangeDeletions);
        return t === undefined ? ctx : { ...ctx, docs: deleteRange(ctx.docs, t.min, t.max), rangeDeletions: deleteTask(ctx.rangeDeletions, t.id) };
      },
    },
    effects: {
      ...serving.effects,
      requestCloneBatch: (ctx: RecipientContext): readonly Message[] => toDonor(ctx, cloneId, '_migrateClone'),
      requestMods: (ctx: RecipientContext): readonly Message[] => toDonor(ctx, modsId, '_transferMods'),
      acknowledge: (ctx: RecipientContext, e: RecipientEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'ok', null, gossip(ctx))],
      replyRefused: (ctx: RecipientContext, e: RecipientEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'ConflictingOperationInProgress', null, gossip(ctx))],
      replyStatus: (ctx: RecipientContext, e: RecipientEvent): readonly Message[] => {
        const s = ctx.session;
        const state: RecipientStatus = s !== null && s.id === argsOf(e)['sessionId'] ? s.state : 'fail';
        return [respond(requestOf(e as MessageEvent), ctx.host, 'ok', { state }, gossip(ctx))];
      },
      /** The held `_recvChunkStatus`, answered with the state the session is entering (`steady` or `fail`). */
      replyHeldSteady: (ctx: RecipientContext): readonly Message[] => heldStatusReply(ctx, 'steady'),
      replyHeldFail: (ctx: RecipientContext): readonly Message[] => heldStatusReply(ctx, 'fail'),
      replyCommitOk: (ctx: RecipientContext): readonly Message[] => replyCommit(ctx, 'ok'),
      replyCommitFailed: (ctx: RecipientContext): readonly Message[] => replyCommit(ctx, 'OperationFailed'),
      replyNotSteady: (ctx: RecipientContext, e: RecipientEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'OperationFailed', null, gossip(ctx))],
    },
  };
}

export type RecipientImpl = ReturnType<typeof recipientImpl>;
