/**
 * The writeback model's roles for the differential and model-based tests: each chart with its
 * implementation, initial contexts and a pool of events with payloads.
 *
 * @module
 */
import type { Gossip } from '../impl/logical-time.js';
import { messageEvent } from '../impl/writeback/common.js';
import type { Routing } from '../impl/writeback/common.js';
import { clientImpl, newClient } from '../impl/writeback/client.js';
import type { ClientEvent } from '../impl/writeback/client.js';
import { configImpl, INITIAL_ROUTING, newConfigServer } from '../impl/writeback/config.js';
import type { ConfigEvent } from '../impl/writeback/config.js';
import { idleListener, listenerEvent, listenerImpl } from '../impl/writeback/listener.js';
import type { ListenerEvent } from '../impl/writeback/listener.js';
import { newRouter, newRouterShared, routerEvent, routerImpl } from '../impl/writeback/router.js';
import type { RouterEvent } from '../impl/writeback/router.js';
import { newShard, shardImpl } from '../impl/writeback/shard.js';
import type { ShardEvent } from '../impl/writeback/shard.js';
import type { Message, Status } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { clientMachine, commandRouterMachine, configMachine, listenerMachine, routerMachine, shardMachine } from '../machines/writeback/index.js';
import type { RoleCase } from './role-samples.js';
import { WRITEBACK_BUGS } from './writeback.js';

const bugs = WRITEBACK_BUGS.map((b) => b.id);
const g0: Gossip = { $clusterTime: 0, $configTime: 0, $topologyTime: 0 };
const g2: Gossip = { $clusterTime: 2, $configTime: 1, $topologyTime: 0 };
const moved: Routing = { owner: 'shard1', version: 2 };
const reply = (id: string, from: string, to: string, status: Status, data: unknown, gossip: Gossip = g2): Message => ({ kind: 'response', id, from, to, status, data, gossip });

const clientEvents: ClientEvent[] = [
  { type: 'SUBMIT' },
  { type: 'response', msg: reply('client0:op1', 'router0', 'client0', 'ok', { done: false }, { $clusterTime: 1 }) },
  { type: 'response', msg: reply('client0:op2', 'router0', 'client0', 'NetworkError', null, { $clusterTime: 2 }) },
  { type: 'response', msg: reply('client0:op1', 'router0', 'client0', 'ok', { done: true }, { $clusterTime: 2 }) },
  { type: 'TIMEOUT' },
];

const op = 'router0#1/client0:op1';
const routerEvents: RouterEvent[] = [
  routerEvent(request('client0:op1', 'client0', 'router0', { name: 'write', write: 'client0:w1' }, { $clusterTime: 0 })),
  routerEvent(request('client0:op2', 'client0', 'router0', { name: 'getLastError' }, { $clusterTime: 1 })),
  routerEvent(request('client0:op1', 'client0', 'router0', { name: 'getLastError' }, { $clusterTime: 1 })),
  routerEvent(reply('router0#1/load', 'config', 'router0', 'ok', moved)),
  routerEvent(reply(op, 'shard0', 'router0', 'ok', { kind: 'ok' })),
  routerEvent(reply(op, 'shard0', 'router0', 'NetworkError', null)),
  routerEvent(reply(op, 'shard0', 'router0', 'StaleConfig', { wanted: 0 })),
  routerEvent(reply(op, 'shard0', 'router0', 'ok', null)),
  routerEvent(reply(op, 'shard0', 'router0', 'ok', { kind: 'writeback', id: 1 })),
  routerEvent(reply(`${op}:refresh`, 'config', 'router0', 'ok', moved)),
  { type: 'writebackRecorded' },
  { type: 'TIMEOUT' },
];
/** For the write-commands router: the last response of the pool is a stale version, so paths go through a refresh. */
const commandRouterEvents: RouterEvent[] = [...routerEvents.filter((e) => e.type !== 'replied' && e.type !== 'writebackRecorded'), routerEvent(reply(op, 'shard0', 'router0', 'ok', null)), routerEvent(reply(op, 'shard0', 'router0', 'StaleConfig', { wanted: 0 }))];
const seenOne = { ...newRouter('router0', INITIAL_ROUTING), seen: [{ id: 1, ok: true }, { id: 0, ok: false }] };

