/**
 * The donor shard of a migration (seed 003, "The live migration protocol": the moveChunk command,
 * MigrationSourceManager and the chunk cloner; "Orphaned range deletion": the migration
 * coordinator's documents), besides serving versioned operations like every shard
 * (`impl/sharding/shard-serving.ts`).
 *
 * A `moveChunk` registers the migration in the active-migrations registry (a second request for the
 * same chunk joins it; any other fails), persists the coordinator document and the donor's pending
 * range-deletion task, starts the cloner (the chunk's documents now, the writes that land on the
 * chunk from now on queued as modifications) and sends `_recvChunkStart`. It serves the
 * recipient's `_migrateClone` (one document per batch) and `_transferMods` (the queued
 * modifications), and polls `_recvChunkStatus` until the recipient is steady. Then the critical
 * section: writes to the chunk are held and the recovery document persisted; `_recvChunkCommit`
 * makes the recipient fetch the last modifications; reads are held too; `_configsvrCommitChunkMigration`
 * commits on the config server, whose reply is the refreshed metadata. The decision is persisted in
 * the coordinator document, the critical section ends (held operations get a stale-version error
 * and are retried by their routers), and the commit sequence (the recipient's task deleted, the
 * donor's marked ready) or the abort sequence (the recipient told to abort and mark its task
 * ready, the donor's deleted) runs; then the coordinator document is deleted.
 *
 * Durable: the documents, the vector and oplog time, `config.migrationCoordinators`,
 * `config.rangeDeletions`, the recovery document and the migration counter. In memory: the
 * filtering metadata, the registry, the migration's session (cloner, queued modifications, critical
 * section, the requests waiting for its outcome), held operations. A restarted donor with a
 * coordinator document recovers: it refreshes its metadata and decides from the routing table
 * (the chunk on the recipient: committed) unless the decision was persisted, then runs the
 * sequence.
 *
 * @module
 */
