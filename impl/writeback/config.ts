/**
 * The config server of the writeback model: it holds the routing table of the one chunk
 * (`config.chunks`) and commits chunk moves, each of which bumps the chunk's version. Reading the
 * table is a `find` on `config.chunks`; a move is an environment step (the balancer), whose
 * migration the protocol module runs on the donor and recipient shards in the same step.
 *
 * The config server is a single-node replica set here: a move's write is majority committed at
 * once, so ConfigTime ticks to the write's ClusterTime in the same step.
 *
 * @module
 */
import { acceptGossip } from '../vector-clock.js';
import type { VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import type { Message } from '../world/network.js';
import { respond } from '../world/network.js';
import type { Bugs, MessageEvent, Routing, ShardName } from './common.js';
import { CONFIG, requestOf, SHARDS } from './common.js';

export interface ConfigContext {
  readonly clock: VectorTime;
  /** `config.chunks`: the chunk's owner and version. Durable. */
  readonly table: Routing;
  /** How many more moves the balancer may make (a budget of the environment). */
  readonly movesLeft: number;
}

export type ConfigEvent = MessageEvent | { readonly type: 'MOVE_CHUNK' };

export const INITIAL_ROUTING: Routing = Object.freeze({ owner: 'shard0', version: 1 });

export function newConfigServer(moves: number): ConfigContext {
  return { clock: ZERO_TIME, table: INITIAL_ROUTING, movesLeft: moves };
}

/** The shard a move of the chunk goes to from its current owner. */
export function moveTarget(owner: ShardName): ShardName {
  return owner === SHARDS[0] ? SHARDS[1] : SHARDS[0];
}

export function configImpl(bugs: Bugs) {
  return {
    guards: {
      hasMoves: (ctx: ConfigContext) => ctx.movesLeft > 0,
    },
    updates: {
      acceptGossip: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const clock = acceptGossip(ctx.clock, (e as MessageEvent).msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** Commit a move: the chunk's new owner at version + 1, written at a new ClusterTime and majority committed. */
      commitMove: (ctx: ConfigContext): ConfigContext => {
        const t = ctx.clock.cluster + 1;
        return {
          clock: vectorTime(t, t, ctx.clock.topology),
          table: { owner: moveTarget(ctx.table.owner), version: ctx.table.version + 1 },
          movesLeft: ctx.movesLeft - 1,
        };
      },
    },
    effects: {
      replyTable: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), CONFIG, 'ok', ctx.table, internalGossip(ctx.clock))],
    },
  };
}

export type ConfigImpl = ReturnType<typeof configImpl>;
