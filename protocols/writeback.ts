/**
 * The legacy writeback queue and listener (DESIGN § 4.8; seed 000 "Writeback Listener", with the
 * shard versioning of seed 003): clients, routers (each with a writeback listener per shard), two
 * shards and the config server.
 *
 * A client sends a fire-and-forget write and then `getLastError` to its router. The router sends
 * the write to the shard its cached routing table names, with that shard's version. A shard checks
 * the version of every operation: a stale write that gets no response goes into the writeback
 * queue of the router that sent it, with ids strictly increasing per queue, and `getLastError`
 * reports the id; the router then waits until its listener for that shard has polled
 * (`writebacklisten`) and re-applied that writeback on the shard that owns the chunk. The config
 * server moves the chunk at any point, which changes versions. With `commands=1` routers send
 * write commands instead: every write gets a response, a stale version is an immediate error
 * and the router refreshes and retries; the listener only logs.
 *
 * Faults: router and shard restarts (a restart resets the host's connections: the messages in
 * flight to it are lost), lost and duplicated poll responses, chunk moves at any point. The
 * vector clock is gossiped on every internal message.
 *
 * @module
 */
import type { Model, ModelDefinition, Size, StepInvariant } from '../checker/model.js';
import { internalGossip, toTimestamp, vectorTimeView } from '../impl/logical-time.js';
import type { Bugs, WriteMode } from '../impl/writeback/common.js';
import { CONFIG, clientName, messageEvent, routerName, SHARDS } from '../impl/writeback/common.js';
import type { ClientContext, ClientEvent } from '../impl/writeback/client.js';
import { clientImpl, clientOpId, newClient } from '../impl/writeback/client.js';
import type { ConfigContext, ConfigEvent } from '../impl/writeback/config.js';
import { configImpl, INITIAL_ROUTING, newConfigServer } from '../impl/writeback/config.js';
import type { ListenerContext, ListenerEvent, ListenerOwn } from '../impl/writeback/listener.js';
import { idleListener, listenerEvent, listenerHost, listenerImpl, pollId, reapplyId } from '../impl/writeback/listener.js';
import type { ConnState, RouterContext, RouterEvent, RouterShared } from '../impl/writeback/router.js';
import { loadId, newRouterShared, opExchange, recoverRouterShared, routerEvent, routerImpl, serverIdOf } from '../impl/writeback/router.js';
import type { ShardContext, ShardEvent } from '../impl/writeback/shard.js';
import { newShard, recoverShard, shardImpl } from '../impl/writeback/shard.js';
import type { Message } from '../impl/world/network.js';
import { send } from '../impl/world/network.js';
import type { IssuedIds, RouterProcess, WritebackState } from '../invariants/writeback.js';
import { issuedMax, queuedBy, vcMonotone, vcOrder, wbAckDurable, wbExactlyOnce, wbIdsIncrease, wbRouted } from '../invariants/writeback.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { compileRole } from '../machines/compile.js';
import { clientMachine, commandRouterMachine, configMachine, listenerMachine, routerMachine, shardMachine } from '../machines/writeback/index.js';
import type { Host, WorldAction } from './world.js';
import { describeMessage, describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';
import { inFlight, replaceAt } from './world-helpers.js';

export type { WritebackState } from '../invariants/writeback.js';

// ------------------------------------------------------------------------------------- actions

/** The threads of a router that time out: its client connection's, and each listener. */
export type RouterRegion = 'requests' | 'listener0' | 'listener1';
const REGIONS: readonly RouterRegion[] = ['requests', 'listener0', 'listener1'];

/** The environment's steps besides the world's deliveries and faults. */
export type WritebackAction =
  | WorldAction
  | { readonly kind: 'Submit'; readonly client: number }
  | { readonly kind: 'ClientTimeout'; readonly client: number }
  | { readonly kind: 'RouterTimeout'; readonly router: number; readonly region: RouterRegion }
  | { readonly kind: 'MoveChunk' };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'Submit', 'ClientTimeout', 'RouterTimeout', 'MoveChunk'] as const;

