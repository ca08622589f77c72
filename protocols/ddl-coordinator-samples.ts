/**
 * The DDL coordinator model's roles for the differential and model-based tests: each chart with
 * its implementation, initial contexts and a pool of events with payloads. The coordinators'
 * responses all have the event type `reply` and are told apart by their exchange ids, so their
 * paths use the whole pool (`allEventsInPaths`).
 *
 * @module
 */
import type { Gossip } from '../impl/logical-time.js';
import { ZERO_TIME } from '../impl/logical-time.js';
import type { DdlKind, StateDoc } from '../impl/ddl/common.js';
import { DROP, INITIAL_UUID, messageEvent, renameOp } from '../impl/ddl/common.js';
import type { CoordinatorEvent, PrimaryShared } from '../impl/ddl/coordinator.js';
import { coordinatorImpl, newCoordinatorContext } from '../impl/ddl/coordinator.js';
import type { ConfigEvent } from '../impl/ddl/config.js';
import { configImpl, newConfigServer } from '../impl/ddl/config.js';
import type { MigrationEvent } from '../impl/ddl/migration.js';
import { MIGRATION_COMMIT_ID, migrationImpl } from '../impl/ddl/migration.js';
import type { RouterEvent } from '../impl/ddl/router.js';
import { newRouter, routerImpl } from '../impl/ddl/router.js';
import type { ShardEvent } from '../impl/ddl/shard.js';
import { newShard, shardImpl } from '../impl/ddl/shard.js';
import type { Message, Status } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { configMachine, dropCoordinatorMachine, migrationMachine, renameCoordinatorMachine, routerMachine, shardMachine } from '../machines/ddl-coordinator/index.js';
import type { RoleCase } from './role-samples.js';
import { DDL_BUGS } from './ddl-coordinator.js';

const bugs = DDL_BUGS.map((b) => b.id);
const g0: Gossip = { $clusterTime: 0, $configTime: 0, $topologyTime: 0 };
const g2: Gossip = { $clusterTime: 2, $configTime: 2, $topologyTime: 0 };
const reply = (id: string, from: string, to: string, status: Status = 'ok', data: unknown = null, gossip: Gossip = g0): Message => ({ kind: 'response', id, from, to, status, data, gossip });

// ------------------------------------------------------------------------------------- router
const routerEvents: RouterEvent[] = [
  { type: 'SUBMIT' },
  messageEvent(reply('router1/ddl', 'shard0.drop', 'router0')),
  messageEvent(reply('router0/ddl', 'shard0.drop', 'router0', 'ok', null, g2)),
  { type: 'TIMEOUT' },
];

// ------------------------------------------------------------------------------- coordinators
const shared = (term: number, localLocks: PrimaryShared['localLocks'] = []): PrimaryShared => ({ clock: ZERO_TIME, oplog: 0, term, uuidGen: INITIAL_UUID, localLocks });

/** The replies a coordinator's instance `instance` in `term` gets, step by step. */
function coordinatorReplies(kind: DdlKind, term: number, instance: number, steps: readonly (readonly [string, readonly string[]])[]): CoordinatorEvent[] {
  const host = `shard0.${kind}`;
  return steps.flatMap(([step, from]) => from.map((f) => messageEvent(reply(`${host}#${term}.${instance}/${step}`, f, host))));
}

const dropRequest = (from: string, ns = 'db.a'): CoordinatorEvent => messageEvent(request(`${from}/ddl`, from, 'shard0.drop', { name: '_shardsvrDropCollection', ns }, g0));
const dropEvents: CoordinatorEvent[] = [
  dropRequest('router0'),
  dropRequest('router1'),
  dropRequest('router2', 'db.x'),
  { type: 'lockFreed', localLocks: [] },
  messageEvent(reply('shard0.drop#1.1/lock0', 'config', 'shard0.drop', 'LockBusy')),
  ...coordinatorReplies('drop', 1, 1, [
    ['lock0', ['config']],
    ['lock1', ['config']],
    ['phase1', ['config']],
    ['phase2', ['config']],
    ['phase2.1', ['shard0', 'shard1']],
    ['unlock1', ['config']],
    ['unlock0', ['config']],
  ]),
  messageEvent(reply('shard0.drop#1.1/phase2.1', 'shard1', 'shard0.drop', 'NamespaceNotFound')),
  { type: 'TIMEOUT' },
];
/** A stepped-up primary's drop coordinator with its state document at the drop phase. */
const droppingDoc: StateDoc = { op: DROP, phase: 2, uuid: null };