import type { LogicalTime, VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import type { ActiveMigration, CachedRouting, Doc, HeldOp, MigrationCoordinatorDoc, RangeDeletionTask, RoutingTable, ShardServing } from '../sharding/index.js';
import {
  chunkById,
  coordinatorDoc,
  deleteRange,
  deleteTask,
  docsInRange,
  markReady,
  pendingTask,
  putTask,
  readyTask,
  register,
  servingImpl,
  unregister,
  withDecision,
  withRegistered,
} from '../sharding/index.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message, RemoteRequest } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { Bugs, MessageEvent, RecipientStatus } from './common.js';
import { CONFIG, DONOR, INITIAL_DOCS, INITIAL_TABLE, requestOf, responseOf } from './common.js';

/** Whether, and what, the critical section blocks: nothing, writes to the chunk, or writes and reads. */
export type CriticalSection = 'none' | 'writes' | 'reads';

/** A migration in flight on the donor (MigrationSourceManager and its cloner). */
export interface DonorSession {
  readonly id: string;
  readonly chunk: string;
  readonly min: number;
  readonly max: number;
  readonly to: string;
  /** The chunk's documents the cloner has still to send (`_migrateClone`, one per batch). */
  readonly cloneQueue: readonly Doc[];
  /** Writes to the chunk since the cloner started, not yet transferred (`_transferMods`). */
  readonly mods: readonly Doc[];
  readonly critSec: CriticalSection;
}

/** A `moveChunk` request waiting for a migration's outcome (its own, or one it joined). */
export interface MoveRequester {
  readonly id: string;
  readonly from: string;
}

export interface DonorContext extends ShardServing {
  /** `config.migrationCoordinators` (durable). */
  readonly coordinator: MigrationCoordinatorDoc | null;
  /** `config.rangeDeletions` (durable). */
  readonly rangeDeletions: readonly RangeDeletionTask[];
  /** The critical section's recovery document (ShardingStateRecovery; durable). */
  readonly recoveryDoc: boolean;
  /** Migrations started so far, for session ids (durable: the coordinator document's id is unique). */
  readonly migrations: number;
  /** The active-migrations registry (in memory). */
  readonly registry: readonly ActiveMigration[];
  readonly session: DonorSession | null;
  readonly requesters: readonly MoveRequester[];
}

export type DonorEvent = MessageEvent | { readonly type: 'TIMEOUT' } | { readonly type: 'DELETE_RANGE' };

export function newDonor(meta: CachedRouting = INITIAL_TABLE, docs: readonly Doc[] = INITIAL_DOCS): DonorContext {
  return {
    host: DONOR,
    clock: ZERO_TIME,
    oplog: 0,
    docs,
    meta,
    refreshing: false,
    held: [],
    coordinator: null,
    rangeDeletions: [],
    recoveryDoc: false,
    migrations: 0,
    registry: [],
    session: null,
    requesters: [],
  };
}

/** A restarted donor: durable state kept; metadata unknown, registry, session and held operations lost. */
export function recoverDonor(ctx: DonorContext, bugs: Bugs): DonorContext {
  const clock: VectorTime = bugs.has('donor-restart-forgets-clock') ? vectorTime(ctx.oplog, 0, 0) : ctx.clock;
  return {
    host: ctx.host,
    clock,
    oplog: ctx.oplog as LogicalTime,
    docs: ctx.docs,
    meta: null,
    refreshing: false,
    held: [],
    coordinator: ctx.coordinator,
    rangeDeletions: ctx.rangeDeletions,
    recoveryDoc: ctx.recoveryDoc,
    migrations: ctx.migrations,
    registry: [],
    session: null,
    requesters: [],
  };
}

// Exchange ids of the migration `id`.
export const startId = (id: string): string => `${id}:start`;
export const statusId = (id: string): string => `${id}:status`;
export const commitId = (id: string): string => `${id}:commit`;
export const configCommitId = (id: string): string => `${id}:cfgcommit`;
export const abortId = (id: string): string => `${id}:abort`;
export const releaseId = (id: string): string => `${id}:release`;

/** The migration the donor is running or recovering: its coordinator document's id. */
export const migrationId = (ctx: DonorContext): string => ctx.coordinator?.id ?? ctx.session?.id ?? '';

const isReplyTo = (e: DonorEvent, id: string): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.id === id;
const isOk = (e: DonorEvent): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.status === 'ok';
const sessionOf = (e: DonorEvent): string => requestOf(e as MessageEvent).cmd['sessionId'] as string;
const withSession = (ctx: DonorContext, patch: Partial<DonorSession>): DonorContext => (ctx.session === null ? ctx : { ...ctx, session: { ...ctx.session, ...patch } });

function moveArgs(e: DonorEvent): { chunk: string; to: string } {
  const cmd = requestOf(e as MessageEvent).cmd;
  return { chunk: cmd['chunk'] as string, to: cmd['to'] as string };
}

function candidate(ctx: DonorContext, e: DonorEvent): ActiveMigration {
  const { chunk, to } = moveArgs(e);
  return { direction: 'donate', id: `mig${ctx.migrations + 1}`, chunk, peer: to };
}

export function donorImpl(bugs: Bugs) {
  const checksRegistry = !bugs.has('no-registry-check');
  const hasCriticalSection = !bugs.has('no-critical-section');
  const accept = (t: VectorTime, g: Message['gossip']) => acceptGossip(t, g, bugs);
  // An insert into the migrating chunk while the cloner runs is queued for `_transferMods`.
  const queueMod = (ctx: DonorContext, d: Doc): DonorContext => {
    const s = ctx.session;
    return s !== null && d.key >= s.min && d.key < s.max ? withSession(ctx, { mods: [...s.mods, d] }) : ctx;
  };
  const serving = servingImpl<DonorContext, DonorEvent>(CONFIG, accept, queueMod);
  const gossip = (ctx: DonorContext) => internalGossip(ctx.clock);
  const toRecipient = (ctx: DonorContext, id: string, name: string): readonly Message[] => {
    const to = ctx.coordinator?.recipient ?? ctx.session?.to;
    return to === undefined ? [] : [request(id, ctx.host, to, { name, sessionId: migrationId(ctx) }, gossip(ctx))];
  };
  const replyMove = (ctx: DonorContext, r: MoveRequester, status: 'ok' | 'OperationFailed' | 'ConflictingOperationInProgress'): Message => ({
    kind: 'response',
    id: r.id,
    from: ctx.host,
    to: r.from,
    status,
    data: null,
    gossip: gossip(ctx),
  });
  const inMovingChunk = (ctx: DonorContext, req: RemoteRequest): boolean => {
    const s = ctx.session;
    const key = req.cmd['key'] as number;
    return s !== null && key >= s.min && key < s.max;
  };

  return {
    guards: {
      ...serving.guards,
      /** The critical section holds this operation: a write to the chunk, or a read once reads are suspended too. */
      blockedByCriticalSection: (ctx: DonorContext, e: DonorEvent) => {
        const s = ctx.session;
        if (s === null || s.critSec === 'none') return false;
        const req = requestOf(e as MessageEvent);
        if (!inMovingChunk(ctx, req)) return false;
        return req.cmd.name === 'insert' ? hasCriticalSection : s.critSec === 'reads';
      },
      needsRecovery: (ctx: DonorContext) => ctx.coordinator !== null || ctx.recoveryDoc,
      /** The registry takes this `moveChunk` as a new migration (without the check: always). */
      registers: (ctx: DonorContext, e: DonorEvent) => register(ctx.registry, candidate(ctx, e), checksRegistry).kind === 'registered',
      joinsActive: (ctx: DonorContext, e: DonorEvent) => register(ctx.registry, candidate(ctx, e), checksRegistry).kind === 'joined',
      ownsChunk: (ctx: DonorContext, e: DonorEvent) => ctx.meta !== null && chunkById(ctx.meta, moveArgs(e).chunk)?.shard === ctx.host,
      isSession: (ctx: DonorContext, e: DonorEvent) => ctx.session !== null && sessionOf(e) === ctx.session.id,
      isStartReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, startId(migrationId(ctx))),
      isStatusReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, statusId(migrationId(ctx))),
      isCommitReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, commitId(migrationId(ctx))),
      isConfigCommitReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, configCommitId(migrationId(ctx))),
      isAbortReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, abortId(migrationId(ctx))),
      isReleaseReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, releaseId(migrationId(ctx))),
      succeeded: (_ctx: DonorContext, e: DonorEvent) => isOk(e),
      recipientSteady: (_ctx: DonorContext, e: DonorEvent) => isOk(e) && (responseOf(e as MessageEvent).data as { state: RecipientStatus }).state === 'steady',
      recipientFailed: (_ctx: DonorContext, e: DonorEvent) => !isOk(e) || (responseOf(e as MessageEvent).data as { state: RecipientStatus }).state === 'fail',
      decidedCommit: (ctx: DonorContext) => ctx.coordinator?.decision === 'committed',
      decidedAbort: (ctx: DonorContext) => ctx.coordinator?.decision === 'aborted',
      /** Recovery without a decision: the refreshed routing table says whether the commit happened. */
      chunkMoved: (ctx: DonorContext, e: DonorEvent) => {
        const c = ctx.coordinator;
        if (c === null) return false;
        const table = responseOf(e as MessageEvent).data as RoutingTable;
        return chunkById(table, c.chunk)?.shard === c.recipient;
      },
      hasCoordinator: (ctx: DonorContext) => ctx.coordinator !== null,
      hasReadyTask: (ctx: DonorContext) => readyTask(ctx.rangeDeletions) !== undefined,
    },
    updates: {
      ...serving.updates,
      /** Step 1: register; persist the coordinator document and the pending range-deletion task; start the cloner. */
      startMigration: (ctx: DonorContext, e: DonorEvent): DonorContext => {
        const m = candidate(ctx, e);
        const c = chunkById(ctx.meta!, m.chunk)!;
        return {
          ...ctx,
          registry: withRegistered(ctx.registry, m),
          migrations: ctx.migrations + 1,
          coordinator: coordinatorDoc(m.id, c.id, c.min, c.max, ctx.host, m.peer),
          rangeDeletions: putTask(ctx.rangeDeletions, pendingTask(m.id, c.min, c.max)),
          session: { id: m.id, chunk: c.id, min: c.min, max: c.max, to: m.peer, cloneQueue: docsInRange(ctx.docs, c.min, c.max), mods: [], critSec: 'none' },
        };
      },
      /** Under the seeded bug: a second migration registered while one is in flight. */
      registerAnother: (ctx: DonorContext, e: DonorEvent): DonorContext => ({ ...ctx, registry: withRegistered(ctx.registry, candidate(ctx, e)), migrations: ctx.migrations + 1 }),
      addRequester: (ctx: DonorContext, e: DonorEvent): DonorContext => {
        const req = requestOf(e as MessageEvent);
        if (ctx.requesters.some((r) => r.id === req.id && r.from === req.from)) return ctx;
        return { ...ctx, requesters: [...ctx.requesters, { id: req.id, from: req.from }] };
      },
      popCloneBatch: (ctx: DonorContext): DonorContext => (ctx.session === null || ctx.session.cloneQueue.length === 0 ? ctx : withSession(ctx, { cloneQueue: ctx.session.cloneQueue.slice(1) })),
      clearMods: (ctx: DonorContext): DonorContext => (ctx.session === null || ctx.session.mods.length === 0 ? ctx : withSession(ctx, { mods: [] })),
      /** Step 5: writes to the chunk blocked; the recovery document persisted. */
      enterCriticalSection: (ctx: DonorContext): DonorContext => ({ ...withSession(ctx, { critSec: 'writes' }), recoveryDoc: true }),
      /** Step 7: reads are suspended too before the config server commits. */
      suspendReads: (ctx: DonorContext): DonorContext => withSession(ctx, { critSec: 'reads' }),
      /** The config server's reply is the refreshed routing table: the donor's new filtering metadata. */
      installCommitted: (ctx: DonorContext, e: DonorEvent): DonorContext => ({ ...ctx, meta: responseOf(e as MessageEvent).data as RoutingTable }),
      persistCommit: (ctx: DonorContext): DonorContext => (ctx.coordinator === null || ctx.coordinator.decision !== null ? ctx : { ...ctx, coordinator: withDecision(ctx.coordinator, 'committed') }),
      persistAbort: (ctx: DonorContext): DonorContext => (ctx.coordinator === null || ctx.coordinator.decision !== null ? ctx : { ...ctx, coordinator: withDecision(ctx.coordinator, 'aborted') }),
      /** The critical section ends (held operations are answered by `replyCriticalSectionHeld` first); the recovery document is deleted. */
      exitCriticalSection: (ctx: DonorContext): DonorContext => {
        const ended = ctx.session === null || ctx.session.critSec === 'none' ? ctx : withSession(ctx, { critSec: 'none' });
        return { ...ended, held: ended.held.filter((h: HeldOp) => h.reason !== 'critsec'), recoveryDoc: false };
      },
      /** Recovery takes the migration back into the registry, from the coordinator document. */
      reRegister: (ctx: DonorContext): DonorContext => {
        const c = ctx.coordinator;
        if (c === null || ctx.registry.some((m) => m.id === c.id)) return ctx;
        return { ...ctx, registry: withRegistered(ctx.registry, { direction: 'donate', id: c.id, chunk: c.chunk, peer: c.recipient }) };
      },
      /** End of the commit sequence: the donor's task is ready; the coordinator document deleted. */
      finishCommit: (ctx: DonorContext): DonorContext => {
        const id = migrationId(ctx);
        return { ...ctx, rangeDeletions: markReady(ctx.rangeDeletions, id), coordinator: null, registry: unregister(ctx.registry, id), session: null, requesters: [] };
      },
      /** End of the abort sequence: the donor's task is deleted; the coordinator document deleted. */
      finishAbort: (ctx: DonorContext): DonorContext => {
        const id = migrationId(ctx);
        return { ...ctx, rangeDeletions: deleteTask(ctx.rangeDeletions, id), coordinator: null, registry: unregister(ctx.registry, id), session: null, requesters: [] };
      },
      /** The range deleter (the range-deletion model's part, here one environment step): the orphans of a ready task, then the task. */
      deleteReadyRange: (ctx: DonorContext): DonorContext => {
        const t = readyTask(ctx.rangeDeletions);
        return t === undefined ? ctx : { ...ctx, docs: deleteRange(ctx.docs, t.min, t.max), rangeDeletions: deleteTask(ctx.rangeDeletions, t.id) };
      },
    },
    effects: {
      ...serving.effects,
      sendRecvChunkStart: (ctx: DonorContext): readonly Message[] => {
        const s = ctx.session;
        if (s === null) return [];
        return [request(startId(s.id), ctx.host, s.to, { name: '_recvChunkStart', sessionId: s.id, chunk: s.chunk, min: s.min, max: s.max, from: ctx.host }, gossip(ctx))];
      },
      replyCloneBatch: (ctx: DonorContext, e: DonorEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'ok', { docs: ctx.session?.cloneQueue.slice(0, 1) ?? [] }, gossip(ctx))],
      replyMods: (ctx: DonorContext, e: DonorEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'ok', { docs: ctx.session?.mods ?? [] }, gossip(ctx))],
      replyNoSession: (ctx: DonorContext, e: DonorEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'OperationFailed', null, gossip(ctx))],
      sendStatusPoll: (ctx: DonorContext): readonly Message[] => {
        const to = ctx.session?.to;
        return to === undefined ? [] : [request(statusId(migrationId(ctx)), ctx.host, to, { name: '_recvChunkStatus', sessionId: migrationId(ctx), waitForSteadyOrDone: true }, gossip(ctx))];
      },
      sendRecvChunkCommit: (ctx: DonorContext): readonly Message[] => toRecipient(ctx, commitId(migrationId(ctx)), '_recvChunkCommit'),
      sendConfigCommit: (ctx: DonorContext): readonly Message[] => {
        const s = ctx.session;
        if (s === null) return [];
        return [request(configCommitId(s.id), ctx.host, CONFIG, { name: '_configsvrCommitChunkMigration', sessionId: s.id, chunk: s.chunk, from: ctx.host, to: s.to }, gossip(ctx))];
      },
      sendRecvChunkAbort: (ctx: DonorContext): readonly Message[] => toRecipient(ctx, abortId(migrationId(ctx)), '_recvChunkAbort'),
      /** The commit sequence's first step: delete the recipient's range-deletion task. */
      sendDeleteRecipientTask: (ctx: DonorContext): readonly Message[] => toRecipient(ctx, releaseId(migrationId(ctx)), 'deleteRangeDeletionTask'),
      replyMoveConflict: (ctx: DonorContext, e: DonorEvent): readonly Message[] => {
        const req = requestOf(e as MessageEvent);
        return [replyMove(ctx, { id: req.id, from: req.from }, 'ConflictingOperationInProgress')];
      },
      replyMoveFailed: (ctx: DonorContext, e: DonorEvent): readonly Message[] => {
        const req = requestOf(e as MessageEvent);
        return [replyMove(ctx, { id: req.id, from: req.from }, 'OperationFailed')];
      },
      replyRequestersOk: (ctx: DonorContext): readonly Message[] => ctx.requesters.map((r) => replyMove(ctx, r, 'ok')),
      replyRequestersFailed: (ctx: DonorContext): readonly Message[] => ctx.requesters.map((r) => replyMove(ctx, r, 'OperationFailed')),
    },
  };
}

export type DonorImpl = ReturnType<typeof donorImpl>;
