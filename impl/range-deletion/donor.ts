/**
 * The donor shard of the range-deletion model and its migration coordinator (seed 003, "Orphaned
 * range deletion": the MigrationCoordinator), besides what every shard does (`shard.ts`).
 *
 * The balancer's `moveChunk` (an environment event with a budget) makes the coordinator persist
 * the migration coordinator document (`config.migrationCoordinators`: the migration's id, chunk,
 * range, donor and recipient) and the donor's range-deletion task, pending, then send
 * `_recvChunkStart`. The migration itself — cloning, catching up, the critical section — is the
 * migration model's; here the recipient's cloning is an environment step, and the donor sends
 * `_recvChunkCommit` (answered once the recipient has cloned) and then
 * `_configsvrCommitChunkMigration`, whose reply is the new routing table: the donor's new filtering
 * metadata (the old version is kept while queries hold it). The decision is recorded in the
 * coordinator document; the commit sequence deletes the recipient's task
 * (`deleteRangeDeletionTask`), then marks the donor's ready and submits it to the donor's range
 * deleter; the abort sequence deletes the donor's task, then has the recipient mark its own ready
 * (`_recvChunkAbort`; the recipient submits it). Then the coordinator document is deleted.
 *
 * Any error or lost reply before the decision aborts. A restarted donor with a coordinator document
 * recovers: it refreshes its metadata and decides from the routing table (the chunk on the
 * recipient: committed) unless the decision was persisted, then runs the sequence again (each of
 * its steps is idempotent).
 *
 * Durable: the documents, the vector and oplog time, `config.migrationCoordinators`,
 * `config.rangeDeletions`, the migration counter and the balancer's budget.
 *
 * @module
 */
import type { MigrationCoordinatorDoc } from '../sharding/index.js';
import { chunkById, coordinatorDoc, withDecision } from '../sharding/index.js';
import { metadataManager } from '../sharding/metadata-manager.js';
import type { RoutingTable } from '../sharding/index.js';
import type { Message } from '../world/network.js';
import { request } from '../world/network.js';
import { internalGossip } from '../logical-time.js';
import type { Bugs, MessageEvent } from './common.js';
import { CONFIG, DONOR, INITIAL_DOCS, INITIAL_TABLE, MOVED_CHUNK, RECIPIENT, responseOf } from './common.js';
import type { DeleterEvent, RdShardContext } from './shard.js';
import { newShardContext, persistPending, readyAndSubmit, refreshId, removeTask, restartShard, shardImpl } from './shard.js';

export interface DonorContext extends RdShardContext {
  /** `config.migrationCoordinators` (durable). */
  readonly coordinator: MigrationCoordinatorDoc | null;
  /** Migrations started so far, for their ids (durable). */
  readonly migrations: number;
  /** How many `moveChunk` requests the balancer may still send (the environment's budget). */
  readonly movesLeft: number;
}

export type DonorEvent = MessageEvent | DeleterEvent | { readonly type: 'MOVE_CHUNK' } | { readonly type: 'TIMEOUT' };

export function newDonor(moves: number, table: RoutingTable = INITIAL_TABLE): DonorContext {
  return { ...newShardContext(DONOR, metadataManager(table), INITIAL_DOCS, []), coordinator: null, migrations: 0, movesLeft: moves };
}

export function recoverDonor(ctx: DonorContext, bugs: Bugs): DonorContext {
  return restartShard(ctx, bugs);
}

// Exchange ids of migration `id`.
export const startId = (id: string): string => `${id}:start`;
export const commitId = (id: string): string => `${id}:commit`;
export const configCommitId = (id: string): string => `${id}:cfgcommit`;
export const releaseId = (id: string): string => `${id}:release`;
export const abortId = (id: string): string => `${id}:abort`;

export const migrationId = (ctx: DonorContext): string => ctx.coordinator?.id ?? '';

const isReplyTo = (e: DonorEvent, id: string): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.id === id;

