/**
 * The migration model's roles for the differential and model-based tests: each chart with its
 * implementation, initial contexts and a pool of events with payloads. Paths of the model-based
 * tests use the last event of each type in a pool (`pathEvents`), so each pool ends with the
 * payload that carries a role along its main line.
 *
 * @module
 */
import type { Gossip } from '../impl/logical-time.js';
import { clientImpl, newClient } from '../impl/migration/client.js';
import type { ClientEvent } from '../impl/migration/client.js';
import { CONFIG, DONOR, INITIAL_TABLE, messageEvent, RECIPIENT } from '../impl/migration/common.js';
import { configImpl, newConfigServer } from '../impl/migration/config.js';
import type { ConfigEvent } from '../impl/migration/config.js';
import { donorImpl, newDonor } from '../impl/migration/donor.js';
import type { DonorContext, DonorEvent } from '../impl/migration/donor.js';
import { newRecipient, recipientImpl } from '../impl/migration/recipient.js';
import type { RecipientContext, RecipientEvent } from '../impl/migration/recipient.js';
import { newRouter, routerImpl } from '../impl/migration/router.js';
import type { RouterEvent } from '../impl/migration/router.js';
import type { ChunkVersion, RoutingTable } from '../impl/sharding/index.js';
import { chunkVersion, coordinatorDoc, doc, moveChunk, pendingTask, shardVersion } from '../impl/sharding/index.js';
import type { Message, Status } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { clientMachine, configMachine, donorMachine, recipientMachine, routerMachine } from '../machines/migration/index.js';
import type { RoleCase } from './role-samples.js';
import { MIGRATION_BUGS } from './migration.js';

const bugs = MIGRATION_BUGS.map((b) => b.id);
const g0: Gossip = { $clusterTime: 0, $configTime: 0, $topologyTime: 0 };
const g2: Gossip = { $clusterTime: 2, $configTime: 1, $topologyTime: 0 };
const MOVED: RoutingTable = moveChunk(INITIAL_TABLE, 'C0', RECIPIENT);
const reply = (id: string, from: string, to: string, status: Status, data: unknown, gossip: Gossip = g2): Message => ({ kind: 'response', id, from, to, status, data, gossip });
const w1 = doc('client0:w1', 1);

const clientEvents: ClientEvent[] = [
  { type: 'SUBMIT' },
  { type: 'op', msg: reply('client0:op1', 'router0', 'client0', 'StaleConfig', null, { $clusterTime: 1 }) },
  { type: 'op', msg: reply('client0:op2', 'router0', 'client0', 'ok', null, { $clusterTime: 2 }) },
  { type: 'TIMEOUT' },
  { type: 'op', msg: reply('client0:op1', 'router0', 'client0', 'ok', null, { $clusterTime: 2 }) },
];

const op = 'router0:client0:op1';
const routerEvents: RouterEvent[] = [
  messageEvent(request('client0:op1', 'client0', 'router0', { name: 'find', doc: null, key: 1 }, { $clusterTime: 1 })),
  messageEvent(request('client0:op1', 'client0', 'router0', { name: 'insert', doc: w1, key: 1 }, { $clusterTime: 0 })),
  messageEvent(reply(`${op}:try0`, DONOR, 'router0', 'ok', null)),
  messageEvent(reply(`${op}:try1`, RECIPIENT, 'router0', 'ok', null)),
  messageEvent(reply(`${op}:try1`, RECIPIENT, 'router0', 'StaleConfig', { received: shardVersion(MOVED, RECIPIENT), wanted: null })),
  messageEvent(reply(`${op}:try0`, DONOR, 'router0', 'NetworkError', null)),
  messageEvent(reply(`${op}:refresh1`, CONFIG, 'router0', 'ok', MOVED)),
  messageEvent(reply(`${op}:refresh0`, CONFIG, 'router0', 'ok', MOVED)),
  { type: 'TIMEOUT' },
  messageEvent(reply(`${op}:try0`, DONOR, 'router0', 'StaleConfig', { received: shardVersion(INITIAL_TABLE, DONOR), wanted: shardVersion(MOVED, DONOR) })),
];

const commit = (id: string, chunk = 'C0', from = DONOR, to = RECIPIENT): ConfigEvent =>
  messageEvent(request(`${id}:cfgcommit`, from, CONFIG, { name: '_configsvrCommitChunkMigration', sessionId: id, chunk, from, to }, g2));
