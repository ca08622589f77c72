/**
 * Orphaned range deletion and orphan filtering (DESIGN § 4.5; seed 003, "Orphaned range deletion",
 * "Orphan filtering", and the migration coordinator of "Migrations"): the migration coordinator on
 * the donor persists its document and the donor's pending range-deletion task; the recipient waits
 * for overlapping range deletions, then persists its own pending task before cloning; the decision
 * is recorded; the commit sequence deletes the recipient's task and marks the donor's ready and
 * submits it, the abort sequence deletes the donor's and has the recipient mark its own ready and
 * submit it; the coordinator document is deleted. Each shard's single-threaded range deleter waits
 * until no running query uses metadata under which its shard owns the range, then for the
 * secondaries' delay, deletes the range in batches, then deletes the task. Long-running queries
 * hold the filtering metadata they started with (older versions are reference-counted) and filter
 * out orphans with it.
 *
 * The migration's own steps (cloning, catching up, the critical section) are the migration model's:
 * here the clone is one environment step, and the balancer's `moveChunk` is an environment event
 * with a budget. An earlier aborted migration may have left an orphan and a ready task on the
 * recipient (`leftover`), so the recipient has an overlapping deletion to wait for.
 *
 * Faults: the messages between the donor and the recipient may be lost; the coordinator's sequence
 * steps (`deleteRangeDeletionTask`, `_recvChunkAbort`), which it retries, may be duplicated; either
 * shard may crash and restart (durable documents and task documents kept; filtering metadata,
 * cursors, sessions and the deleter's queue lost; a crash closes its connections); every internal
 * message gossips the vector clock.
 *
 * @module
 */
import type { Model, ModelDefinition, Size, StepInvariant } from '../checker/model.js';
import { toTimestamp, vectorTimeView } from '../impl/logical-time.js';
import type { ClientContext, ClientEvent } from '../impl/range-deletion/client.js';
import { clientImpl, findId, moreId, newClient } from '../impl/range-deletion/client.js';
import type { Bugs } from '../impl/range-deletion/common.js';
import { clientName, CONFIG, DONOR, messageEvent, RECIPIENT } from '../impl/range-deletion/common.js';
import type { ConfigContext, ConfigEvent } from '../impl/range-deletion/config.js';
import { configImpl, newConfigServer } from '../impl/range-deletion/config.js';
import type { DonorContext, DonorEvent } from '../impl/range-deletion/donor.js';
import { abortId, commitId, donorImpl, migrationId, newDonor, recoverDonor, releaseId, startId } from '../impl/range-deletion/donor.js';
import type { RecipientContext, RecipientEvent } from '../impl/range-deletion/recipient.js';
import { newRecipient, recipientImpl, recoverRecipient } from '../impl/range-deletion/recipient.js';
import type { RdShardContext } from '../impl/range-deletion/shard.js';
import { docsInRange, formatDocs, formatTable, formatVersion } from '../impl/sharding/index.js';
import type { Message } from '../impl/world/network.js';
import type { RangeDeletionState } from '../invariants/range-deletion.js';
import { quiescent, rdClean, rdNoOrphansReturned, rdPendingKept, rdQuerySafe, vcMonotone, vcOrder } from '../invariants/range-deletion.js';
import { compileRole } from '../machines/compile.js';
import { clientMachine, configMachine, donorMachine, recipientMachine } from '../machines/range-deletion/index.js';
import type { Host, WorldAction } from './world.js';
import { describeMessage, describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';
import { closeConnections as closeConnectionsOf, faultFilter, inFlight, possibleKinds, replaceAt, requestsNamed } from './world-helpers.js';

export type { RangeDeletionState } from '../invariants/range-deletion.js';

/** The environment's steps besides the world's deliveries and faults. */
export type RangeDeletionAction =
  | WorldAction
  | { readonly kind: 'Submit'; readonly client: number }
  | { readonly kind: 'MoveChunk' }
  | { readonly kind: 'Clone' }
  | { readonly kind: 'SecondaryDelay'; readonly host: string }
  | { readonly kind: 'DeleteBatch'; readonly host: string }
  | { readonly kind: 'Timeout'; readonly host: string };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'Submit', 'MoveChunk', 'Clone', 'SecondaryDelay', 'DeleteBatch', 'Timeout'] as const;