const renameRequest = (from: string, target = 0): CoordinatorEvent => {
  const op = renameOp(target) as { from: string; to: string };
  return messageEvent(request(`${from}/ddl`, from, 'shard0.rename', { name: '_shardsvrRenameCollection', from: op.from, to: op.to }, g0));
};
const renameEvents: CoordinatorEvent[] = [
  renameRequest('router1'),
  renameRequest('router2', 1),
  { type: 'lockFreed', localLocks: [] },
  messageEvent(reply('shard0.rename#1.1/lock0', 'config', 'shard0.rename', 'LockBusy')),
  ...coordinatorReplies('rename', 1, 1, [
    ['lock0', ['config']],
    ['lock1', ['config']],
    ['lock2', ['config']],
  ]),
  messageEvent(reply('shard0.rename#1.1/phase1', 'config', 'shard0.rename', 'ok', { source: null, targetExists: false })),
  messageEvent(reply('shard0.rename#1.1/phase1', 'config', 'shard0.rename', 'ok', { source: { ns: 'db.a', uuid: 1 }, targetExists: false })),
  ...coordinatorReplies('rename', 1, 1, [
    ['phase2', ['config']],
    ['phase3', ['shard0', 'shard1']],
    ['phase4', ['config']],
    ['phase5', ['config']],
    ['unlock2', ['config']],
    ['unlock1', ['config']],
    ['unlock0', ['config']],
  ]),
  { type: 'TIMEOUT' },
];
/** The rename coordinator of a persisted state document (phase 0), rebuilt while the drop holds the database's in-memory lock. */
const renameDoc: StateDoc = { op: renameOp(0), phase: 0, uuid: null };

// ------------------------------------------------------------------------------------- shard
const participant = (name: string, args: Record<string, unknown>, id = 'shard0.drop#1.1/phase2.1'): ShardEvent =>
  messageEvent(request(id, 'shard0.drop', 'shard1', { name, ...args }, g2));
const shardEvents: ShardEvent[] = [
  participant('_shardsvrRenameCollectionParticipant', { from: 'db.a', to: 'db.b', uuid: 2 }, 'shard0.rename#1.1/phase3'),
  participant('_shardsvrDropCollectionParticipant', { ns: 'db.a' }),
  messageEvent(reply('shard0#2/recover', 'config', 'shard0', 'ok', null, g2)),
  { type: 'TIMEOUT' },
];

// ------------------------------------------------------------------------------------- config
const toConfig = (name: string, args: Record<string, unknown>, id = 'shard0.drop#1.1/phase1'): ConfigEvent => messageEvent(request(id, 'shard0.drop', 'config', { name, ...args }, g0));
const configEvents: ConfigEvent[] = [
  toConfig('_configsvrAcquireLock', { resource: 'db', holder: 'shard0', term: 1 }),
  toConfig('_configsvrAcquireLock', { resource: 'db', holder: 'shard9', term: 1 }),
  toConfig('_configsvrReleaseLock', { resource: 'db', holder: 'shard0' }),
  toConfig('_configsvrReleaseStaleLocks', { holder: 'shard0', term: 2 }),
  toConfig('_configsvrGetCollections', { nss: ['db.a', 'db.b'] }),
  toConfig('_configsvrSetAllowMigrations', { ns: 'db.a', allow: false }),
  toConfig('_configsvrSetAllowMigrations', { ns: 'db.a', allow: true }),
  toConfig('_configsvrRenameCollectionMetadata', { from: 'db.a', to: 'db.b', uuid: 2 }),
  toConfig('_configsvrRemoveCollection', { ns: 'db.b' }),
  messageEvent(request(MIGRATION_COMMIT_ID, 'migration', 'config', { name: '_configsvrCommitChunkMigration', ns: 'db.a', uuid: 1, fromVersion: 1, to: 'shard0' }, g0)),
];

const migrationEvents: MigrationEvent[] = [
  { type: 'START' },
  messageEvent(reply('other', 'config', 'migration')),
  messageEvent(reply(MIGRATION_COMMIT_ID, 'config', 'migration', 'ConflictingOperationInProgress', null, g2)),
];

/** The DDL coordinator model's role cases. */
export const DDL_ROLE_CASES: readonly RoleCase[] = [
  { model: 'ddl-coordinator', role: 'router', machine: routerMachine, implement: routerImpl, bugs, initialContexts: [newRouter('router0', DROP), newRouter('router1', renameOp(0))], events: routerEvents },
  {
    model: 'ddl-coordinator',
    role: 'dropCoordinator',
    machine: dropCoordinatorMachine,
    implement: coordinatorImpl,
    bugs,
    // The rename coordinator holds the database's in-memory lock at first, so that the drop waits for it.
    initialContexts: [newCoordinatorContext('drop', shared(1, [{ resource: 'db', holder: 'rename' }])), newCoordinatorContext('drop', shared(2), droppingDoc), newCoordinatorContext('drop', shared(1))],
    events: dropEvents,
    allEventsInPaths: true,
    keyStatesBySnapshot: true,
  },
  {
    model: 'ddl-coordinator',
    role: 'renameCoordinator',
    machine: renameCoordinatorMachine,
    implement: coordinatorImpl,
    bugs,
    initialContexts: [newCoordinatorContext('rename', shared(1, [{ resource: 'db', holder: 'drop' }]), renameDoc), newCoordinatorContext('rename', shared(1))],
    events: renameEvents,
    allEventsInPaths: true,
    keyStatesBySnapshot: true,
  },
  { model: 'ddl-coordinator', role: 'shard', machine: shardMachine, implement: shardImpl, bugs, initialContexts: [{ ...newShard('shard0'), term: 2 }, newShard('shard1')], events: shardEvents },
  { model: 'ddl-coordinator', role: 'config', machine: configMachine, implement: configImpl, bugs, initialContexts: [newConfigServer()], events: configEvents },
  { model: 'ddl-coordinator', role: 'migration', machine: migrationMachine, implement: migrationImpl, bugs, initialContexts: [{ clock: ZERO_TIME, outcome: null }], events: migrationEvents },
];
