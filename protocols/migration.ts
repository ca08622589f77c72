/**
 * Live chunk migration (DESIGN § 4.4; seed 003, "Shard versioning and database versioning",
 * "Migrations"): clients inserting into and reading from a chunk through routers with cached
 * routing tables, while the balancer moves the chunk from the donor shard to the recipient shard
 * with the seed's seven steps — registration in the active-migrations registry, `_recvChunkStart`,
 * cloning by `_migrateClone`, `_transferMods`, `_recvChunkStatus` polled until steady, the critical
 * section (writes held, recovery document persisted), `_recvChunkCommit` with the last
 * `_transferMods`, reads held, and `_configsvrCommitChunkMigration`, which bumps the moved chunk's
 * and the control chunk's versions. Routers that are stale get a stale-version error, refresh and
 * retry. The decision is persisted in the coordinator document, followed by the commit or abort
 * sequence on both shards' range-deletion tasks; the range deleter itself (the range-deletion
 * model) is one environment step here.
 *
 * Faults: the messages between the donor and the recipient, and the balancer's `moveChunk`, may be
 * lost; the requests that their senders retry may be duplicated; the donor may crash and restart at any point (it recovers from its persisted
 * documents; a crash resets its connections, so what was in flight to or from it is gone); every
 * internal message gossips the vector clock.
 *
 * @module
 */
import type { Model, ModelDefinition, Size, StepInvariant } from '../checker/model.js';
import { toTimestamp, vectorTimeView } from '../impl/logical-time.js';
import type { ClientContext, ClientEvent } from '../impl/migration/client.js';
import { clientImpl, clientOpId, newClient } from '../impl/migration/client.js';
import type { Bugs } from '../impl/migration/common.js';
import { clientName, CONFIG, DONOR, INITIAL_TABLE, messageEvent, RECIPIENT, routerName } from '../impl/migration/common.js';
import type { ConfigContext, ConfigEvent } from '../impl/migration/config.js';
import { configImpl, newConfigServer } from '../impl/migration/config.js';
import type { DonorContext, DonorEvent } from '../impl/migration/donor.js';
import { abortId, commitId, donorImpl, migrationId, newDonor, recoverDonor, releaseId, startId, statusId } from '../impl/migration/donor.js';
import type { RecipientContext, RecipientEvent } from '../impl/migration/recipient.js';
import { cloneId, modsId, newRecipient, recipientImpl } from '../impl/migration/recipient.js';
import type { RouterContext, RouterEvent } from '../impl/migration/router.js';
import { newRouter, routerImpl, tryId } from '../impl/migration/router.js';
import { formatDocs, formatTable, readyTask } from '../impl/sharding/index.js';
import type { Message } from '../impl/world/network.js';
import type { MigrationState } from '../invariants/migration.js';
import { mgNoLostWrite, mgNoWriteInCriticalSection, mgOwner, mgSingle, vcMonotone, vcOrder } from '../invariants/migration.js';
import { compileRole } from '../machines/compile.js';
import { clientMachine, configMachine, donorMachine, recipientMachine, routerMachine } from '../machines/migration/index.js';
import type { Host, WorldAction } from './world.js';
import { describeMessage, describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';
import { closeConnections as closeConnectionsOf, faultFilter, inFlight, possibleKinds, replaceAt, requestsNamed } from './world-helpers.js';

export type { MigrationState } from '../invariants/migration.js';

/** The environment's steps besides the world's deliveries and faults. */
export type MigrationAction =
  | WorldAction
  | { readonly kind: 'Submit'; readonly client: number }
  | { readonly kind: 'Balance' }
  | { readonly kind: 'Timeout'; readonly host: string }
  | { readonly kind: 'DeleteRange'; readonly host: string };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'Submit', 'Balance', 'Timeout', 'DeleteRange'] as const;

