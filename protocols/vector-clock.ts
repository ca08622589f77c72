/**
 * The vector clock of a sharded cluster (DESIGN § 4.1, seed 003): a driver, a router, two shard
 * primaries and the config server primary. The driver writes to shards and adds and removes a
 * shard through the router; the config server also writes metadata of its own (balancer rounds);
 * every internal message gossips ClusterTime, ConfigTime and TopologyTime, and messages to and
 * from the driver gossip ClusterTime only. The network may lose and duplicate messages and the
 * mongods may crash and restart, within the bounds of the size.
 *
 * @module
 */
import type { Model, ModelDefinition, Size, StepInvariant } from '../checker/model.js';
import type { LogicalTime } from '../impl/logical-time.js';
import { toTimestamp, vectorTimeView } from '../impl/logical-time.js';
import type { ClientContext, ClientEvent, ConfigContext, ConfigEvent, RouterContext, RouterEvent, ShardContext, ShardEvent } from '../impl/vector-clock.js';
import {
  CLIENT,
  CONFIG,
  clientImpl,
  configImpl,
  messageEvent,
  newConfigServer,
  newShard,
  opId,
  recoverConfig,
  recoverShard,
  refreshId,
  ROUTER,
  routerImpl,
  SHARDS,
  shardImpl,
} from '../impl/vector-clock.js';
import type { Command, Message } from '../impl/world/network.js';
import { send } from '../impl/world/network.js';
import type { NodeClock, VectorClockState } from '../invariants/vector-clock.js';
import { clocksOf, vcMonotone, vcOrder, vcRouterNoTick } from '../invariants/vector-clock.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { compileRole } from '../machines/compile.js';
import { clientMachine, configMachine, routerMachine, shardMachine } from '../machines/vector-clock.js';
import type { Host, WorldAction } from './world.js';
import { describeMessage, describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';

export type { VectorClockState } from '../invariants/vector-clock.js';

/** The environment's steps besides the world's deliveries and faults. */
export type VectorClockAction =
  | WorldAction
  | { readonly kind: 'Submit'; readonly cmd: Command }
  | { readonly kind: 'Timeout'; readonly host: string }
  | { readonly kind: 'RefreshRegistry'; readonly host: string }
  | { readonly kind: 'MajorityCommit' }
  | { readonly kind: 'BalancerRound' }
  | { readonly kind: 'SecondRead'; readonly index: number; readonly message: Message };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'Submit', 'Timeout', 'RefreshRegistry', 'MajorityCommit', 'BalancerRound', 'SecondRead'] as const;

export const VECTOR_CLOCK_BUGS = [
  {
    id: 'gossip-config-without-cluster',
    breaks: 'VC-ORDER',
    description: 'receiving gossip advances ConfigTime and TopologyTime but not ClusterTime',
  },
  {
    id: 'topology-tick-to-cluster-time',
    breaks: 'VC-ORDER',
    description: "adding or removing a shard ticks TopologyTime at once to the config server's current ClusterTime, not to the write's ConfigTime once it is majority committed",
  },
  {
    id: 'gossip-two-reads',
    breaks: 'VC-ORDER',
    description: 'a mongod attaches $clusterTime and $configTime/$topologyTime to a message with two separate reads of its clock, not one snapshot',
  },
  {
    id: 'restart-forgets-clock',
    breaks: 'VC-MONOTONE',
    description: 'a restarted mongod recovers ClusterTime from its oplog and forgets the rest of its vector time (it was not persisted)',
  },
  {
    id: 'router-ticks',
    breaks: 'VC-ROUTER-NO-TICK',
    description: "the router ticks ClusterTime when it receives a driver's command",
  },
] as const;

/** The driver's commands: a write to either shard, adding and removing shard1 (shard0 is always a member). */
export const CLIENT_COMMANDS: readonly Command[] = [
  { name: 'write', shard: 'shard0' },
  { name: 'write', shard: 'shard1' },
  { name: 'addShard', shard: 'shard1' },
  { name: 'removeShard', shard: 'shard1' },
];

/** The role charts of the model compiled against their implementations for a set of bugs. */
export function vectorClockRoles(bugs: ReadonlySet<string> = new Set()) {
  return {
    client: compileRole<ClientContext, ClientEvent, Message>('client', clientMachine, clientImpl()),
    router: compileRole<RouterContext, RouterEvent, Message>('router', routerMachine, routerImpl(bugs)),
    shard: compileRole<ShardContext, ShardEvent, Message>('shard', shardMachine, shardImpl(bugs)),
    config: compileRole<ConfigContext, ConfigEvent, Message>('config', configMachine, configImpl(bugs)),
  };
}

type S = VectorClockState;