const configEvents: ConfigEvent[] = [
  messageEvent(request('router0:client0:op1:refresh0', 'router0', CONFIG, { name: 'find', collection: 'config.chunks' }, g0)),
  commit('mig1'),
  commit('mig2', 'C1', RECIPIENT, DONOR),
  messageEvent(reply('config:move0', DONOR, CONFIG, 'ok', null)),
  { type: 'BALANCE' },
];

/** A donor that restarted in the middle of migration `mig1`: an undecided coordinator document, its pending task, unknown metadata. */
const recoveringDonor: DonorContext = {
  ...newDonor(null),
  coordinator: coordinatorDoc('mig1', 'C0', -1, 3, DONOR, RECIPIENT),
  rangeDeletions: [pendingTask('mig1', -1, 3)],
  migrations: 1,
};
const crud = (name: 'insert' | 'find', id: string, version: ChunkVersion): DonorEvent =>
  messageEvent(request(id, 'router0', DONOR, { name, doc: name === 'insert' ? w1 : null, key: 1, shardVersion: version }, g0));
const fromRecipient = (id: string, name: string, session: string): DonorEvent => messageEvent(request(id, RECIPIENT, DONOR, { name, sessionId: session }, g0));
/** Older than the donor's version: answered with a stale-version error, changing nothing. */
const olderThanDonor = chunkVersion(1, 0, 'E1');
// Paths use the last event of each type: the main line (recovery aborts mig1, then mig2 runs to its
// commit), and operations that change nothing.
const donorEvents: DonorEvent[] = [
  crud('insert', `${op}:try0`, shardVersion(INITIAL_TABLE, DONOR)),
  crud('find', `${op}:try0`, shardVersion(INITIAL_TABLE, DONOR)),
  crud('insert', `${op}:try1`, shardVersion(MOVED, DONOR)),
  messageEvent(reply(`${DONOR}:refresh`, CONFIG, DONOR, 'ok', MOVED)),
  messageEvent(request('config:move0', CONFIG, DONOR, { name: 'moveChunk', chunk: 'C1', to: RECIPIENT }, g0)),
  messageEvent(reply('mig2:start', RECIPIENT, DONOR, 'ConflictingOperationInProgress', null)),
  messageEvent(reply('mig2:status', RECIPIENT, DONOR, 'ok', { state: 'fail' })),
  messageEvent(reply('mig2:commit', RECIPIENT, DONOR, 'OperationFailed', null)),
  messageEvent(reply('mig2:abort', RECIPIENT, DONOR, 'ok', null)),
  fromRecipient('mig2:clone', '_migrateClone', 'mig2'),
  fromRecipient('mig2:mods', '_transferMods', 'mig2'),
  crud('insert', `${op}:try0`, olderThanDonor),
  crud('find', `${op}:try0`, olderThanDonor),
  messageEvent(reply(`${DONOR}:refresh`, CONFIG, DONOR, 'ok', INITIAL_TABLE)),
  messageEvent(request('config:move1', CONFIG, DONOR, { name: 'moveChunk', chunk: 'C0', to: RECIPIENT }, g0)),
  fromRecipient('mig9:clone', '_migrateClone', 'mig9'),
  fromRecipient('mig9:mods', '_transferMods', 'mig9'),
  messageEvent(reply('mig2:start', RECIPIENT, DONOR, 'ok', null)),
  messageEvent(reply('mig2:status', RECIPIENT, DONOR, 'ok', { state: 'steady' })),
  messageEvent(reply('mig2:commit', RECIPIENT, DONOR, 'ok', null)),
  messageEvent(reply('mig2:cfgcommit', CONFIG, DONOR, 'ok', MOVED)),
  messageEvent(reply('mig2:release', RECIPIENT, DONOR, 'ok', null)),
  messageEvent(reply('mig1:abort', RECIPIENT, DONOR, 'ok', null)),
  { type: 'DELETE_RANGE' },
  { type: 'TIMEOUT' },
];

const fromDonor = (id: string, name: string, args: Record<string, unknown> = {}): RecipientEvent => messageEvent(request(id, DONOR, RECIPIENT, { name, sessionId: 'mig1', ...args }, g0));
const start = (session: string): RecipientEvent => messageEvent(request(`${session}:start`, DONOR, RECIPIENT, { name: '_recvChunkStart', sessionId: session, chunk: 'C0', min: -1, max: 3, from: DONOR }, g0));
const toRecipient = (name: 'insert' | 'find', version: ChunkVersion): RecipientEvent =>
  messageEvent(request(`${op}:try1`, 'router0', RECIPIENT, { name, doc: name === 'insert' ? w1 : null, key: 1, shardVersion: version }, g0));