export const MIGRATION_BUGS = [
  {
    id: 'no-registry-check',
    breaks: 'MG-SINGLE',
    description: 'the donor registers every moveChunk in the active-migrations registry, without checking for a migration in flight (a duplicated moveChunk starts a second one instead of joining)',
  },
  {
    id: 'no-critical-section',
    breaks: 'MG-NO-WRITE-IN-CRITICAL-SECTION',
    description: 'the critical section does not block writes: the donor keeps accepting writes to the chunk after the last _transferMods',
  },
  {
    id: 'skip-transfer-mods',
    breaks: 'MG-NO-LOST-WRITE',
    description: 'the recipient skips _transferMods: steady as soon as the clone is done, and it commits without fetching the modifications, so writes that landed during the clone are lost',
  },
  {
    id: 'commit-without-version-bump',
    breaks: 'MG-OWNER',
    description: '_configsvrCommitChunkMigration moves the chunk to the recipient without bumping any version',
  },
  {
    id: 'control-chunk-not-bumped',
    breaks: 'MG-NO-LOST-WRITE',
    description: "the commit bumps the moved chunk's major version but not the control chunk's: the donor's shard version does not change, so a stale router's write to the moved chunk is accepted by the old owner",
  },
  {
    id: 'donor-restart-forgets-clock',
    breaks: 'VC-MONOTONE',
    description: 'a restarted donor recovers ClusterTime from its oplog and forgets the rest of its vector time',
  },
  {
    id: 'gossip-config-without-cluster',
    breaks: 'VC-ORDER',
    description: 'receiving gossip advances ConfigTime and TopologyTime but not ClusterTime',
  },
] as const;

/** The role charts compiled against their implementations for a set of bugs. */
export function migrationRoles(bugs: Bugs = new Set()) {
  return {
    client: compileRole<ClientContext, ClientEvent, Message>('client', clientMachine, clientImpl()),
    router: compileRole<RouterContext, RouterEvent, Message>('router', routerMachine, routerImpl(bugs)),
    config: compileRole<ConfigContext, ConfigEvent, Message>('config', configMachine, configImpl(bugs)),
    donor: compileRole<DonorContext, DonorEvent, Message>('donor', donorMachine, donorImpl(bugs)),
    recipient: compileRole<RecipientContext, RecipientEvent, Message>('recipient', recipientMachine, recipientImpl(bugs)),
  };
}

type S = MigrationState;

/** The messages the network may lose: those between the donor and the recipient, and the balancer's moveChunk and its reply. */
export function isLossy(m: Message): boolean {
  if ((m.from === DONOR && m.to === RECIPIENT) || (m.from === RECIPIENT && m.to === DONOR)) return true;
  return m.id.startsWith(`${CONFIG}:move`);
}

/**
 * The messages the network may duplicate: requests that their senders retry in the real system,
 * which must therefore be idempotent — the balancer's `moveChunk` (a retry joins the migration in
 * flight), the donor's `_recvChunkStatus` polls, and the two steps of the decision's sequences
 * (`_recvChunkAbort`, `deleteRangeDeletionTask`). `_migrateClone` and `_transferMods` are not
 * retried (their reads are destructive: any error fails the migration), so they are not duplicated.
 */
export const isDuplicable: (m: Message) => boolean = requestsNamed(['moveChunk', '_recvChunkStatus', '_recvChunkAbort', 'deleteRangeDeletionTask']);

const faultAllowed = faultFilter(isLossy, isDuplicable);

