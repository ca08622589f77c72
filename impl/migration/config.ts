/**
 * The config server of the migration model (a single-node replica set, so its writes are majority
 * committed at once): it holds the authoritative routing table (`config.chunks`), serves it to
 * refreshing routers and shards, commits chunk migrations (`_configsvrCommitChunkMigration`, with
 * the versioning updates of seed 003's table), and its balancer asks the donor to move the chunk
 * (`moveChunk`, an environment step with a budget).
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import type { RoutingTable } from '../sharding/index.js';
import { chunkById, moveChunk } from '../sharding/index.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { Bugs, MessageEvent } from './common.js';
import { CONFIG, DONOR, INITIAL_TABLE, MOVED_CHUNK, RECIPIENT, requestOf } from './common.js';

export interface ConfigContext {
  readonly clock: VectorTime;
  /** `config.chunks`. Durable. */
  readonly table: RoutingTable;
  /** How many `moveChunk` requests the balancer may still send (a budget of the environment). */
  readonly movesLeft: number;
  readonly movesSent: number;
}

export type ConfigEvent = MessageEvent | { readonly type: 'BALANCE' };

/** The arguments of `_configsvrCommitChunkMigration`. */
export interface CommitArgs {
  readonly name: '_configsvrCommitChunkMigration';
  readonly [arg: string]: unknown;
  readonly sessionId: string;
  readonly chunk: string;
  readonly from: string;
  readonly to: string;
}

export function newConfigServer(moves: number, table: RoutingTable = INITIAL_TABLE): ConfigContext {
  return { clock: ZERO_TIME, table, movesLeft: moves, movesSent: 0 };
}

const commitOf = (e: ConfigEvent): CommitArgs => requestOf(e as MessageEvent).cmd as CommitArgs;

export const moveRequestId = (n: number): string => `${CONFIG}:move${n}`;

export function configImpl(bugs: Bugs) {
  const bump = bugs.has('commit-without-version-bump') ? 'none' : bugs.has('control-chunk-not-bumped') ? 'moved-only' : 'seed';
  return {
    guards: {
      hasMoves: (ctx: ConfigContext) => ctx.movesLeft > 0,
      /** The chunk is still the donor's: the migration can commit. */
      donorOwnsChunk: (ctx: ConfigContext, e: ConfigEvent) => {
        const c = commitOf(e);
        return chunkById(ctx.table, c.chunk)?.shard === c.from;
      },
      /** Already committed (a retried commit): the chunk is the recipient's. */
      alreadyCommitted: (ctx: ConfigContext, e: ConfigEvent) => {
        const c = commitOf(e);
        return chunkById(ctx.table, c.chunk)?.shard === c.to;
      },
    },
    updates: {
      acceptGossip: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const clock = acceptGossip(ctx.clock, (e as MessageEvent).msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** The commit: one write to `config.chunks` at a new ClusterTime, majority committed at once (ConfigTime ticks to it). */
      commitMigration: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const c = commitOf(e);
        const t = ctx.clock.cluster + 1;
        return { ...ctx, clock: vectorTime(t, t, ctx.clock.topology), table: moveChunk(ctx.table, c.chunk, c.to, bump) };
      },
      countMove: (ctx: ConfigContext): ConfigContext => ({ ...ctx, movesLeft: ctx.movesLeft - 1, movesSent: ctx.movesSent + 1 }),
    },
    effects: {
      /** A `find` on `config.chunks`: the whole table (the chunks of the one collection). */
      replyTable: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), CONFIG, 'ok', ctx.table, internalGossip(ctx.clock))],
      replyCommitFailed: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), CONFIG, 'ConflictingOperationInProgress', ctx.table, internalGossip(ctx.clock))],
      /** The balancer's `moveChunk` of `C0` to the recipient, sent to the donor. */
      sendMoveChunk: (ctx: ConfigContext): readonly Message[] => [
        request(moveRequestId(ctx.movesSent), CONFIG, DONOR, { name: 'moveChunk', chunk: MOVED_CHUNK, to: RECIPIENT }, internalGossip(ctx.clock)),
      ],
    },
  };
}

export type ConfigImpl = ReturnType<typeof configImpl>;