export const WRITEBACK_BUGS = [
  {
    id: 'gle-no-wait',
    breaks: 'WB-ACK-DURABLE',
    description: 'getLastError reports a write done as soon as the shard names its writeback id, without waiting for the listener to re-apply it',
  },
  {
    id: 'listener-reapplies-duplicate',
    breaks: 'WB-EXACTLY-ONCE',
    description: 'the listener re-applies a writeback whose id it has already recorded (a duplicated poll response arriving after it re-polled)',
  },
  {
    id: 'writeback-ids-reset-on-restart',
    breaks: 'WB-IDS-INCREASE',
    description: 'a restarted shard numbers writebacks from 1 again instead of above every id it issued before',
  },
  {
    id: 'resend-stale-version',
    breaks: 'WB-ROUTED',
    description: 'after a stale version, the write is re-sent to the same shard with the version that shard wanted, instead of after refreshing the routing table',
  },
  {
    id: 'shard-restart-forgets-clock',
    breaks: 'VC-MONOTONE',
    description: 'a restarted shard recovers ClusterTime from its oplog and forgets the rest of its vector time',
  },
  {
    id: 'gossip-config-without-cluster',
    breaks: 'VC-ORDER',
    description: 'receiving gossip advances ConfigTime and TopologyTime but not ClusterTime',
  },
] as const;

/** The role charts compiled against their implementations for a set of bugs and a write mode. */
export function writebackRoles(bugs: Bugs = new Set(), mode: WriteMode = 'legacy') {
  return {
    client: compileRole<ClientContext, ClientEvent, Message>('client', clientMachine, clientImpl()),
    router: compileRole<RouterContext, RouterEvent, Message>('router', mode === 'legacy' ? routerMachine : commandRouterMachine, routerImpl(bugs)),
    listener: compileRole<ListenerContext, ListenerEvent, Message>('listener', listenerMachine, listenerImpl(bugs, mode)),
    shard: compileRole<ShardContext, ShardEvent, Message>('shard', shardMachine, shardImpl(bugs)),
    config: compileRole<ConfigContext, ConfigEvent, Message>('config', configMachine, configImpl(bugs)),
  };
}

type S = WritebackState;

/** A response to `writebacklisten`. */
export const isPollResponse = (m: Message): boolean => m.kind === 'response' && /\/wbl-shard\d+$/.test(m.id);

/** A shard's response to a router's write command (command mode). */
export const isWriteCommandResponse = (m: Message): boolean => m.kind === 'response' && m.from.startsWith('shard') && /^router\d+$/.test(m.to);

/**
 * The messages the network may lose or duplicate: the responses that tell a router a write's
 * fate — poll responses in legacy mode (the fault model), write-command responses in
 * command mode. Everything else rides connections that a restart resets.
 */
export const faultyIn = (mode: WriteMode): ((m: Message) => boolean) => (mode === 'legacy' ? isPollResponse : isWriteCommandResponse);

const sharedOf = (c: RouterShared): RouterShared => ({ name: c.name, serverId: c.serverId, clock: c.clock, table: c.table, seen: c.seen });
/** The shared part of a thread's context, the same object as `was` when the thread changed none of it. */
function shareBack(was: RouterShared, c: RouterShared): RouterShared {
  return c.serverId === was.serverId && c.clock === was.clock && c.table === was.table && c.seen === was.seen ? was : sharedOf(c);
}