/** Build the model for a size (`routers`, `inserts`, `finds`, `moves`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function migrationModel(size: Size, bugs: Bugs = new Set()): Model<S, MigrationAction> {
  const roles = migrationRoles(bugs);
  const routerCount = size['routers'] ?? 1;
  const make = (s: S, patch: Partial<S>): S => ({
    clients: patch.clients ?? s.clients,
    routers: patch.routers ?? s.routers,
    config: patch.config ?? s.config,
    donor: patch.donor ?? s.donor,
    recipient: patch.recipient ?? s.recipient,
    net: patch.net ?? s.net,
    faults: patch.faults ?? s.faults,
  });
  const clients = Array.from({ length: routerCount }, (_, i) => clientName(i));
  const routers = Array.from({ length: routerCount }, (_, i) => routerName(i));
  const hosts: Host<S>[] = [
    ...clients.map((name, i): Host<S, ClientContext, ClientEvent> => ({ name, chart: roles.client, get: (s) => s.clients[i]!, set: (s, snap) => make(s, { clients: replaceAt(s.clients, i, snap) }) })),
    ...routers.map((name, i): Host<S, RouterContext, RouterEvent> => ({ name, chart: roles.router, get: (s) => s.routers[i]!, set: (s, snap) => make(s, { routers: replaceAt(s.routers, i, snap) }) })),
    { name: CONFIG, chart: roles.config, get: (s) => s.config, set: (s, snap) => make(s, { config: snap }) } as Host<S, ConfigContext, ConfigEvent>,
    { name: DONOR, chart: roles.donor, get: (s) => s.donor, set: (s, snap) => make(s, { donor: snap }), recover: (ctx) => recoverDonor(ctx, bugs) } as Host<S, DonorContext, DonorEvent>,
    { name: RECIPIENT, chart: roles.recipient, get: (s) => s.recipient, set: (s, snap) => make(s, { recipient: snap }) } as Host<S, RecipientContext, RecipientEvent>,
  ];
  const world = new World<S>(hosts, faultBounds(size), (s, net, faults) => make(s, { net, faults }));

  const submits = clients.map((_, i): MigrationAction => ({ kind: 'Submit', client: i }));
  const balance: MigrationAction = { kind: 'Balance' };
  const timeoutHosts = [...clients, ...routers, DONOR, RECIPIENT];
  const timeouts = timeoutHosts.map((host): MigrationAction => ({ kind: 'Timeout', host }));
  const deleteRanges = [DONOR, RECIPIENT].map((host): MigrationAction => ({ kind: 'DeleteRange', host }));
  const SUBMIT: ClientEvent = { type: 'SUBMIT' };
  const TIMEOUT = { type: 'TIMEOUT' } as const;
  const BALANCE: ConfigEvent = { type: 'BALANCE' };
  const DELETE_RANGE = { type: 'DELETE_RANGE' } as const;
  const clientWaiting = roles.client.indexOf('waiting');
  const routerRouting = roles.router.indexOf('routing');
  const donorAt = (name: string) => roles.donor.indexOf(name);
  const donorAwaits = new Map<number, (c: DonorContext) => string>([
    [donorAt('migrating.starting'), (c) => startId(migrationId(c))],
    [donorAt('migrating.cloning'), (c) => statusId(migrationId(c))],
    [donorAt('migrating.criticalSection'), (c) => commitId(migrationId(c))],
    [donorAt('committed'), (c) => releaseId(migrationId(c))],
    [donorAt('aborting'), (c) => abortId(migrationId(c))],
  ]);
  const recipientAt = (name: string) => roles.recipient.indexOf(name);
  const recipientAwaits = new Map<number, (c: RecipientContext) => string>([
    [recipientAt('cloning'), (c) => (c.session === null ? '' : cloneId(c.session))],
    [recipientAt('catchup'), (c) => (c.session === null ? '' : modsId(c.session))],
    [recipientAt('committing'), (c) => (c.session === null ? '' : modsId(c.session))],
  ]);
  const clientIndex = new Map(clients.map((c, i) => [c, i]));
  const routerIndex = new Map(routers.map((r, i) => [r, i]));

  const heldBy = (s: S, id: string): boolean => s.donor.ctx.held.some((h) => h.req.id === id) || s.recipient.ctx.held.some((h) => h.req.id === id);

  /** A timeout fires only when what its host waits for can no longer come: nothing of its exchange is in flight or held anywhere. */
  const timeoutEnabled = (s: S, host: string): boolean => {
    const ci = clientIndex.get(host);
    if (ci !== undefined) {
      const c = s.clients[ci]!;
      if (c.at !== clientWaiting) return false;
      const op = clientOpId(c.ctx.name, c.ctx.opCount);
      return !inFlight(s.net, op) && s.routers[ci]!.ctx.conn?.op !== op;
    }
    const ri = routerIndex.get(host);
    if (ri !== undefined) {
      const r = s.routers[ri]!;
      if (r.at !== routerRouting) return false;
      const id = tryId(r.ctx);
      return !inFlight(s.net, id) && !heldBy(s, id);
    }
    if (host === DONOR) {
      const awaited = donorAwaits.get(s.donor.at);
      if (awaited === undefined) return false;
      const id = awaited(s.donor.ctx);
      const held = s.recipient.ctx.session;
      return !inFlight(s.net, id) && held?.commit?.id !== id && held?.statusWaiter?.id !== id;
    }
    const awaited = recipientAwaits.get(s.recipient.at);
    return awaited !== undefined && !inFlight(s.net, awaited(s.recipient.ctx));
  };

  /** A crash resets the host's connections: every message in flight to or from it is gone. */
  const closeConnections = (s: S, host: string): S => closeConnectionsOf(s, host, (s, net) => make(s, { net }));

  const initial: S = {
    clients: clients.map((name, i) => roles.client.initial(newClient(name, routers[i]!, size['inserts'] ?? 1, size['finds'] ?? 0))),
    routers: routers.map((name) => roles.router.initial(newRouter(name, INITIAL_TABLE))),
    config: roles.config.initial(newConfigServer(size['moves'] ?? 1)),
    donor: roles.donor.initial(newDonor()),
    recipient: roles.recipient.initial(newRecipient()),
    net: [],
    faults: NO_FAULTS,
  };

  return {
    actionKinds: possibleKinds(ACTION_KINDS, world.bounds),
    invariants: [mgSingle, mgNoLostWrite, vcOrder],
    stepInvariants: [mgOwner, mgNoWriteInCriticalSection, vcMonotone] as StepInvariant<S, MigrationAction>[],
    init: () => [initial],

    actions(s, out) {
      const worldActions: WorldAction[] = [];
      world.actions(s, worldActions);
      for (const a of worldActions) if (faultAllowed(a)) out.push(a);
      s.clients.forEach((c, i) => {
        if (c.at !== clientWaiting && c.ctx.ops.length > 0) out.push(submits[i]!);
      });
      if (s.config.ctx.movesLeft > 0) out.push(balance);
      timeoutHosts.forEach((h, i) => {
        if (timeoutEnabled(s, h)) out.push(timeouts[i]!);
      });
      if (readyTask(s.donor.ctx.rangeDeletions) !== undefined) out.push(deleteRanges[0]!);
      if (readyTask(s.recipient.ctx.rangeDeletions) !== undefined) out.push(deleteRanges[1]!);
    },

    next(s, a) {
      switch (a.kind) {
        case 'Deliver':
          return world.next(s, a, messageEvent);
        case 'Lose':
        case 'Duplicate':
          return faultAllowed(a) ? world.next(s, a, messageEvent) : undefined;
        case 'Crash':
          // The connections close first: what the restarted donor sends while it recovers goes out on new ones.
          return s.faults.crashes < world.bounds.maxCrashes ? world.next(closeConnections(s, a.host), a, messageEvent) : undefined;
        case 'Submit':
          return world.step(s, clients[a.client]!, SUBMIT);
        case 'Balance':
          return world.step(s, CONFIG, BALANCE);
        case 'Timeout':
          return timeoutEnabled(s, a.host) ? world.step(s, a.host, TIMEOUT) : undefined;
        case 'DeleteRange':
          return world.step(s, a.host, DELETE_RANGE);
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
        case 'Balance':
          return 'Balance';
        case 'Timeout':
        case 'DeleteRange':
          return `${a.kind}(${a.host})`;
      }
    },

    view: (s) => viewOf(s, roles),

    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

/** The per-role view of a state in traces. */
function viewOf(s: S, roles: ReturnType<typeof migrationRoles>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const c of s.clients) view[c.ctx.name] = { state: roles.client.configs[c.at]!.name, ops: c.ctx.ops, acked: c.ctx.acked, clusterTime: toTimestamp(c.ctx.clusterTime) };
  for (const r of s.routers) {
    view[r.ctx.name] = { state: roles.router.configs[r.at]!.name, ...vectorTimeView(r.ctx.clock), table: r.ctx.table === null ? null : formatTable(r.ctx.table), op: r.ctx.conn };
  }
  view[CONFIG] = { state: roles.config.configs[s.config.at]!.name, ...vectorTimeView(s.config.ctx.clock), table: formatTable(s.config.ctx.table), movesLeft: s.config.ctx.movesLeft };
  const d = s.donor.ctx;
  view[DONOR] = {
    state: roles.donor.configs[s.donor.at]!.name,
    ...vectorTimeView(d.clock),
    docs: formatDocs(d.docs),
    metadata: d.meta === null ? null : formatTable(d.meta),
    registry: d.registry.map((m) => `${m.direction} ${m.chunk} ${m.id}`),
    session: d.session === null ? null : { id: d.session.id, cloneQueue: formatDocs(d.session.cloneQueue), mods: formatDocs(d.session.mods), criticalSection: d.session.critSec },
    held: d.held.map((h) => `${h.reason}:${h.req.id}`),
    'config.migrationCoordinators': d.coordinator,
    'config.rangeDeletions': d.rangeDeletions,
    recoveryDoc: d.recoveryDoc,
  };
  const r = s.recipient.ctx;
  view[RECIPIENT] = {
    state: roles.recipient.configs[s.recipient.at]!.name,
    ...vectorTimeView(r.clock),
    docs: formatDocs(r.docs),
    metadata: r.meta === null ? null : formatTable(r.meta),
    registry: r.registry.map((m) => `${m.direction} ${m.chunk} ${m.id}`),
    session: r.session === null ? null : { id: r.session.id, state: r.session.state },
    held: r.held.map((h) => `${h.reason}:${h.req.id}`),
    'config.rangeDeletions': r.rangeDeletions,
  };
  view['network'] = s.net.map(describeMessage);
  return view;
}