export const RANGE_DELETION_BUGS = [
  {
    id: 'no-wait-for-queries',
    breaks: 'RD-QUERY-SAFE',
    description: "the range deleter does not wait for the queries that hold older metadata: a query that started before the commit loses the moved documents it must still see",
  },
  {
    id: 'no-orphan-filter',
    breaks: 'RD-NO-ORPHANS-RETURNED',
    description: 'queries do not filter orphans with their metadata: the recipient returns the documents of a range it does not own',
  },
  {
    id: 'delete-pending-range',
    breaks: 'RD-PENDING-KEPT',
    description: 'a restarted shard resubmits every task of config.rangeDeletions to its range deleter, pending ones too: the donor deletes the range of a migration still in flight',
  },
  {
    id: 'recipient-no-wait-overlapping',
    breaks: 'RD-PENDING-KEPT',
    description: "the recipient does not wait for an overlapping range deletion before it persists its task and clones: the old task's deleter deletes the range of the new, pending migration (its newly migrated documents)",
  },
  {
    id: 'no-resubmit-on-restart',
    breaks: 'RD-CLEAN',
    description: 'a restarted shard does not resubmit its ready tasks: their orphans and task documents remain for ever',
  },
  {
    id: 'restart-forgets-clock',
    breaks: 'VC-MONOTONE',
    description: 'a restarted shard recovers ClusterTime from its oplog and forgets the rest of its vector time',
  },
  {
    id: 'gossip-config-without-cluster',
    breaks: 'VC-ORDER',
    description: 'receiving gossip advances ConfigTime and TopologyTime but not ClusterTime',
  },
] as const;

/** The role charts compiled against their implementations for a set of bugs. */
export function rangeDeletionRoles(bugs: Bugs = new Set()) {
  return {
    client: compileRole<ClientContext, ClientEvent, Message>('client', clientMachine, clientImpl()),
    config: compileRole<ConfigContext, ConfigEvent, Message>('config', configMachine, configImpl(bugs)),
    donor: compileRole<DonorContext, DonorEvent, Message>('donor', donorMachine, donorImpl(bugs)),
    recipient: compileRole<RecipientContext, RecipientEvent, Message>('recipient', recipientMachine, recipientImpl(bugs)),
  };
}

type S = RangeDeletionState;

/** The messages the network may lose: those between the donor and the recipient. */
export function isLossy(m: Message): boolean {
  return (m.from === DONOR && m.to === RECIPIENT) || (m.from === RECIPIENT && m.to === DONOR);
}

/** The messages the network may duplicate: the coordinator's sequence steps, which it retries and the recipient applies idempotently. */
export const isDuplicable: (m: Message) => boolean = requestsNamed(['deleteRangeDeletionTask', '_recvChunkAbort']);

const faultAllowed = faultFilter(isLossy, isDuplicable);

