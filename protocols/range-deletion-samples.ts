/**
 * The range-deletion model's roles for the differential and model-based tests: each chart with its
 * implementation, initial contexts and a pool of events with payloads.
 *
 * The shards' charts are parallel (the coordinator or the migration's region beside the range
 * deleter's), so their paths are made of the context's events (`pathEventsOf`: the replies and
 * requests of the migration in flight, a `getMore` for each open cursor, a `find` while none is
 * open), start from every initial context (`pathsFromEveryContext`: a restarted donor with a
 * coordinator document; shards whose deleter has a task and a query that holds it back), and the
 * simple paths are simple in configurations (`simplePathsOverConfigurations`).
 *
 * @module
 */
import type { Gossip } from '../impl/logical-time.js';
import { clientImpl, newClient } from '../impl/range-deletion/client.js';
import type { ClientEvent, ClientContext } from '../impl/range-deletion/client.js';
import { INITIAL_DOCS, INITIAL_TABLE, messageEvent, MOVED_TABLE } from '../impl/range-deletion/common.js';
import { configImpl, newConfigServer } from '../impl/range-deletion/config.js';
import type { ConfigEvent } from '../impl/range-deletion/config.js';
import type { DonorContext, DonorEvent } from '../impl/range-deletion/donor.js';
import { donorImpl, newDonor, recoverDonor } from '../impl/range-deletion/donor.js';
import type { RecipientContext, RecipientEvent } from '../impl/range-deletion/recipient.js';
import { newRecipient, recipientImpl } from '../impl/range-deletion/recipient.js';
import type { RdShardContext } from '../impl/range-deletion/shard.js';
import { coordinatorDoc, MAX_KEY, MIN_KEY, pendingTask } from '../impl/sharding/index.js';
import type { RangeDeletionTask } from '../impl/sharding/index.js';
import { acquire, metadataManager, versionOf } from '../impl/sharding/metadata-manager.js';
import type { Message, Status } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { clientMachine, configMachine, donorMachine, recipientMachine } from '../machines/range-deletion/index.js';
import type { RoleCase } from './role-samples.js';
import { RANGE_DELETION_BUGS } from './range-deletion.js';

const bugs = RANGE_DELETION_BUGS.map((b) => b.id);
const g: Gossip = { $clusterTime: 2, $configTime: 1, $topologyTime: 0 };
const reply = (id: string, from: string, to: string, status: Status, data: unknown, gossip: Gossip = g): Message => ({ kind: 'response', id, from, to, status, data, gossip });

// ------------------------------------------------------------------------------------------ client

const v1 = versionOf(INITIAL_TABLE);
const clientEvents: ClientEvent[] = [
  { type: 'SUBMIT' },
  { type: 'find', msg: reply('client0:find1', 'shard0', 'client0', 'ok', { cursor: 'client0:find1' }, { $clusterTime: 1 }) },
  { type: 'find', msg: reply('client0:find1', 'shard0', 'client0', 'NetworkError', null, { $clusterTime: 1 }) },
  { type: 'more', msg: reply('client0:more1', 'shard0', 'client0', 'ok', { ids: ['d0', 'd1'], version: v1 }, { $clusterTime: 2 }) },
  { type: 'more', msg: reply('client0:more1', 'shard0', 'client0', 'OperationFailed', null, { $clusterTime: 2 }) },
  { type: 'TIMEOUT' },
];

// ------------------------------------------------------------------------------------------ config

const configEvents: ConfigEvent[] = [
  messageEvent(request('shard0:refresh', 'shard0', 'config', { name: 'find', collection: 'config.chunks' }, g)),
  messageEvent(request('mig1:cfgcommit', 'shard0', 'config', { name: '_configsvrCommitChunkMigration', sessionId: 'mig1', chunk: 'C0', from: 'shard0', to: 'shard1' }, g)),
  messageEvent(request('mig1:cfgcommit', 'shard0', 'config', { name: '_configsvrCommitChunkMigration', sessionId: 'mig1', chunk: 'C0', from: 'shard1', to: 'shard0' }, g)),
];

// ---------------------------------------------------------------------------------- both shards

const getMore = (ctx: RdShardContext, from: string, n: string) => messageEvent(request(`${from}:more${n}`, from, ctx.host, { name: 'getMore', cursor: `${from}:find${n}` }, { $clusterTime: 1 }));

/**
 * The queries' events of a shard: a `getMore` for each open cursor (one for a cursor that is not
 * there when none is open), and a `find` (one query: delivered again, it opens no second cursor).
 */
function queryEvents(ctx: RdShardContext, client: string): { type: string; msg: Message }[] {
  const out = ctx.cursors.map((c) => getMore(ctx, c.from, c.id.slice(c.id.lastIndexOf('find') + 4)));
  if (out.length === 0) out.push(getMore(ctx, client, '9'));
  out.push(messageEvent(request(`${client}:find2`, client, ctx.host, { name: 'find', collection: 'test.coll' }, { $clusterTime: 1 })));
  return out;
}

const deleterEvents = [{ type: 'SECONDARY_DELAY' }, { type: 'DELETE_BATCH' }] as const;

/** An earlier migration's ready task over `[min, max)`, submitted, and a query holding the metadata that owns it. */
function withHeldTask<C extends RdShardContext>(ctx: C, task: RangeDeletionTask, table = ctx.metadata.current ?? INITIAL_TABLE): C {
  return {
    ...ctx,
    rangeDeletions: [...ctx.rangeDeletions, task],
    queue: [task.id],
    metadata: acquire(metadataManager(table)),
    cursors: [{ id: 'client0:find1', from: 'client0', version: versionOf(table) }],
  };
}

// ------------------------------------------------------------------------------------------ donor