/** Build the model for a size (`routers`, `writes`, `moves`, `commands`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function writebackModel(size: Size, bugs: Bugs = new Set()): Model<S, WritebackAction> {
  const mode: WriteMode = size['commands'] === 1 ? 'commands' : 'legacy';
  const roles = writebackRoles(bugs, mode);
  const faulty = faultyIn(mode);
  const routerCount = size['routers'] ?? 1;
  const make = (s: S, patch: Partial<S>): S => ({
    clients: patch.clients ?? s.clients,
    routers: patch.routers ?? s.routers,
    config: patch.config ?? s.config,
    shards: patch.shards ?? s.shards,
    net: patch.net ?? s.net,
    faults: patch.faults ?? s.faults,
    issued: patch.issued ?? s.issued,
  });
  const clients = Array.from({ length: routerCount }, (_, i) => clientName(i));
  const routers = Array.from({ length: routerCount }, (_, i) => routerName(i));
  const setProcess = (s: S, r: number, p: RouterProcess): S => make(s, { routers: replaceAt(s.routers, r, p) });

  // A router's threads are hosts whose contexts are views of the process: shared memory plus their own fields.
  const requestsHost = (r: number): Host<S, RouterContext, RouterEvent> => ({
    name: routers[r]!,
    chart: roles.router,
    get: (s) => {
      const p = s.routers[r]!;
      return { at: p.requests.at, ctx: { ...p.shared, conn: p.requests.conn } };
    },
    set: (s, snap) => {
      const p = s.routers[r]!;
      const requests = snap.at === p.requests.at && snap.ctx.conn === p.requests.conn ? p.requests : { at: snap.at, conn: snap.ctx.conn };
      return setProcess(s, r, { shared: shareBack(p.shared, snap.ctx), requests, listeners: p.listeners });
    },
    // Crashes of a router are the process's, handled by `restartRouter`; this only lists the step.
    recover: (ctx) => ctx,
  });
  const listenerHostOf = (r: number, i: number): Host<S, ListenerContext, ListenerEvent> => ({
    name: listenerHost(routers[r]!, i),
    chart: roles.listener,
    get: (s) => {
      const p = s.routers[r]!;
      const l = p.listeners[i]!;
      return { at: l.at, ctx: { ...p.shared, ...l.own } };
    },
    set: (s, snap) => {
      const p = s.routers[r]!;
      const l = p.listeners[i]!;
      const c = snap.ctx;
      const o = l.own;
      const own: ListenerOwn = c.current === o.current && c.target === o.target && c.version === o.version && c.attempts === o.attempts ? o : { shard: i, current: c.current, target: c.target, version: c.version, attempts: c.attempts };
      const listener = snap.at === l.at && own === o ? l : { at: snap.at, own };
      return setProcess(s, r, { shared: shareBack(p.shared, c), requests: p.requests, listeners: replaceAt(p.listeners, i, listener) });
    },
  });
  const hosts: Host<S>[] = [
    ...clients.map((name, i): Host<S, ClientContext, ClientEvent> => ({ name, chart: roles.client, get: (s) => s.clients[i]!, set: (s, snap) => make(s, { clients: replaceAt(s.clients, i, snap) }) })),
    ...routers.map((_, r) => requestsHost(r)),
    ...routers.flatMap((_, r) => SHARDS.map((_s, i) => listenerHostOf(r, i))),
    { name: CONFIG, chart: roles.config, get: (s) => s.config, set: (s, snap) => make(s, { config: snap }) } as Host<S, ConfigContext, ConfigEvent>,
    ...SHARDS.map((name, i): Host<S, ShardContext, ShardEvent> => ({
      name,
      chart: roles.shard,
      get: (s) => s.shards[i]!,
      set: (s, snap) => make(s, { shards: replaceAt(s.shards, i, snap) }),
      recover: (ctx) => recoverShard(ctx, bugs),
    })),
  ];
  const world = new World<S>(hosts, faultBounds(size), (s, net, faults) => make(s, { net, faults }));
  const routerIndex = new Map(routers.map((r, i) => [r, i]));
  const listenerIndex = new Map(routers.flatMap((r, ri) => SHARDS.map((_, i) => [listenerHost(r, i), { router: ri, shard: i }] as const)));
  const shardIndex = new Map<string, number>(SHARDS.map((h, i) => [h, i]));
  const processHosts = routers.map((r) => new Set([r, ...SHARDS.map((_, i) => listenerHost(r, i))]));
  const deliveryEvent = (m: Message): { type: string } => {
    const to = m.to as string;
    if (routerIndex.has(to)) return routerEvent(m);
    if (listenerIndex.has(to)) return listenerEvent(m);
    return messageEvent(m);
  };

  // Prebuilt actions and events.
  const submits = clients.map((_, i): WritebackAction => ({ kind: 'Submit', client: i }));
  const clientTimeouts = clients.map((_, i): WritebackAction => ({ kind: 'ClientTimeout', client: i }));
  const routerTimeouts = routers.map((_, r) => REGIONS.map((region): WritebackAction => ({ kind: 'RouterTimeout', router: r, region })));
  const moveChunk: WritebackAction = { kind: 'MoveChunk' };
  const SUBMIT: ClientEvent = { type: 'SUBMIT' };
  const TIMEOUT = { type: 'TIMEOUT' } as const;
  const RECORDED: RouterEvent = { type: 'writebackRecorded' };
  const MOVE: ConfigEvent = { type: 'MOVE_CHUNK' };
  const clientWaiting = roles.client.indexOf('waiting');
  const routerAt = (name: string) => roles.router.indexOf(name);
  const routerAtOr = (name: string) => (roles.router.configs.some((c) => c.name === name) ? routerAt(name) : -1);
  const [awaitingShard, awaitingWriteback, writing] = [routerAtOr('awaitingShard'), routerAtOr('awaitingWriteback'), routerAtOr('writing')];
  const [listenerPolling, listenerReapplying] = [roles.listener.indexOf('polling'), roles.listener.indexOf('reapplying')];


  /** A timeout fires only when what its host waits for can no longer come: nothing of it is left anywhere. */
  const clientTimeoutEnabled = (s: S, i: number): boolean => {
    const c = s.clients[i]!;
    if (c.at !== clientWaiting) return false;
    const op = clientOpId(c.ctx.name, c.ctx.opCount);
    return !inFlight(s.net, op) && s.routers[i]!.requests.conn?.op !== op;
  };
  const routerTimeoutEnabled = (s: S, r: number, region: RouterRegion): boolean => {
    const p = s.routers[r]!;
    if (region === 'requests') {
      const at = p.requests.at;
      const ctx = { ...p.shared, conn: p.requests.conn };
      if (at === awaitingShard || at === writing) return !inFlight(s.net, opExchange(ctx));
      if (at !== awaitingWriteback || ctx.conn === null) return false;
      // The awaited writeback is nowhere: not queued, not in a poll response, not being re-applied.
      const i = shardIndex.get(ctx.conn.shard)!;
      const id = ctx.conn.waitFor;
      const serverId = serverIdOf(p.shared);
      if (s.shards[i]!.ctx.queues.some((q) => q.serverId === serverId && q.entries.some((wb) => wb.id === id))) return false;
      const poll = pollId({ ...p.shared, shard: i });
      if (s.net.some((m) => m.id === poll && m.kind === 'response' && (m.data as { id: number }).id === id)) return false;
      return p.listeners[i]!.own.current?.id !== id;
    }
    const i = region === 'listener0' ? 0 : 1;
    const l = p.listeners[i]!;
    if (l.at === listenerPolling) {
      const poll = pollId({ ...p.shared, shard: i });
      return !inFlight(s.net, poll) && !s.shards[i]!.ctx.parked.some((x) => x.id === poll);
    }
    if (l.at === listenerReapplying) return !inFlight(s.net, reapplyId({ ...p.shared, ...l.own }));
    return false;
  };

  /**
   * Connections keep their order: a `getLastError` is not delivered before the write that precedes
   * it on its connection (same exchange id, same sender), and a router's client-connection thread
   * reads its next message only when it can handle it (a write command in progress holds the
   * connection's `getLastError`).
   */
  const deliverable = (s: S, a: Extract<WorldAction, { kind: 'Deliver' }>): boolean => {
    const m = a.message;
    if (m.kind !== 'request') return true;
    if (m.cmd.name === 'getLastError') {
      for (const o of s.net) if (o.kind === 'request' && o.cmd.name === 'write' && o.id === m.id && o.from === m.from) return false;
    }
    const r = routerIndex.get(a.host);
    if (r !== undefined) return roles.router.handles(s.routers[r]!.requests.at, m.cmd.name);
    return true;
  };

  /** After a listener recorded a writeback, the waiting `getLastError` (polling `_seenWritebacks`) notices. */
  const notifyWaiter = (before: S, after: S, r: number): S => {
    if (after.routers[r]!.shared.seen === before.routers[r]!.shared.seen) return after;
    return world.step(after, routers[r]!, RECORDED) ?? after;
  };

  /** Record the id a step put in a queue (the history `WB-IDS-INCREASE` compares against). */
  const recordIssued = (before: S, a: WritebackAction, after: S): S => {
    const q = queuedBy(before, a, after);
    if (q === undefined || issuedMax(after, q.queue) >= q.id) return after;
    const issued: readonly IssuedIds[] = [...after.issued.filter((x) => x.queue !== q.queue), { queue: q.queue, max: q.id }].sort((x, y) =>
      x.queue < y.queue ? -1 : x.queue > y.queue ? 1 : 0,
    );
    return make(after, { issued });
  };

  /** A router process, fresh: its client thread and its listeners at their charts' initial configurations. */
  const startProcess = (shared: RouterShared, sent: Message[]): RouterProcess => {
    const requests = roles.router.initial({ ...shared, conn: null }, sent);
    const listeners = SHARDS.map((_, i) => {
      const l = roles.listener.initial({ ...shared, ...idleListener(i) }, sent);
      return { at: l.at, own: idleListener(i) };
    });
    return { shared, requests: { at: requests.at, conn: null as ConnState | null }, listeners };
  };

  /** Deliver, in this step, the messages `sent` (and the responses to them from the config server). */
  const deliverNow = (s: S, sent: readonly Message[], alsoReplies: (m: Message) => boolean): S => {
    let out = s;
    for (const m of sent) {
      const index = out.net.indexOf(m);
      if (index >= 0) out = world.next(out, { kind: 'Deliver', index, host: m.to as string, message: m }, deliveryEvent)!;
    }
    for (const m of out.net) {
      if (!alsoReplies(m)) continue;
      out = world.next(out, { kind: 'Deliver', index: out.net.indexOf(m), host: m.to as string, message: m }, deliveryEvent)!;
    }
    return out;
  };

  /**
   * A router restart: a new process with a new serverID. Its connections are reset: what was in
   * flight to it is gone, and the shards drop the polls its old listeners had parked. Starting up
   * is part of the step: it loads the routing table and its listeners' first polls reach the shards.
   */
  const restartRouter = (s: S, r: number): S => {
    const sent: Message[] = [];
    const old = s.routers[r]!.shared;
    const p = startProcess(recoverRouterShared(old), sent);
    let net: readonly Message[] = s.net.filter((m) => !processHosts[r]!.has(m.to as string));
    for (const m of sent) net = send(net, m);
    const oldServerId = serverIdOf(old);
    const shards = s.shards.map((sh) =>
      sh.ctx.parked.some((x) => x.serverId === oldServerId) ? { at: sh.at, ctx: { ...sh.ctx, parked: sh.ctx.parked.filter((x) => x.serverId !== oldServerId) } } : sh,
    );
    const restarted = make(setProcess(s, r, p), { net, shards, faults: { ...s.faults, crashes: s.faults.crashes + 1 } });
    const load = loadId(p.shared);
    return deliverNow(restarted, sent, (m) => m.kind === 'response' && m.id === load);
  };

  const init: S = (() => {
    const sent: Message[] = [];
    // Routers start with the routing table loaded; their listeners' first polls go out at once.
    const procs = routers.map((name) => startProcess(newRouterShared(name, INITIAL_ROUTING), sent));
    let net: readonly Message[] = [];
    for (const m of sent) net = send(net, m);
    let s: S = {
      clients: clients.map((name, i) => roles.client.initial(newClient(name, routers[i]!, size['writes'] ?? 1))),
      routers: procs,
      config: roles.config.initial(newConfigServer(size['moves'] ?? 1)),
      shards: SHARDS.map((h) => roles.shard.initial(newShard(h, h === INITIAL_ROUTING.owner ? INITIAL_ROUTING.version : 0))),
      net,
      faults: NO_FAULTS,
      issued: [],
    };
    // The first polls reach the shards and park there before the clients start (mongos starts its listeners when it connects).
    s = deliverNow(s, sent, () => false);
    return s;
  })();

  return {
    actionKinds: ACTION_KINDS,
    invariants: [wbAckDurable, wbExactlyOnce, vcOrder],
    stepInvariants: [wbIdsIncrease, wbRouted, vcMonotone as StepInvariant<S, WritebackAction>],
    init: () => [init],

    actions(s, out) {
      const worldActions: WorldAction[] = [];
      world.actions(s, worldActions);
      for (const a of worldActions) {
        if (a.kind === 'Deliver') {
          if (deliverable(s, a)) out.push(a);
        } else if (a.kind === 'Lose' || a.kind === 'Duplicate') {
          if (faulty(a.message)) out.push(a);
        } else out.push(a);
      }
      s.clients.forEach((c, i) => {
        if (c.ctx.writesLeft > 0 && roles.client.handles(c.at, 'SUBMIT')) out.push(submits[i]!);
        if (clientTimeoutEnabled(s, i)) out.push(clientTimeouts[i]!);
      });
      s.routers.forEach((_, r) => {
        REGIONS.forEach((region, k) => {
          if (routerTimeoutEnabled(s, r, region)) out.push(routerTimeouts[r]![k]!);
        });
      });
      if (s.config.ctx.movesLeft > 0) out.push(moveChunk);
    },

    next(s, a) {
      switch (a.kind) {
        case 'Deliver': {
          if (!deliverable(s, a)) return undefined;
          const after = world.next(s, a, deliveryEvent);
          if (after === undefined) return undefined;
          if (shardIndex.has(a.host)) return recordIssued(s, a, after);
          const l = listenerIndex.get(a.host);
          return l === undefined ? after : notifyWaiter(s, after, l.router);
        }
        case 'Lose':
        case 'Duplicate':
          return faulty(a.message) ? world.next(s, a, deliveryEvent) : undefined;
        case 'Crash': {
          if (s.faults.crashes >= faultBounds(size).maxCrashes) return undefined;
          const r = routerIndex.get(a.host);
          if (r !== undefined) return restartRouter(s, r);
          const after = world.next(s, a, deliveryEvent);
          if (after === undefined) return undefined;
          // The restarted shard's connections are reset: what was in flight to it is gone.
          const net = after.net.filter((m) => m.to !== a.host);
          return net.length === after.net.length ? after : make(after, { net });
        }
        case 'Submit':
          return world.step(s, clients[a.client]!, SUBMIT);
        case 'ClientTimeout':
          return clientTimeoutEnabled(s, a.client) ? world.step(s, clients[a.client]!, TIMEOUT) : undefined;
        case 'RouterTimeout': {
          if (!routerTimeoutEnabled(s, a.router, a.region)) return undefined;
          if (a.region === 'requests') return world.step(s, routers[a.router]!, TIMEOUT);
          const after = world.step(s, listenerHost(routers[a.router]!, a.region === 'listener0' ? 0 : 1), TIMEOUT);
          return after === undefined ? undefined : notifyWaiter(s, after, a.router);
        }
        case 'MoveChunk': {
          // The balancer moves the chunk; the migration (another protocol) runs on both shards in this step.
          const committed = world.step(s, CONFIG, MOVE);
          if (committed === undefined) return undefined;
          const table = committed.config.ctx.table;
          const donor = s.config.ctx.table.owner;
          const gossip = internalGossip(committed.config.ctx.clock);
          const docs = s.shards[shardIndex.get(donor)!]!.ctx.docs;
          const out = world.step(committed, donor, { type: 'MIGRATE_OUT', gossip } as ShardEvent) ?? committed;
          return world.step(out, table.owner, { type: 'MIGRATE_IN', docs, version: table.version, gossip } as ShardEvent) ?? out;
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
        case 'ClientTimeout':
          return `${a.kind}(${clients[a.client]!})`;
        case 'RouterTimeout':
          return `RouterTimeout(${routers[a.router]!} ${a.region})`;
        case 'MoveChunk':
          return 'MoveChunk';
      }
    },

    view: (s) => viewOf(s, roles),

    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

/** The per-role view of a state in traces. */
function viewOf(s: S, roles: ReturnType<typeof writebackRoles>): Record<string, unknown> {
  const name = (chart: { configs: readonly { name: string }[] }, snap: RoleSnapshot<unknown>) => chart.configs[snap.at]!.name;
  const view: Record<string, unknown> = {};
  for (const c of s.clients) view[c.ctx.name] = { state: name(roles.client, c), writesLeft: c.ctx.writesLeft, acked: c.ctx.acked, clusterTime: toTimestamp(c.ctx.clusterTime) };
  for (const p of s.routers) {
    view[p.shared.name] = {
      state: roles.router.configs[p.requests.at]!.name,
      serverId: p.shared.serverId,
      ...vectorTimeView(p.shared.clock),
      table: p.shared.table,
      conn: p.requests.conn,
      seen: p.shared.seen,
    };
    p.listeners.forEach((l, i) => {
      view[listenerHost(p.shared.name, i)] = { state: roles.listener.configs[l.at]!.name, current: l.own.current, target: l.own.target, attempts: l.own.attempts };
    });
  }
  view[CONFIG] = { state: name(roles.config, s.config), ...vectorTimeView(s.config.ctx.clock), table: s.config.ctx.table, movesLeft: s.config.ctx.movesLeft };
  for (const sh of s.shards) {
    const c = sh.ctx;
    view[c.host] = {
      ...vectorTimeView(c.clock),
      version: c.version,
      docs: c.docs,
      lastWritebackId: c.lastWritebackId,
      queues: Object.fromEntries(c.queues.map((q) => [q.serverId, q.entries.map((wb) => `${wb.id}:${wb.write}`)])),
      parked: c.parked.map((p) => p.serverId),
    };
  }
  view['network'] = s.net.map(describeMessage);
  return view;
}

export const writeback: ModelDefinition = {
  name: 'writeback',
  summary: 'the legacy writeback queue and listener: fire-and-forget writes, stale shard versions, getLastError (or write commands, for comparison)',
  sizeParams: {
    routers: { description: 'routers, each with one client and a writeback listener per shard', min: 1, max: 2 },
    writes: { description: "each client's writes (each followed by getLastError)", min: 0, max: 3 },
    moves: { description: 'chunk moves the balancer may make', min: 0, max: 3 },
    commands: { description: '1: routers send write commands instead of fire-and-forget writes (for comparison)', min: 0, max: 1 },
    ...FAULT_SIZE_PARAMS,
  },
  sizes: {
    default: { routers: 1, writes: 2, moves: 1, commands: 0, maxLoss: 1, maxDup: 1, maxCrashes: 1 },
    large: { routers: 1, writes: 3, moves: 1, commands: 0, maxLoss: 1, maxDup: 1, maxCrashes: 1 },
  },
  invariants: [wbAckDurable, wbExactlyOnce, wbIdsIncrease, wbRouted, vcOrder, vcMonotone].map(({ id, description }) => ({ id, description })),
  bugs: WRITEBACK_BUGS,
  roles: [
    { name: 'client', summary: 'a legacy driver: a fire-and-forget write, then getLastError', machine: clientMachine, viewKeys: (k) => /^client\d+$/.test(k) },
    { name: 'router', summary: "a mongos's client-connection thread: routes fire-and-forget writes, answers getLastError (waiting for the listener)", machine: routerMachine, viewKeys: (k) => /^router\d+$/.test(k) },
    { name: 'commandRouter', summary: "with commands=1, a mongos's client-connection thread: write commands, refreshed and retried on a stale version", machine: commandRouterMachine, viewKeys: (k) => /^router\d+$/.test(k) },
    { name: 'listener', summary: "a mongos's writeback listener for one shard: polls writebacklisten, re-applies on the owner, records the id", machine: listenerMachine, viewKeys: (k) => /^router\d+\.wbl\d+$/.test(k) },
    { name: 'shard', summary: 'a shard: checks the shard version of every write, queues writebacks, serves writebacklisten', machine: shardMachine, viewKeys: (k) => /^shard\d+$/.test(k) },
    { name: 'config', summary: 'the config server: the routing table, and chunk moves that change versions', machine: configMachine },
  ],
  build: (size, bugs) => writebackModel(size, bugs) as unknown as Model,
};
