/**
 * The vector clock of a sharded cluster (seed 003, "The vector clock and causal consistency"): the
 * data and pure functions of its five roles — a client (a driver), a router (mongos), two shard
 * primaries and the config server primary. The charts that name these guards and actions are in
 * `machines/vector-clock.ts`; the composition with the world is `protocols/vector-clock.ts`.
 *
 * Rules from the seed, and where they live here:
 * - shard primaries tick ClusterTime when they write ({@link shardImpl} `applyWrite`);
 * - the config server ticks ClusterTime for its own writes, and ConfigTime to its majority commit
 *   point ({@link configImpl} `advanceCommitPoint`);
 * - adding or removing a shard ticks TopologyTime to the ConfigTime of that write, i.e. to the
 *   write's time once it is majority committed (also `advanceCommitPoint`);
 * - routers never tick; everyone advances each component to the max of what it receives
 *   ({@link acceptGossip}); drivers see ClusterTime only;
 * - components are read together, from one snapshot (a {@link VectorTime} value);
 * - a mongod persists its vector time, so a restart recovers it ({@link recoverShard}, {@link recoverConfig}).
 *
 * @module
 */
import type { Gossip, LogicalTime, VectorTime } from './logical-time.js';
import { advance, externalGossip, internalGossip, vectorTime, ZERO_TIME } from './logical-time.js';
import type { Command, Message, RemoteRequest, RemoteResponse, Status } from './world/network.js';
import { request, respond } from './world/network.js';
import type { MessageEvent } from './world/events.js';
import { requestOf, responseOf } from './world/events.js';

/** Host names. */
export const CLIENT = 'client';
export const ROUTER = 'router';
export const CONFIG = 'config';
export const SHARDS = ['shard0', 'shard1'] as const;
export type ShardName = (typeof SHARDS)[number];
/** The hosts of the config server replica set (one primary in this model), for "on any" requests. */
export const CONFIG_HOSTS: readonly string[] = [CONFIG];

/** The seeded bugs of the vector clock (their ids; descriptions are in `protocols/vector-clock.ts`). */
export type VectorClockBug =
  | 'gossip-config-without-cluster'
  | 'topology-tick-to-cluster-time'
  | 'gossip-two-reads'
  | 'restart-forgets-clock'
  | 'router-ticks';

type Bugs = ReadonlySet<string>;

export type { MessageEvent } from './world/events.js';
export { messageEventByCommand as messageEvent } from './world/events.js';

/**
 * Advance a node's vector time with the gossip of a message from another node of the cluster.
 * Under the seeded bug `gossip-config-without-cluster`, ConfigTime and TopologyTime advance but
 * ClusterTime does not.
 */
export function acceptGossip(t: VectorTime, g: Gossip, bugs: Bugs): VectorTime {
  if (bugs.has('gossip-config-without-cluster')) return advance(t, { $clusterTime: t.cluster, $configTime: g.$configTime ?? 0, $topologyTime: g.$topologyTime ?? 0 });
  return advance(t, g);
}

// ------------------------------------------------------------------------------------------ client

/** A driver: one operation at a time, a budget of operations, ClusterTime only. */
export interface ClientContext {
  readonly clusterTime: LogicalTime;
  readonly opsLeft: number;
  /** How many operations it has started; the current one's id is `op<opCount>`. */
  readonly opCount: number;
}

export type ClientEvent =
  | { readonly type: 'SUBMIT'; readonly cmd: Command }
  | { readonly type: 'response'; readonly msg: Message }
  | { readonly type: 'TIMEOUT' };

export const opId = (opCount: number): string => `op${opCount}`;

export function clientImpl() {
  return {
    guards: {
      hasBudget: (ctx: ClientContext) => ctx.opsLeft > 0,
      isCurrentReply: (ctx: ClientContext, e: ClientEvent) => e.type === 'response' && e.msg.id === opId(ctx.opCount),
    },
    updates: {
      startOp: (ctx: ClientContext): ClientContext => ({ clusterTime: ctx.clusterTime, opsLeft: ctx.opsLeft - 1, opCount: ctx.opCount + 1 }),
      learnClusterTime: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const t = Math.max(ctx.clusterTime, responseOf(e as { msg: Message }).gossip.$clusterTime);
        return t === ctx.clusterTime ? ctx : { ...ctx, clusterTime: t };
      },
    },
    effects: {
      sendToRouter: (ctx: ClientContext, e: ClientEvent): readonly Message[] =>
        e.type === 'SUBMIT' ? [request(opId(ctx.opCount), CLIENT, ROUTER, e.cmd, externalGossip(ctx.clusterTime))] : [],
    },
  };
}