export const migration: ModelDefinition = {
  name: 'migration',
  summary: "live chunk migration: the seed's seven steps, chunk versions and stale routers, a donor crash recovered from its persisted documents",
  sizeParams: {
    routers: { description: 'routers, each with one client', min: 1, max: 2 },
    inserts: { description: "each client's inserts into the moving chunk", min: 0, max: 3 },
    finds: { description: "each client's reads of the moving chunk, after its inserts", min: 0, max: 2 },
    moves: { description: 'moveChunk requests the balancer may send', min: 0, max: 3 },
    ...FAULT_SIZE_PARAMS,
  },
  sizes: {
    default: { routers: 1, inserts: 1, finds: 0, moves: 1, maxLoss: 1, maxDup: 1, maxCrashes: 1 },
    large: { routers: 1, inserts: 1, finds: 1, moves: 1, maxLoss: 1, maxDup: 1, maxCrashes: 1 },
  },
  invariants: [mgSingle, mgOwner, mgNoLostWrite, mgNoWriteInCriticalSection, vcOrder, vcMonotone].map(({ id, description }) => ({ id, description })),
  bugs: MIGRATION_BUGS,
  roles: [
    { name: 'client', summary: 'a driver: inserts into and reads from the moving chunk through its router, one operation at a time', machine: clientMachine, viewKeys: (k) => /^client\d+$/.test(k) },
    { name: 'router', summary: 'a mongos: routes by its cached routing table; on a stale-version error refreshes from the config server and retries', machine: routerMachine, viewKeys: (k) => /^router\d+$/.test(k) },
    { name: 'config', summary: 'the config server: the routing table, _configsvrCommitChunkMigration with the seed\'s version bumps, the balancer\'s moveChunk', machine: configMachine },
    { name: 'donor', summary: 'the donor shard: registry, cloner, _recvChunkStatus polling, critical section, commit on the config server, coordinator document, recovery after a restart', machine: donorMachine, viewKeys: (k) => k === DONOR },
    { name: 'recipient', summary: 'the recipient shard: _recvChunkStart, _migrateClone, _transferMods until steady, _recvChunkCommit, its range-deletion task', machine: recipientMachine, viewKeys: (k) => k === RECIPIENT },
  ],
  build: (size, bugs) => migrationModel(size, bugs) as unknown as Model,
};