/** Build the model for a size (`queries`, `moves`, `leftover`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function rangeDeletionModel(size: Size, bugs: Bugs = new Set()): Model<S, RangeDeletionAction> {
  const roles = rangeDeletionRoles(bugs);
  const queries = size['queries'] ?? 1;
  const make = (s: S, patch: Partial<S>): S => ({
    clients: patch.clients ?? s.clients,
    config: patch.config ?? s.config,
    donor: patch.donor ?? s.donor,
    recipient: patch.recipient ?? s.recipient,
    net: patch.net ?? s.net,
    faults: patch.faults ?? s.faults,
  });
  // One query client per shard.
  const targets = [DONOR, RECIPIENT];
  const clients = targets.map((_, i) => clientName(i));
  const hosts: Host<S>[] = [
    ...clients.map((name, i): Host<S, ClientContext, ClientEvent> => ({ name, chart: roles.client, get: (s) => s.clients[i]!, set: (s, snap) => make(s, { clients: replaceAt(s.clients, i, snap) }) })),
    { name: CONFIG, chart: roles.config, get: (s) => s.config, set: (s, snap) => make(s, { config: snap }) } as Host<S, ConfigContext, ConfigEvent>,
    { name: DONOR, chart: roles.donor, get: (s) => s.donor, set: (s, snap) => make(s, { donor: snap }), recover: (ctx) => recoverDonor(ctx, bugs) } as Host<S, DonorContext, DonorEvent>,
    { name: RECIPIENT, chart: roles.recipient, get: (s) => s.recipient, set: (s, snap) => make(s, { recipient: snap }), recover: (ctx) => recoverRecipient(ctx, bugs) } as Host<S, RecipientContext, RecipientEvent>,
  ];
  const world = new World<S>(hosts, faultBounds(size), (s, net, faults) => make(s, { net, faults }));

  const submits = clients.map((_, i): RangeDeletionAction => ({ kind: 'Submit', client: i }));
  const moveChunk: RangeDeletionAction = { kind: 'MoveChunk' };
  const clone: RangeDeletionAction = { kind: 'Clone' };
  const shardHosts = [DONOR, RECIPIENT];
  const delays = shardHosts.map((host): RangeDeletionAction => ({ kind: 'SecondaryDelay', host }));
  const batches = shardHosts.map((host): RangeDeletionAction => ({ kind: 'DeleteBatch', host }));
  const timeoutHosts = [...clients, DONOR];
  const timeouts = timeoutHosts.map((host): RangeDeletionAction => ({ kind: 'Timeout', host }));
  const SUBMIT: ClientEvent = { type: 'SUBMIT' };
  const TIMEOUT = { type: 'TIMEOUT' } as const;
  const MOVE_CHUNK = { type: 'MOVE_CHUNK' } as const;
  const SECONDARY_DELAY = { type: 'SECONDARY_DELAY' } as const;
  const DELETE_BATCH = { type: 'DELETE_BATCH' } as const;

  const clientIdle = roles.client.indexOf('idle');
  const clientOpening = roles.client.indexOf('opening');
  const clientOpen = roles.client.indexOf('open');
  const configsWhere = (role: { configs: readonly { name: string }[] }, leaf: string): ReadonlySet<number> =>
    new Set(role.configs.flatMap((c, i) => (c.name.split(', ').includes(leaf) ? [i] : [])));
  const donorIdle = new Set([...configsWhere(roles.donor, 'coordinator.idle')].filter((i) => configsWhere(roles.donor, 'deleter.idle').has(i)));
  const recipientIdle = new Set([...configsWhere(roles.recipient, 'migration.idle')].filter((i) => configsWhere(roles.recipient, 'deleter.idle').has(i)));
  const waitingForSecondaries = [configsWhere(roles.donor, 'deleter.waitingForSecondaries'), configsWhere(roles.recipient, 'deleter.waitingForSecondaries')];
  const deleting = [configsWhere(roles.donor, 'deleter.deleting'), configsWhere(roles.recipient, 'deleter.deleting')];
  const recipientCloning = configsWhere(roles.recipient, 'migration.cloning');
  const donorAwaits: readonly [ReadonlySet<number>, (c: DonorContext) => string][] = [
    [configsWhere(roles.donor, 'coordinator.starting'), (c) => startId(migrationId(c))],
    [configsWhere(roles.donor, 'coordinator.cloning'), (c) => commitId(migrationId(c))],
    [configsWhere(roles.donor, 'coordinator.committing'), (c) => releaseId(migrationId(c))],
    [configsWhere(roles.donor, 'coordinator.aborting'), (c) => abortId(migrationId(c))],
  ];
  const isQuiescent = (s: S) => quiescent(s, { clientIdle, donorIdle: (at) => donorIdle.has(at), recipientIdle: (at) => recipientIdle.has(at) });

  const shardOf = (s: S, host: string): RdShardContext => (host === DONOR ? s.donor.ctx : s.recipient.ctx);

  /** A timeout fires only when what its host waits for can no longer come: nothing of its exchange is in flight or held anywhere. */
  const timeoutEnabled = (s: S, host: string): boolean => {
    if (host === DONOR) {
      const entry = donorAwaits.find(([at]) => at.has(s.donor.at));
      if (entry === undefined) return false;
      const id = entry[1](s.donor.ctx);
      const held = s.recipient.ctx.session;
      return !inFlight(s.net, id) && held?.start?.id !== id && held?.commit?.id !== id;
    }
    const i = clients.indexOf(host);
    const c = s.clients[i]!;
    if (c.at !== clientOpening && c.at !== clientOpen) return false;
    const sh = shardOf(s, c.ctx.shard);
    if (c.at === clientOpening) {
      const id = findId(c.ctx.name, c.ctx.count);
      return !inFlight(s.net, id) && !sh.heldFinds.some((h) => h.id === id);
    }
    return !inFlight(s.net, moreId(c.ctx.name, c.ctx.count));
  };

  /** A crash resets the host's connections: every message in flight to or from it is gone. */
  const closeConnections = (s: S, host: string): S => closeConnectionsOf(s, host, (s, net) => make(s, { net }));

  const initial: S = {
    clients: clients.map((name, i) => roles.client.initial(newClient(name, targets[i]!, queries))),
    config: roles.config.initial(newConfigServer()),
    donor: roles.donor.initial(newDonor(size['moves'] ?? 1)),
    recipient: roles.recipient.initial(newRecipient((size['leftover'] ?? 1) > 0)),
    net: [],
    faults: NO_FAULTS,
  };

  return {
    actionKinds: possibleKinds(ACTION_KINDS, world.bounds),
    invariants: [rdQuerySafe, rdNoOrphansReturned, rdClean(isQuiescent), vcOrder],
    stepInvariants: [rdPendingKept, vcMonotone] as StepInvariant<S, RangeDeletionAction>[],
    init: () => [initial],

    actions(s, out) {
      const worldActions: WorldAction[] = [];
      world.actions(s, worldActions);
      for (const a of worldActions) if (faultAllowed(a)) out.push(a);
      s.clients.forEach((c, i) => {
        if (c.at === clientIdle && c.ctx.queriesLeft > 0) out.push(submits[i]!);
      });
      if (s.donor.ctx.movesLeft > 0) out.push(moveChunk);
      if (recipientCloning.has(s.recipient.at)) out.push(clone);
      const ats = [s.donor.at, s.recipient.at];
      for (let i = 0; i < 2; i++) {
        if (waitingForSecondaries[i]!.has(ats[i]!)) out.push(delays[i]!);
        if (deleting[i]!.has(ats[i]!)) out.push(batches[i]!);
      }
      timeoutHosts.forEach((h, i) => {
        if (timeoutEnabled(s, h)) out.push(timeouts[i]!);
      });
    },

    next(s, a) {
      switch (a.kind) {
        case 'Deliver':
          return world.next(s, a, messageEvent);
        case 'Lose':
        case 'Duplicate':
          return faultAllowed(a) ? world.next(s, a, messageEvent) : undefined;
        case 'Crash': {
          const after = world.next(s, a, messageEvent);
          return after === undefined ? undefined : closeConnections(after, a.host);
        }
        case 'Submit':
          return world.step(s, clients[a.client]!, SUBMIT);
        case 'MoveChunk':
          return world.step(s, DONOR, MOVE_CHUNK);
        case 'Clone': {
          // The migration's cloning: the chunk's documents on the donor, copied to the recipient.
          const session = s.recipient.ctx.session;
          if (session === null) return undefined;
          const event: RecipientEvent = { type: 'CLONE', docs: docsInRange(s.donor.ctx.docs, session.min, session.max) };
          return world.step(s, RECIPIENT, event);
        }
        case 'SecondaryDelay':
          return world.step(s, a.host, SECONDARY_DELAY);
        case 'DeleteBatch':
          return world.step(s, a.host, DELETE_BATCH);
        case 'Timeout':
          return timeoutEnabled(s, a.host) ? world.step(s, a.host, TIMEOUT) : undefined;
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
          return `Submit(${clients[a.client]!})`;
        case 'MoveChunk':
          return 'MoveChunk';
        case 'Clone':
          return 'Clone';
        case 'SecondaryDelay':
        case 'DeleteBatch':
        case 'Timeout':
          return `${a.kind}(${a.host})`;
      }
    },

    view: (s) => viewOf(s, roles),

    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

/** The per-role view of a state in traces. */
function viewOf(s: S, roles: ReturnType<typeof rangeDeletionRoles>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const c of s.clients) {
    view[c.ctx.name] = {
      state: roles.client.configs[c.at]!.name,
      shard: c.ctx.shard,
      queriesLeft: c.ctx.queriesLeft,
      returned: c.ctx.returned.map((r) => `${r.shard} @${formatVersion(r.version)}: [${r.ids.join(', ')}]`),
      clusterTime: toTimestamp(c.ctx.clusterTime),
    };
  }
  view[CONFIG] = { state: roles.config.configs[s.config.at]!.name, ...vectorTimeView(s.config.ctx.clock), table: formatTable(s.config.ctx.table) };
  const shardView = (sh: RdShardContext) => ({
    ...vectorTimeView(sh.clock),
    docs: formatDocs(sh.docs),
    metadata: sh.metadata.current === null ? null : formatTable(sh.metadata.current),
    olderMetadata: sh.metadata.older.map((o) => `${formatTable(o.table).join('; ')} refs=${o.refs}`),
    cursors: sh.cursors.map((c) => `${c.id} @${formatVersion(c.version)}`),
    heldFinds: sh.heldFinds.map((h) => h.id),
    'config.rangeDeletions': sh.rangeDeletions,
    deleterQueue: sh.queue,
  });
  view[DONOR] = { state: roles.donor.configs[s.donor.at]!.name, ...shardView(s.donor.ctx), 'config.migrationCoordinators': s.donor.ctx.coordinator, movesLeft: s.donor.ctx.movesLeft };
  view[RECIPIENT] = { state: roles.recipient.configs[s.recipient.at]!.name, ...shardView(s.recipient.ctx), session: s.recipient.ctx.session };
  view['network'] = s.net.map(describeMessage);
  return view;
}