const wbl = 'router0#1/wbl-shard0';
const listenerEvents: ListenerEvent[] = [
  listenerEvent(reply(wbl, 'shard0', 'router0.wbl0', 'ok', { id: 2, write: 'client0:w2', conn: 'router0#1', wanted: 0 })),
  listenerEvent(reply(`${wbl}:refresh1`, 'config', 'router0.wbl0', 'ok', moved)),
  listenerEvent(reply(`${wbl}:apply1.0`, 'shard1', 'router0.wbl0', 'StaleConfig', { wanted: 3 })),
  listenerEvent(reply(`${wbl}:apply1.1`, 'shard1', 'router0.wbl0', 'ok', null)),
  listenerEvent(reply(`${wbl}:apply1.0`, 'shard1', 'router0.wbl0', 'ok', null)),
  listenerEvent(reply(wbl, 'shard0', 'router0.wbl0', 'ok', { id: 1, write: 'client0:w1', conn: 'router0#1', wanted: 0 })),
  { type: 'TIMEOUT' },
];
const listenerContext = { ...newRouterShared('router0', INITIAL_ROUTING), ...idleListener(0) };

const write = (version: number, response: boolean, w = 'client0:w1'): ShardEvent =>
  messageEvent(request(response ? 'router0#1/wbl-shard0:apply1.0' : op, 'router0', 'shard0', { name: 'write', write: w, conn: 'router0#1', serverId: 'router0#1', version, response }, g0));
// Paths use the last event of each type: a write that gets a response (an apply ticks ClusterTime,
// which bounds the traversal) and a migration that brings no documents (documents alone would grow
// without bound).
const shardEvents: ShardEvent[] = [
  write(2, false, 'client0:w2'),
  write(1, false),
  write(2, true),
  write(1, true),
  messageEvent(request(op, 'router0', 'shard0', { name: 'getLastError', conn: 'router0#1' }, g0)),
  messageEvent(request(wbl, 'router0.wbl0', 'shard0', { name: 'writebacklisten', serverId: 'router0#1' }, g0)),
  { type: 'MIGRATE_OUT', gossip: g2 },
  { type: 'MIGRATE_IN', docs: ['client0:w1'], version: 2, gossip: g2 },
  { type: 'MIGRATE_IN', docs: [], version: 3, gossip: g2 },
];

const configEvents: ConfigEvent[] = [messageEvent(request('router0#1/load', 'router0', 'config', { name: 'find', collection: 'config.chunks' }, g2)), { type: 'MOVE_CHUNK' }];

/** The writeback model's role cases (the router's client-connection thread in both write modes). */
export const WRITEBACK_ROLE_CASES: readonly RoleCase[] = [
  { model: 'writeback', role: 'client', machine: clientMachine, implement: () => clientImpl(), bugs, initialContexts: [newClient('client0', 'router0', 2)], events: clientEvents },
  {
    model: 'writeback',
    role: 'router',
    machine: routerMachine,
    implement: routerImpl,
    bugs,
    initialContexts: [newRouter('router0', null), newRouter('router0', INITIAL_ROUTING), seenOne],
    events: routerEvents,
  },
  {
    model: 'writeback',
    role: 'commandRouter',
    machine: commandRouterMachine,
    implement: routerImpl,
    bugs,
    initialContexts: [newRouter('router0', null), newRouter('router0', INITIAL_ROUTING)],
    events: commandRouterEvents,
  },
  { model: 'writeback', role: 'listener', machine: listenerMachine, implement: (b) => listenerImpl(b, 'legacy'), bugs, initialContexts: [listenerContext], events: listenerEvents },
  { model: 'writeback', role: 'shard', machine: shardMachine, implement: shardImpl, bugs, initialContexts: [newShard('shard0', 1), newShard('shard0', 0)], events: shardEvents },
  { model: 'writeback', role: 'config', machine: configMachine, implement: configImpl, bugs, initialContexts: [newConfigServer(1), newConfigServer(2)], events: configEvents },
];