export function donorImpl(bugs: Bugs) {
  const shard = shardImpl<DonorContext, DonorEvent>(bugs);
  const gossip = (ctx: DonorContext) => internalGossip(ctx.clock);
  const toRecipient = (ctx: DonorContext, id: string, name: string, args: Record<string, unknown> = {}): readonly Message[] => {
    const c = ctx.coordinator;
    return c === null ? [] : [request(id, ctx.host, c.recipient, { name, sessionId: c.id, ...args }, gossip(ctx))];
  };
  const decide = (ctx: DonorContext, d: 'committed' | 'aborted'): DonorContext =>
    ctx.coordinator === null || ctx.coordinator.decision !== null ? ctx : { ...ctx, coordinator: withDecision(ctx.coordinator, d) };

  return {
    guards: {
      ...shard.guards,
      hasCoordinator: (ctx: DonorContext) => ctx.coordinator !== null,
      hasMoves: (ctx: DonorContext) => ctx.movesLeft > 0,
      ownsMovedChunk: (ctx: DonorContext) => ctx.metadata.current !== null && chunkById(ctx.metadata.current, MOVED_CHUNK)?.shard === ctx.host,
      isStartReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, startId(migrationId(ctx))),
      isCommitReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, commitId(migrationId(ctx))),
      isConfigCommitReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, configCommitId(migrationId(ctx))),
      isReleaseReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, releaseId(migrationId(ctx))),
      isAbortReply: (ctx: DonorContext, e: DonorEvent) => isReplyTo(e, abortId(migrationId(ctx))),
      succeeded: (_ctx: DonorContext, e: DonorEvent) => 'msg' in e && e.msg.kind === 'response' && e.msg.status === 'ok',
      decidedCommit: (ctx: DonorContext) => ctx.coordinator?.decision === 'committed',
      decidedAbort: (ctx: DonorContext) => ctx.coordinator?.decision === 'aborted',
      /** Recovery without a decision: the refreshed routing table says whether the commit happened. */
      chunkMoved: (ctx: DonorContext, e: DonorEvent) => {
        const c = ctx.coordinator;
        return c !== null && chunkById(responseOf(e as MessageEvent).data as RoutingTable, c.chunk)?.shard === c.recipient;
      },
    },
    updates: {
      ...shard.updates,
      countMove: (ctx: DonorContext): DonorContext => ({ ...ctx, movesLeft: ctx.movesLeft - 1 }),
      /** Step 1: the migration coordinator document. */
      persistCoordinator: (ctx: DonorContext): DonorContext => {
        const c = chunkById(ctx.metadata.current!, MOVED_CHUNK)!;
        const id = `mig${ctx.migrations + 1}`;
        return { ...ctx, migrations: ctx.migrations + 1, coordinator: coordinatorDoc(id, c.id, c.min, c.max, ctx.host, RECIPIENT) };
      },
      /** Step 2: the donor's range-deletion task, pending. */
      persistPendingTask: (ctx: DonorContext): DonorContext => {
        const c = ctx.coordinator;
        return c === null ? ctx : persistPending(ctx, c.id, c.min, c.max);
      },
      /** The config server's reply is the new routing table: the donor's new filtering metadata. */
      installCommitted: (ctx: DonorContext, e: DonorEvent): DonorContext => shard.updates.installRefreshed(ctx, e),
      persistCommitDecision: (ctx: DonorContext): DonorContext => decide(ctx, 'committed'),
      persistAbortDecision: (ctx: DonorContext): DonorContext => decide(ctx, 'aborted'),
      /** The commit sequence's second step: the donor's task marked ready and submitted to its deleter. */
      markOwnTaskReady: (ctx: DonorContext): DonorContext => readyAndSubmit(ctx, migrationId(ctx)),
      /** The abort sequence's first step: the donor's task deleted (its copy of the range stays owned). */
      deleteOwnTask: (ctx: DonorContext): DonorContext => removeTask(ctx, migrationId(ctx)),
      /** The last step of either sequence. */
      deleteCoordinator: (ctx: DonorContext): DonorContext => (ctx.coordinator === null ? ctx : { ...ctx, coordinator: null }),
    },
    effects: {
      ...shard.effects,
      sendRecvChunkStart: (ctx: DonorContext): readonly Message[] => {
        const c = ctx.coordinator;
        return c === null ? [] : toRecipient(ctx, startId(c.id), '_recvChunkStart', { chunk: c.chunk, min: c.min, max: c.max, from: ctx.host });
      },
      sendRecvChunkCommit: (ctx: DonorContext): readonly Message[] => toRecipient(ctx, commitId(migrationId(ctx)), '_recvChunkCommit'),
      sendConfigCommit: (ctx: DonorContext): readonly Message[] => {
        const c = ctx.coordinator;
        return c === null ? [] : [request(configCommitId(c.id), ctx.host, CONFIG, { name: '_configsvrCommitChunkMigration', sessionId: c.id, chunk: c.chunk, from: ctx.host, to: c.recipient }, gossip(ctx))];
      },
      /** The commit sequence's first step: delete the recipient's range-deletion task. */
      sendDeleteRecipientTask: (ctx: DonorContext): readonly Message[] => toRecipient(ctx, releaseId(migrationId(ctx)), 'deleteRangeDeletionTask'),
      /** The abort sequence's second step: the recipient marks its task ready (and submits it). */
      sendRecvChunkAbort: (ctx: DonorContext): readonly Message[] => toRecipient(ctx, abortId(migrationId(ctx)), '_recvChunkAbort'),
    },
  };
}

export { refreshId };
export type DonorImpl = ReturnType<typeof donorImpl>;