// ------------------------------------------------------------------------------------------ router

/** A mongos: stateless but for its in-memory vector time and the operation it is routing. */
export interface RouterContext {
  readonly clock: VectorTime;
  readonly pending: { readonly id: string; readonly cmd: Command; readonly attempts: number } | null;
}

export type RouterEvent = MessageEvent | { readonly type: 'TIMEOUT' };

/** How many times the router re-sends a request that timed out (a retryable network error). */
export const ROUTER_RETRIES = 1;

/** The command a router sends for a client's command, and where. */
export function routed(cmd: Command): { readonly to: RemoteRequest['to']; readonly cmd: Command } {
  switch (cmd.name) {
    case 'addShard':
      return { to: { anyOf: CONFIG_HOSTS }, cmd: { name: '_configsvrAddShard', shard: cmd['shard'] } };
    case 'removeShard':
      return { to: { anyOf: CONFIG_HOSTS }, cmd: { name: '_configsvrRemoveShard', shard: cmd['shard'] } };
    default:
      return { to: cmd['shard'] as string, cmd };
  }
}

export function routerImpl(bugs: Bugs) {
  const ticks = bugs.has('router-ticks');
  const forward = (ctx: RouterContext): readonly Message[] => {
    if (ctx.pending === null) return [];
    const r = routed(ctx.pending.cmd);
    return [request(ctx.pending.id, ROUTER, r.to, r.cmd, internalGossip(ctx.clock))];
  };
  return {
    guards: {
      isPendingResponse: (ctx: RouterContext, e: RouterEvent) => 'msg' in e && ctx.pending !== null && e.msg.id === ctx.pending.id,
      canRetry: (ctx: RouterContext) => ctx.pending !== null && ctx.pending.attempts < ROUTER_RETRIES,
    },
    updates: {
      /** ClusterTime from the driver (a driver gossips nothing else); under `router-ticks` the router also ticks it. */
      acceptClientGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const g = requestOf(e as MessageEvent).gossip;
        const clock = advance(ctx.clock, { $clusterTime: g.$clusterTime + (ticks ? 1 : 0) });
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      remember: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const req = requestOf(e as MessageEvent);
        return { ...ctx, pending: { id: req.id, cmd: req.cmd, attempts: 0 } };
      },
      acceptGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const clock = acceptGossip(ctx.clock, responseOf(e as MessageEvent).gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      countAttempt: (ctx: RouterContext): RouterContext => (ctx.pending === null ? ctx : { ...ctx, pending: { ...ctx.pending, attempts: ctx.pending.attempts + 1 } }),
      forget: (ctx: RouterContext): RouterContext => ({ ...ctx, pending: null }),
    },
    effects: {
      forward,
      replyToClient: (ctx: RouterContext, e: RouterEvent): readonly Message[] => {
        if (ctx.pending === null) return [];
        const res = responseOf(e as MessageEvent);
        return [reply(ctx.pending.id, res.status, res.data, ctx.clock.cluster)];
      },
      replyNetworkError: (ctx: RouterContext): readonly Message[] => (ctx.pending === null ? [] : [reply(ctx.pending.id, 'NetworkError', null, ctx.clock.cluster)]),
    },
  };
}

function reply(id: string, status: Status, data: unknown, clusterTime: LogicalTime): RemoteResponse {
  return { kind: 'response', id, from: ROUTER, to: CLIENT, status, data, gossip: externalGossip(clusterTime) };
}

// ------------------------------------------------------------------------------------------- shard

/** A shard primary. `clock` and `oplog` are durable; `registryTopology` (its shard registry cache) is not. */
export interface ShardContext {
  readonly host: ShardName;
  readonly clock: VectorTime;
  /** The time of its last oplog entry. */
  readonly oplog: LogicalTime;
  /** The TopologyTime of the shard registry it has cached. */
  readonly registryTopology: LogicalTime;
}

export type ShardEvent = MessageEvent | { readonly type: 'REFRESH' } | { readonly type: 'TIMEOUT' };