const donorPool: DonorEvent[] = [
  { type: 'MOVE_CHUNK' },
  messageEvent(reply('mig1:start', 'shard1', 'shard0', 'ok', null)),
  messageEvent(reply('mig1:start', 'shard1', 'shard0', 'OperationFailed', null)),
  messageEvent(reply('mig1:commit', 'shard1', 'shard0', 'ok', null)),
  messageEvent(reply('mig1:commit', 'shard1', 'shard0', 'OperationFailed', null)),
  messageEvent(reply('mig1:cfgcommit', 'config', 'shard0', 'ok', MOVED_TABLE)),
  messageEvent(reply('mig1:cfgcommit', 'config', 'shard0', 'ConflictingOperationInProgress', INITIAL_TABLE)),
  messageEvent(reply('mig1:release', 'shard1', 'shard0', 'ok', null)),
  messageEvent(reply('mig1:abort', 'shard1', 'shard0', 'ok', null)),
  messageEvent(reply('shard0:refresh', 'config', 'shard0', 'ok', INITIAL_TABLE)),
  messageEvent(reply('shard0:refresh', 'config', 'shard0', 'ok', MOVED_TABLE)),
  ...deleterEvents,
  { type: 'TIMEOUT' },
];
const donorEvents: DonorEvent[] = [...donorPool, ...queryEvents(withHeldTask(newDonor(1), pendingTask('mig0', 3, MAX_KEY)), 'client0'), ...queryEvents(newDonor(1), 'client0')];
const donorPathEvents = (ctx: DonorContext): DonorEvent[] => [...donorPool, ...queryEvents(ctx, 'client0')];

const ready = (t: RangeDeletionTask): RangeDeletionTask => ({ ...t, pending: false });
/** A donor whose deleter holds an earlier migration's task of `C1`'s range back for a running query. */
const donorWithHeldTask = withHeldTask(newDonor(1), ready(pendingTask('mig0', 3, MAX_KEY)));
/** A donor restarted with a coordinator document and no decision: it recovers (and its deleter has a held task). */
const recoveringDonor: DonorContext = {
  ...withHeldTask(recoverDonor({ ...newDonor(0), migrations: 1, coordinator: coordinatorDoc('mig1', 'C0', MIN_KEY, 3, 'shard0', 'shard1'), rangeDeletions: [pendingTask('mig1', MIN_KEY, 3)] }, new Set()), ready(pendingTask('mig0', 3, MAX_KEY)), INITIAL_TABLE),
};

// -------------------------------------------------------------------------------------- recipient

const recipientPool: RecipientEvent[] = [
  messageEvent(request('mig1:start', 'shard0', 'shard1', { name: '_recvChunkStart', sessionId: 'mig1', chunk: 'C0', min: MIN_KEY, max: 3, from: 'shard0' }, g)),
  { type: 'CLONE', docs: INITIAL_DOCS },
  messageEvent(request('mig1:commit', 'shard0', 'shard1', { name: '_recvChunkCommit', sessionId: 'mig1' }, g)),
  messageEvent(request('mig1:abort', 'shard0', 'shard1', { name: '_recvChunkAbort', sessionId: 'mig1' }, g)),
  messageEvent(request('mig1:release', 'shard0', 'shard1', { name: 'deleteRangeDeletionTask', sessionId: 'mig1' }, g)),
  messageEvent(reply('shard1:refresh', 'config', 'shard1', 'ok', MOVED_TABLE)),
  ...deleterEvents,
];
const recipientPathEvents = (ctx: RecipientContext): RecipientEvent[] => [...recipientPool, ...queryEvents(ctx, 'client1')];
/** A recipient that owns `C0` (the migration committed) with a task over it held back by a running query. */
const recipientWithHeldTask: RecipientContext = withHeldTask(newRecipient(false), ready(pendingTask('mig0', MIN_KEY, 3)), MOVED_TABLE);
/** A recipient with an earlier migration's task over `C0` still pending (its outcome not yet known): an incoming migration waits in `waitingForOverlap` while the deleter is idle. */
const recipientWithPendingTask: RecipientContext = { ...newRecipient(false), rangeDeletions: [pendingTask('mig0', MIN_KEY, 3)] };
const recipientEvents: RecipientEvent[] = [...recipientPool, ...queryEvents(recipientWithHeldTask, 'client1'), ...queryEvents(newRecipient(true), 'client1')];

const firstClient: ClientContext = newClient('client0', 'shard0', 1);

/** The range-deletion model's role cases. */
export const RANGE_DELETION_ROLE_CASES: readonly RoleCase[] = [
  { model: 'range-deletion', role: 'client', machine: clientMachine, implement: () => clientImpl(), bugs, initialContexts: [firstClient, newClient('client0', 'shard0', 2)], events: clientEvents },
  { model: 'range-deletion', role: 'config', machine: configMachine, implement: configImpl, bugs, initialContexts: [newConfigServer(), newConfigServer(MOVED_TABLE)], events: configEvents },
  {
    model: 'range-deletion',
    role: 'donor',
    machine: donorMachine,
    implement: donorImpl,
    bugs,
    initialContexts: [newDonor(1), donorWithHeldTask, recoveringDonor],
    events: donorEvents,
    pathEventsOf: donorPathEvents,
    pathsFromEveryContext: true,
    keyStatesBySnapshot: true,
    simplePathsOverConfigurations: true,
  },
  {
    model: 'range-deletion',
    role: 'recipient',
    machine: recipientMachine,
    implement: recipientImpl,
    bugs,
    initialContexts: [newRecipient(true), recipientWithHeldTask, recipientWithPendingTask],
    events: recipientEvents,
    pathEventsOf: recipientPathEvents,
    pathsFromEveryContext: true,
    keyStatesBySnapshot: true,
    simplePathsOverConfigurations: true,
  },
];
