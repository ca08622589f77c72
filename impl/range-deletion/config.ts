/**
 * The config server of the range-deletion model (a single-node replica set: its writes are
 * majority committed at once): the authoritative routing table, served to refreshing shards, and
 * `_configsvrCommitChunkMigration`, which moves the chunk with the seed's version bumps and ticks
 * ClusterTime and ConfigTime.
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import type { RoutingTable } from '../sharding/index.js';
import { chunkById, moveChunk } from '../sharding/index.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message } from '../world/network.js';
import { respond } from '../world/network.js';
import type { Bugs, MessageEvent } from './common.js';
import { CONFIG, INITIAL_TABLE, requestOf } from './common.js';

export interface ConfigContext {
  readonly clock: VectorTime;
  /** `config.chunks` (durable). */
  readonly table: RoutingTable;
}

export type ConfigEvent = MessageEvent;

export function newConfigServer(table: RoutingTable = INITIAL_TABLE): ConfigContext {
  return { clock: ZERO_TIME, table };
}

const argsOf = (e: ConfigEvent) => requestOf(e).cmd;

export function configImpl(bugs: Bugs) {
  return {
    guards: {
      donorOwnsChunk: (ctx: ConfigContext, e: ConfigEvent) => chunkById(ctx.table, argsOf(e)['chunk'] as string)?.shard === argsOf(e)['from'],
      alreadyCommitted: (ctx: ConfigContext, e: ConfigEvent) => chunkById(ctx.table, argsOf(e)['chunk'] as string)?.shard === argsOf(e)['to'],
    },
    updates: {
      acceptGossip: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const clock = acceptGossip(ctx.clock, e.msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** One write to `config.chunks` at a new ClusterTime, majority committed at once (ConfigTime ticks to it). */
      commitMigration: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const t = ctx.clock.cluster + 1;
        return { clock: vectorTime(t, t, ctx.clock.topology), table: moveChunk(ctx.table, argsOf(e)['chunk'] as string, argsOf(e)['to'] as string) };
      },
    },
    effects: {
      replyTable: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [respond(requestOf(e), CONFIG, 'ok', ctx.table, internalGossip(ctx.clock))],
      replyCommitFailed: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [respond(requestOf(e), CONFIG, 'ConflictingOperationInProgress', ctx.table, internalGossip(ctx.clock))],
    },
  };
}

export type ConfigImpl = ReturnType<typeof configImpl>;