export const refreshId = (host: string): string => `refresh-${host}`;

export function newShard(host: ShardName): ShardContext {
  return { host, clock: ZERO_TIME, oplog: 0, registryTopology: 0 };
}

/** A restarted shard primary: durable state kept, the registry cache lost. */
export function recoverShard(ctx: ShardContext, bugs: Bugs): ShardContext {
  const clock = bugs.has('restart-forgets-clock') ? recoveredFromOplog(ctx.oplog) : ctx.clock;
  return { host: ctx.host, clock, oplog: ctx.oplog, registryTopology: 0 };
}

/** What a node that does not persist its vector time recovers: ClusterTime from its oplog, nothing else. */
function recoveredFromOplog(oplog: LogicalTime): VectorTime {
  return vectorTime(oplog, 0, 0);
}

export function shardImpl(bugs: Bugs) {
  return {
    guards: {
      registryStale: (ctx: ShardContext) => ctx.clock.topology > ctx.registryTopology,
      isRegistryResponse: (ctx: ShardContext, e: ShardEvent) => 'msg' in e && e.msg.id === refreshId(ctx.host),
    },
    updates: {
      acceptGossip: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const clock = acceptGossip(ctx.clock, (e as MessageEvent).msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** A write: tick ClusterTime and use it as the oplog entry's time. */
      applyWrite: (ctx: ShardContext): ShardContext => {
        const t = ctx.clock.cluster + 1;
        return { ...ctx, clock: vectorTime(t, ctx.clock.config, ctx.clock.topology), oplog: t };
      },
      installRegistry: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const data = responseOf(e as MessageEvent).data as { topologyTime: LogicalTime } | null;
        return data === null ? ctx : { ...ctx, registryTopology: Math.max(ctx.registryTopology, data.topologyTime) };
      },
    },
    effects: {
      replyWritten: (ctx: ShardContext, e: ShardEvent): readonly Message[] => [
        respond(requestOf(e as MessageEvent), ctx.host, 'ok', { operationTime: ctx.oplog }, internalGossip(ctx.clock)),
      ],
      /** Read `config.shards` from any config server host, causally after its ConfigTime. */
      requestRegistry: (ctx: ShardContext): readonly Message[] => [
        request(refreshId(ctx.host), ctx.host, { anyOf: CONFIG_HOSTS }, { name: 'find', collection: 'config.shards', afterOpTime: ctx.clock.config }, internalGossip(ctx.clock)),
      ],
    },
  };
}

// ----------------------------------------------------------------------------------- config server

/** A topology or metadata write waiting for majority commit, and who to answer when it is. */
export interface AwaitingWrite {
  readonly ts: LogicalTime;
  /** Whether it adds or removes a shard (it then ticks TopologyTime). */
  readonly topology: boolean;
  /** The request to answer once the write is majority committed, or `null` for the config server's own writes. */
  readonly answer: { readonly id: string; readonly to: string } | null;
}

/** The config server primary. Everything but `awaiting` is durable. */
export interface ConfigContext {
  readonly clock: VectorTime;
  readonly oplog: LogicalTime;
  /** The majority commit point. */
  readonly committed: LogicalTime;
  /** `config.shards`: the shards in the cluster, sorted. */
  readonly shards: readonly string[];
  readonly awaiting: readonly AwaitingWrite[];
  /** How many more metadata writes of its own (balancer rounds) it may do: a budget of the environment. */
  readonly metadataWritesLeft: number;
}

export type ConfigEvent = MessageEvent | { readonly type: 'MAJORITY_COMMIT' } | { readonly type: 'BALANCER_ROUND' };

export function newConfigServer(shards: readonly string[], metadataWrites: number): ConfigContext {
  return { clock: ZERO_TIME, oplog: 0, committed: 0, shards, awaiting: [], metadataWritesLeft: metadataWrites };
}

/** A restarted config server primary: durable state kept; it no longer owes anyone an answer. */
export function recoverConfig(ctx: ConfigContext, bugs: Bugs): ConfigContext {
  const clock = bugs.has('restart-forgets-clock') ? recoveredFromOplog(ctx.oplog) : ctx.clock;
  return { ...ctx, clock, awaiting: [] };
}