/** A version of another epoch: a stale-version error and a refresh, and nothing else. */
const otherEpoch = chunkVersion(1, 0, 'E0');
/** A recipient that holds an old ready task overlapping the chunk (a second migration must wait for its deletion). */
const recipientWithOrphans: RecipientContext = { ...newRecipient(), docs: [doc('d0', 0)], rangeDeletions: [{ ...pendingTask('mig0', -1, 3), pending: false }] };
// Paths use the last event of each type: mig1 starts, clones (the last batch is empty), catches up,
// is steady, commits; the others change little.
const recipientEvents: RecipientEvent[] = [
  toRecipient('insert', shardVersion(MOVED, RECIPIENT)),
  toRecipient('find', shardVersion(MOVED, RECIPIENT)),
  toRecipient('insert', shardVersion(INITIAL_TABLE, RECIPIENT)),
  messageEvent(reply(`${RECIPIENT}:refresh`, CONFIG, RECIPIENT, 'ok', INITIAL_TABLE)),
  start('mig2'),
  messageEvent(reply('mig1:clone', DONOR, RECIPIENT, 'ok', { docs: [doc('d0', 0)] })),
  messageEvent(reply('mig1:mods', DONOR, RECIPIENT, 'ok', { docs: [w1] })),
  messageEvent(reply('mig1:mods', DONOR, RECIPIENT, 'OperationFailed', null)),
  fromDonor('mig1:abort', '_recvChunkAbort'),
  fromDonor('mig1:release', 'deleteRangeDeletionTask'),
  messageEvent(reply(`${RECIPIENT}:refresh`, CONFIG, RECIPIENT, 'ok', MOVED)),
  toRecipient('find', otherEpoch),
  toRecipient('insert', otherEpoch),
  toRecipient('find', shardVersion(INITIAL_TABLE, RECIPIENT)),
  // Another shard's refresh: not this one's.
  messageEvent(reply(`${DONOR}:refresh`, CONFIG, RECIPIENT, 'ok', INITIAL_TABLE)),
  // Another migration's sequences: nothing to do here.
  messageEvent(request('mig7:abort', DONOR, RECIPIENT, { name: '_recvChunkAbort', sessionId: 'mig7' }, g0)),
  messageEvent(request('mig7:release', DONOR, RECIPIENT, { name: 'deleteRangeDeletionTask', sessionId: 'mig7' }, g0)),
  { type: 'DELETE_RANGE' },
  { type: 'TIMEOUT' },
  fromDonor('mig1:status', '_recvChunkStatus', { waitForSteadyOrDone: true }),
  start('mig1'),
  messageEvent(reply('mig1:clone', DONOR, RECIPIENT, 'ok', { docs: [] })),
  messageEvent(reply('mig1:mods', DONOR, RECIPIENT, 'ok', { docs: [] })),
  fromDonor('mig1:commit', '_recvChunkCommit'),
];

/** The migration model's role cases. */
export const MIGRATION_ROLE_CASES: readonly RoleCase[] = [
  { model: 'migration', role: 'client', machine: clientMachine, implement: () => clientImpl(), bugs, initialContexts: [newClient('client0', 'router0', 1, 1)], events: clientEvents },
  { model: 'migration', role: 'router', machine: routerMachine, implement: routerImpl, bugs, initialContexts: [newRouter('router0', INITIAL_TABLE), newRouter('router0', MOVED)], events: routerEvents },
  { model: 'migration', role: 'config', machine: configMachine, implement: configImpl, bugs, initialContexts: [newConfigServer(1), newConfigServer(2, MOVED)], events: configEvents },
  { model: 'migration', role: 'donor', machine: donorMachine, implement: donorImpl, bugs, initialContexts: [recoveringDonor, newDonor(), { ...newDonor(MOVED), recoveryDoc: true }], events: donorEvents, keyStatesBySnapshot: true },
  { model: 'migration', role: 'recipient', machine: recipientMachine, implement: recipientImpl, bugs, initialContexts: [newRecipient(), recipientWithOrphans, newRecipient(null)], events: recipientEvents, keyStatesBySnapshot: true },
];