export const rangeDeletion: ModelDefinition = {
  name: 'range-deletion',
  summary: "orphaned range deletion and orphan filtering: the migration coordinator's documents, decision and sequences, range-deletion tasks, single-threaded range deleters, long-running queries on reference-counted metadata, crashes of either shard",
  sizeParams: {
    queries: { description: 'queries of each client (one client per shard)', min: 0, max: 2 },
    moves: { description: 'moveChunk requests the balancer may send', min: 0, max: 2 },
    leftover: { description: 'whether an earlier aborted migration left an orphan and a ready task on the recipient (1) or not (0)', min: 0, max: 1 },
    ...FAULT_SIZE_PARAMS,
  },
  sizes: {
    default: { queries: 1, moves: 1, leftover: 1, maxLoss: 1, maxDup: 1, maxCrashes: 1 },
    large: { queries: 1, moves: 1, leftover: 1, maxLoss: 1, maxDup: 1, maxCrashes: 2 },
  },
  invariants: [rdQuerySafe, rdNoOrphansReturned, rdPendingKept, rdClean(() => false), vcOrder, vcMonotone].map(({ id, description }) => ({ id, description })),
  bugs: RANGE_DELETION_BUGS,
  roles: [
    { name: 'client', summary: 'a long-running query: opens a cursor on its shard with the current filtering metadata, later fetches its filtered batch', machine: clientMachine, viewKeys: (k) => /^client\d+$/.test(k) },
    { name: 'config', summary: 'the config server: the routing table, served to refreshing shards; _configsvrCommitChunkMigration', machine: configMachine },
    { name: 'donor', summary: "the donor shard: the migration coordinator (document, pending task, decision, commit and abort sequences, recovery), its range deleter, its queries", machine: donorMachine, viewKeys: (k) => k === DONOR },
    { name: 'recipient', summary: 'the recipient shard: waits for overlapping deletions, its pending task before cloning, the sequences\' steps, its range deleter, its queries', machine: recipientMachine, viewKeys: (k) => k === RECIPIENT },
  ],
  build: (size, bugs) => rangeDeletionModel(size, bugs) as unknown as Model,
};