export function configImpl(bugs: Bugs) {
  const topologyFromClusterTime = bugs.has('topology-tick-to-cluster-time');
  const shardOf = (e: ConfigEvent): string => requestOf(e as MessageEvent).cmd['shard'] as string;
  /** A write at a freshly ticked ClusterTime, awaiting majority commit. */
  const write = (ctx: ConfigContext, shards: readonly string[], awaiting: AwaitingWrite['answer'], topology: boolean, metadataWritesLeft: number): ConfigContext => {
    const ts = ctx.clock.cluster + 1;
    return {
      clock: vectorTime(ts, ctx.clock.config, ctx.clock.topology),
      oplog: ts,
      committed: ctx.committed,
      shards,
      awaiting: [...ctx.awaiting, { ts, topology, answer: awaiting }],
      metadataWritesLeft,
    };
  };
  return {
    guards: {
      isMember: (ctx: ConfigContext, e: ConfigEvent) => ctx.shards.includes(shardOf(e)),
      hasUncommitted: (ctx: ConfigContext) => ctx.oplog > ctx.committed,
      hasMetadataWrites: (ctx: ConfigContext) => ctx.metadataWritesLeft > 0,
    },
    updates: {
      acceptGossip: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const clock = acceptGossip(ctx.clock, (e as MessageEvent).msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** `_configsvrAddShard` / `_configsvrRemoveShard`: write `config.shards` at a new ClusterTime. */
      writeTopologyChange: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const req = requestOf(e as MessageEvent);
        const shard = req.cmd['shard'] as string;
        const shards = req.cmd.name === '_configsvrAddShard' ? [...ctx.shards, shard].sort() : ctx.shards.filter((s) => s !== shard);
        const written = write(ctx, shards, { id: req.id, to: req.from }, true, ctx.metadataWritesLeft);
        // The seeded bug ticks TopologyTime at once, to the current ClusterTime (the write's), before
        // any ConfigTime covers the write.
        if (!topologyFromClusterTime) return written;
        return { ...written, clock: vectorTime(written.clock.cluster, written.clock.config, written.clock.cluster) };
      },
      /** A write of the config server's own (e.g. a balancer round updating `config.chunks`). */
      writeMetadata: (ctx: ConfigContext): ConfigContext => write(ctx, ctx.shards, null, false, ctx.metadataWritesLeft - 1),
      /**
       * The majority commit point reaches the last write: ConfigTime ticks to it, and TopologyTime to
       * the time of each add/remove-shard write it commits (their ConfigTime).
       */
      advanceCommitPoint: (ctx: ConfigContext): ConfigContext => {
        const committed = ctx.oplog;
        let topology = ctx.clock.topology;
        for (const w of ctx.awaiting) {
          if (w.topology && w.ts <= committed) topology = Math.max(topology, w.ts);
        }
        return { ...ctx, committed, clock: vectorTime(ctx.clock.cluster, Math.max(ctx.clock.config, committed), topology) };
      },
      forgetAnswered: (ctx: ConfigContext): ConfigContext => ({ ...ctx, awaiting: ctx.awaiting.filter((w) => w.ts > ctx.committed) }),
    },
    effects: {
      replyOk: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), CONFIG, 'ok', null, internalGossip(ctx.clock))],
      replyShardNotFound: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [
        respond(requestOf(e as MessageEvent), CONFIG, 'ShardNotFound', null, internalGossip(ctx.clock)),
      ],
      replyShards: (ctx: ConfigContext, e: ConfigEvent): readonly Message[] => [
        respond(requestOf(e as MessageEvent), CONFIG, 'ok', { shards: ctx.shards, topologyTime: ctx.clock.topology }, internalGossip(ctx.clock)),
      ],
      /** Answer every add/remove-shard request whose write is now majority committed. */
      replyCommitted: (ctx: ConfigContext): readonly Message[] =>
        ctx.awaiting
          .filter((w) => w.answer !== null && w.ts <= ctx.committed)
          .map((w): Message => ({ kind: 'response', id: w.answer!.id, from: CONFIG, to: w.answer!.to, status: 'ok', data: null, gossip: internalGossip(ctx.clock) })),
    },
  };
}

export type ClientImpl = ReturnType<typeof clientImpl>;
export type RouterImpl = ReturnType<typeof routerImpl>;
export type ShardImpl = ReturnType<typeof shardImpl>;
export type ConfigImpl = ReturnType<typeof configImpl>;
