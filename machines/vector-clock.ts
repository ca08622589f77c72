/**
 * The roles of the vector-clock model as statecharts: a driver, a router, a shard primary and the
 * config server primary. Guards and actions are implemented in `impl/vector-clock.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ClientContext, ClientEvent, ConfigContext, ConfigEvent, RouterContext, RouterEvent, ShardContext, ShardEvent } from '../impl/vector-clock.js';
import { clientImpl, configImpl, newConfigServer, newShard, routerImpl, shardImpl } from '../impl/vector-clock.js';
import { ZERO_TIME } from '../impl/logical-time.js';
import type { RoleTypes } from './role.js';
import { xstateActions, xstateGuards } from './role.js';

const NO_BUGS: ReadonlySet<string> = new Set();

const client = clientImpl();
/** A driver: submits one operation at a time through the router and learns ClusterTime from replies. */
export const clientMachine = setup({
  types: {} as RoleTypes<ClientContext, ClientEvent>,
  guards: xstateGuards<ClientContext, ClientEvent, typeof client.guards>(client.guards),
  actions: xstateActions<ClientContext, ClientEvent, unknown, typeof client.updates, typeof client.effects>(client),
}).createMachine({
  id: 'client',
  context: ({ input }) => input ?? { clusterTime: 0, opsLeft: 0, opCount: 0 },
  initial: 'idle',
  states: {
    idle: {
      on: { SUBMIT: { guard: 'hasBudget', target: 'waiting', actions: ['startOp', 'sendToRouter'] } },
    },
    waiting: {
      on: {
        response: { guard: 'isCurrentReply', target: 'idle', actions: 'learnClusterTime' },
        TIMEOUT: { target: 'idle' },
      },
    },
  },
});

const router = routerImpl(NO_BUGS);
/** A router (mongos): forwards one operation at a time, retries once on a network error, never ticks. */
export const routerMachine = setup({
  types: {} as RoleTypes<RouterContext, RouterEvent>,
  guards: xstateGuards<RouterContext, RouterEvent, typeof router.guards>(router.guards),
  actions: xstateActions<RouterContext, RouterEvent, unknown, typeof router.updates, typeof router.effects>(router),
}).createMachine({
  id: 'router',
  context: ({ input }) => input ?? { clock: ZERO_TIME, pending: null },
  initial: 'idle',
  states: {
    idle: {
      on: {
        write: { target: 'forwarding', actions: ['acceptClientGossip', 'remember', 'forward'] },
        addShard: { target: 'forwarding', actions: ['acceptClientGossip', 'remember', 'forward'] },
        removeShard: { target: 'forwarding', actions: ['acceptClientGossip', 'remember', 'forward'] },
      },
    },
    forwarding: {
      on: {
        response: { guard: 'isPendingResponse', target: 'idle', actions: ['acceptGossip', 'replyToClient', 'forget'] },
        TIMEOUT: [
          { guard: 'canRetry', actions: ['countAttempt', 'forward'] },
          { target: 'idle', actions: ['replyNetworkError', 'forget'] },
        ],
      },
    },
  },
});

const shard = shardImpl(NO_BUGS);
/**
 * A shard primary: serves writes (ticking ClusterTime) and, in parallel, keeps its shard registry
 * fresh: when gossip shows a newer TopologyTime it re-reads `config.shards` from the config server.
 */
export const shardMachine = setup({
  types: {} as RoleTypes<ShardContext, ShardEvent>,
  guards: xstateGuards<ShardContext, ShardEvent, typeof shard.guards>(shard.guards),
  actions: xstateActions<ShardContext, ShardEvent, unknown, typeof shard.updates, typeof shard.effects>(shard),
}).createMachine({
  id: 'shard',
  context: ({ input }) => input ?? newShard('shard0'),
  type: 'parallel',
  states: {
    serving: {
      initial: 'primary',
      states: {
        primary: {
          on: { write: { actions: ['acceptGossip', 'applyWrite', 'replyWritten'] } },
        },
      },
    },
    registry: {
      initial: 'current',
      states: {
        current: {
          on: { REFRESH: { guard: 'registryStale', target: 'refreshing', actions: 'requestRegistry' } },
        },
        refreshing: {
          on: {
            response: { guard: 'isRegistryResponse', target: 'current', actions: ['acceptGossip', 'installRegistry'] },
            TIMEOUT: { target: 'current' },
          },
        },
      },
    },
  },
});

const config = configImpl(NO_BUGS);
/**
 * The config server primary: adds and removes shards and writes its own metadata, each write at a
 * new ClusterTime; in parallel, replication moves the majority commit point forward, which ticks
 * ConfigTime (and TopologyTime for topology writes) and answers the requests waiting for it.
 */
export const configMachine = setup({
  types: {} as RoleTypes<ConfigContext, ConfigEvent>,
  guards: xstateGuards<ConfigContext, ConfigEvent, typeof config.guards>(config.guards),
  actions: xstateActions<ConfigContext, ConfigEvent, unknown, typeof config.updates, typeof config.effects>(config),
}).createMachine({
  id: 'config',
  context: ({ input }) => input ?? newConfigServer(['shard0'], 0),
  type: 'parallel',
  states: {
    commands: {
      initial: 'primary',
      states: {
        primary: {
          on: {
            _configsvrAddShard: [
              { guard: 'isMember', actions: ['acceptGossip', 'replyOk'] },
              { actions: ['acceptGossip', 'writeTopologyChange'] },
            ],
            _configsvrRemoveShard: [
              { guard: 'isMember', actions: ['acceptGossip', 'writeTopologyChange'] },
              { actions: ['acceptGossip', 'replyShardNotFound'] },
            ],
            find: { actions: ['acceptGossip', 'replyShards'] },
            BALANCER_ROUND: { guard: 'hasMetadataWrites', actions: 'writeMetadata' },
          },
        },
      },
    },
    replication: {
      initial: 'caughtUp',
      states: {
        caughtUp: {
          always: { guard: 'hasUncommitted', target: 'behind' },
        },
        behind: {
          on: { MAJORITY_COMMIT: { target: 'caughtUp', actions: ['advanceCommitPoint', 'replyCommitted', 'forgetAnswered'] } },
        },
      },
    },
  },
});