/** Build the model for a size (`ops`, `balancerRounds`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function vectorClockModel(size: Size, bugs: ReadonlySet<string> = new Set()): Model<S, VectorClockAction> {
  const roles = vectorClockRoles(bugs);
  const twoReads = bugs.has('gossip-two-reads');
  const make = (s: S, patch: Partial<S>): S => ({
    client: patch.client ?? s.client,
    router: patch.router ?? s.router,
    config: patch.config ?? s.config,
    shards: patch.shards ?? s.shards,
    net: patch.net ?? s.net,
    halfRead: patch.halfRead ?? s.halfRead,
    faults: patch.faults ?? s.faults,
  });
  const shardHost = (i: number): Host<S, ShardContext, ShardEvent> => ({
    name: SHARDS[i]!,
    chart: roles.shard,
    get: (s) => s.shards[i]!,
    set: (s, snap) => make(s, { shards: s.shards.map((x, j) => (j === i ? snap : x)) }),
    recover: (ctx) => recoverShard(ctx, bugs),
  });
  const hosts: Host<S>[] = [
    { name: CLIENT, chart: roles.client, get: (s) => s.client, set: (s, snap) => make(s, { client: snap }) },
    { name: ROUTER, chart: roles.router, get: (s) => s.router, set: (s, snap) => make(s, { router: snap }) },
    { name: CONFIG, chart: roles.config, get: (s) => s.config, set: (s, snap) => make(s, { config: snap }), recover: (ctx: ConfigContext) => recoverConfig(ctx, bugs) },
    shardHost(0),
    shardHost(1),
  ];
  const mongods = new Set<string>([CONFIG, ...SHARDS]);
  // Under `gossip-two-reads`, a mongod's message leaves with only $clusterTime read; its other
  // components are read by a later step (SecondRead), with anything happening in between.
  const post = (s: S, from: string, messages: readonly Message[]): S => {
    let net = s.net;
    let halfRead = s.halfRead;
    for (const m of messages) {
      if (twoReads && mongods.has(from)) halfRead = [...halfRead, { message: { ...m, gossip: { $clusterTime: m.gossip.$clusterTime } } }];
      else net = send(net, m);
    }
    return make(s, { net, halfRead });
  };
  const world = new World<S>(hosts, faultBounds(size), (s, net, faults) => make(s, { net, faults }), post);

  const submits = CLIENT_COMMANDS.map((cmd): VectorClockAction => ({ kind: 'Submit', cmd }));
  const submitEvents = CLIENT_COMMANDS.map((cmd): ClientEvent => ({ type: 'SUBMIT', cmd }));
  const TIMEOUT = { type: 'TIMEOUT' } as const;
  const timeouts = new Map([CLIENT, ROUTER, ...SHARDS].map((h) => [h, { kind: 'Timeout', host: h } as VectorClockAction]));
  const refreshes = SHARDS.map((h): VectorClockAction => ({ kind: 'RefreshRegistry', host: h }));
  const majorityCommit: VectorClockAction = { kind: 'MajorityCommit' };
  const balancerRound: VectorClockAction = { kind: 'BalancerRound' };
  const clientWaiting = roles.client.indexOf('waiting');
  const routerForwarding = roles.router.indexOf('forwarding');

  /** Whether anything is still in flight for exchange `id`: a timeout only fires when it was lost. */
  const inFlight = (s: S, id: string): boolean =>
    s.net.some((m) => m.id === id) ||
    s.halfRead.some((h) => h.message.id === id) ||
    s.config.ctx.awaiting.some((w) => w.answer?.id === id);
  const timeoutEnabled = (s: S, host: string): boolean => {
    if (host === CLIENT) {
      const id = opId(s.client.ctx.opCount);
      return s.client.at === clientWaiting && !inFlight(s, id) && s.router.ctx.pending?.id !== id;
    }
    if (host === ROUTER) return s.router.at === routerForwarding && !inFlight(s, s.router.ctx.pending!.id);
    const shard = s.shards[SHARDS.indexOf(host as (typeof SHARDS)[number])]!;
    return roles.shard.isIn(shard.at, 'registry.refreshing') && !inFlight(s, refreshId(host));
  };

  const init: S = {
    client: roles.client.initial({ clusterTime: 0, opsLeft: size['ops']!, opCount: 0 }),
    router: roles.router.initial({ clock: { cluster: 0, config: 0, topology: 0 }, pending: null }),
    config: roles.config.initial(newConfigServer(['shard0'], size['balancerRounds']!)),
    shards: SHARDS.map((h) => roles.shard.initial(newShard(h))),
    net: [],
    halfRead: [],
    faults: NO_FAULTS,
  };

  return {
    // SecondRead exists only under its seeded bug: listing it otherwise would report it as never fired.
    actionKinds: twoReads ? ACTION_KINDS : ACTION_KINDS.filter((k) => k !== 'SecondRead'),
    invariants: [vcOrder],
    stepInvariants: [vcMonotone as StepInvariant<S, VectorClockAction>, vcRouterNoTick as StepInvariant<S, VectorClockAction>],
    init: () => [init],

    actions(s, out) {
      world.actions(s, out as WorldAction[]);
      if (roles.client.handles(s.client.at, 'SUBMIT') && s.client.ctx.opsLeft > 0) out.push(...submits);
      for (const [host, timeout] of timeouts) if (timeoutEnabled(s, host)) out.push(timeout);
      SHARDS.forEach((_, i) => {
        if (roles.shard.handles(s.shards[i]!.at, 'REFRESH')) out.push(refreshes[i]!);
      });
      if (roles.config.handles(s.config.at, 'MAJORITY_COMMIT')) out.push(majorityCommit);
      if (s.config.ctx.metadataWritesLeft > 0) out.push(balancerRound);
      s.halfRead.forEach((h, index) => out.push({ kind: 'SecondRead', index, message: h.message }));
    },

    next(s, a) {
      switch (a.kind) {
        case 'Deliver':
        case 'Lose':
        case 'Duplicate':
        case 'Crash':
          return world.next(s, a, messageEvent);
        case 'Submit':
          return world.step(s, CLIENT, submitEvents[CLIENT_COMMANDS.indexOf(a.cmd)]!);
        case 'Timeout':
          return timeoutEnabled(s, a.host) ? world.step(s, a.host, TIMEOUT) : undefined;
        case 'RefreshRegistry':
          return world.step(s, a.host, { type: 'REFRESH' });
        case 'MajorityCommit':
          return world.step(s, CONFIG, { type: 'MAJORITY_COMMIT' });
        case 'BalancerRound':
          return world.step(s, CONFIG, { type: 'BALANCER_ROUND' });
        case 'SecondRead': {
          const half = s.halfRead[a.index];
          if (half === undefined) return undefined;
          const m = half.message;
          const clock = clockOfHost(s, m.from);
          const message: Message = { ...m, gossip: { $clusterTime: m.gossip.$clusterTime, $configTime: clock.config, $topologyTime: clock.topology } };
          return make(s, { net: send(s.net, message), halfRead: s.halfRead.filter((_, i) => i !== a.index) });
        }
      }
    },

    describe(a) {
      switch (a.kind) {
        case 'Deliver':
        case 'Lose':
        case 'Duplicate':
        case 'Crash':
          return describeWorldAction(a);
        case 'Submit':
          return `Submit(${a.cmd.name} ${String(a.cmd['shard'])})`;
        case 'Timeout':
        case 'RefreshRegistry':
          return `${a.kind}(${a.host})`;
        case 'SecondRead':
          return `SecondRead(${describeMessage(a.message)})`;
        default:
          return a.kind;
      }
    },

    view: (s) => viewOf(s, roles),

    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

function clockOfHost(s: S, host: string): NodeClock {
  return clocksOf(s).find((c) => c.host === host)!;
}

/** The per-role view of a state in traces, with logical times as BSON Timestamps. */
function viewOf(s: S, roles: ReturnType<typeof vectorClockRoles>): Record<string, unknown> {
  const name = (chart: { configs: readonly { name: string }[] }, snap: RoleSnapshot<unknown>) => chart.configs[snap.at]!.name;
  const ts = (t: LogicalTime) => toTimestamp(t);
  const view: Record<string, unknown> = {
    client: { state: name(roles.client, s.client), clusterTime: ts(s.client.ctx.clusterTime), opsLeft: s.client.ctx.opsLeft },
    router: { state: name(roles.router, s.router), ...vectorTimeView(s.router.ctx.clock), pending: s.router.ctx.pending?.id ?? null },
    config: {
      state: name(roles.config, s.config),
      ...vectorTimeView(s.config.ctx.clock),
      oplog: ts(s.config.ctx.oplog),
      committed: ts(s.config.ctx.committed),
      shards: s.config.ctx.shards,
    },
  };
  s.shards.forEach((sh) => {
    view[sh.ctx.host] = { state: name(roles.shard, sh), ...vectorTimeView(sh.ctx.clock), oplog: ts(sh.ctx.oplog) };
  });
  view['network'] = s.net.map(describeMessage);
  return view;
}

export const vectorClock: ModelDefinition = {
  name: 'vector-clock',
  summary: 'ClusterTime ≥ ConfigTime ≥ TopologyTime across a driver, a router, two shards and the config server',
  sizeParams: {
    ops: { description: "the driver's operations (writes, addShard, removeShard)", min: 0, max: 6 },
    balancerRounds: { description: "the config server's own metadata writes", min: 0, max: 4 },
    ...FAULT_SIZE_PARAMS,
  },
  sizes: {
    default: { ops: 2, balancerRounds: 1, maxLoss: 1, maxDup: 1, maxCrashes: 1 },
    large: { ops: 3, balancerRounds: 1, maxLoss: 2, maxDup: 0, maxCrashes: 1 },
  },
  invariants: [vcOrder, vcMonotone, vcRouterNoTick].map(({ id, description }) => ({ id, description })),
  bugs: VECTOR_CLOCK_BUGS,
  roles: [
    { name: 'client', summary: 'a driver: one operation at a time, ClusterTime only', machine: clientMachine },
    { name: 'router', summary: 'a mongos: forwards operations, gossips, never ticks', machine: routerMachine },
    { name: 'shard', summary: 'a shard primary: writes tick ClusterTime; refreshes its shard registry', machine: shardMachine, viewKeys: (key) => /^shard\d+$/.test(key) },
    { name: 'config', summary: 'the config server primary: topology and metadata writes, majority commit ticks ConfigTime and TopologyTime', machine: configMachine },
  ],
  build: (size, bugs) => vectorClockModel(size, bugs) as unknown as Model,
};

