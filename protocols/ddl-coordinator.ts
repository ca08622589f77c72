/**
 * The sharding DDL coordinator (DESIGN § 4.7; seed 003, "DDL operations" and "Cluster DDL
 * operations" / "Sharding DDL Coordinator"): routers, the database's primary shard with its
 * coordinator service (one instance slot per operation: drop and rename of the sharded collection
 * `db.a`), the other shard, the config server (sharded catalog and distributed locks) and a
 * migration of the collection's chunk.
 *
 * Each router forwards one client request to the primary shard's coordinator service. A request
 * for a running coordinator joins it when its options match and conflicts otherwise. A
 * coordinator takes the distributed locks (database, then collections), persists its state
 * document, then checkpoints and executes its phases one by one — blocking migrations before any
 * catalog change, generating the renamed collection's UUID and persisting it before using it —
 * removes its document, releases its locks in reverse order and answers every joined request.
 *
 * Faults: the primary shard steps down and restarts (its coordinators are rebuilt from their
 * state documents and resume at the checkpointed phase; new requests wait meanwhile; its
 * connections are reset), lost and duplicated messages (everything is retried while unanswered),
 * the migration's commit at any point. The vector clock is gossiped on every internal message.
 *
 * @module
 */
import type { Model, ModelDefinition, Size } from '../checker/model.js';
import { vectorTimeView } from '../impl/logical-time.js';
import type { Bugs, DdlOp } from '../impl/ddl/common.js';
import { CONFIG, COORDINATOR_KINDS, coordinatorHost, describeOp, DONOR, DROP, MIGRATION, messageEvent, PHASES, PRIMARY, renameOp, routerName, SHARDS } from '../impl/ddl/common.js';
import type { ConfigContext, ConfigEvent } from '../impl/ddl/config.js';
import { configImpl, newConfigServer } from '../impl/ddl/config.js';
import type { CoordinatorContext, CoordinatorEvent, CoordinatorOwn, PrimaryShared } from '../impl/ddl/coordinator.js';
import { coordinatorImpl, exchangeId, idleCoordinator, recoverCoordinator } from '../impl/ddl/coordinator.js';
import type { MigrationContext, MigrationEvent } from '../impl/ddl/migration.js';
import { MIGRATION_COMMIT_ID, migrationImpl } from '../impl/ddl/migration.js';
import type { RouterContext, RouterEvent } from '../impl/ddl/router.js';
import { newRouter, routerImpl, routerRequestId } from '../impl/ddl/router.js';
import type { ShardContext, ShardEvent } from '../impl/ddl/shard.js';
import { newShard, recoverShard, recoveryId, shardImpl } from '../impl/ddl/shard.js';
import type { Message } from '../impl/world/network.js';
import { send } from '../impl/world/network.js';
import type { DdlState } from '../invariants/ddl-coordinator.js';
import { ddlCatalogAgree, ddlIdempotent, ddlLocksReleased, ddlNoMigration, ddlSerial, vcMonotone, vcOrder } from '../invariants/ddl-coordinator.js';
import { compileRole } from '../machines/compile.js';
import { configMachine, dropCoordinatorMachine, migrationMachine, renameCoordinatorMachine, routerMachine, shardMachine } from '../machines/ddl-coordinator/index.js';
import type { Host, WorldAction } from './world.js';
import { describeMessage, describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';
import { inFlight, replaceAt } from './world-helpers.js';

export type { DdlState } from '../invariants/ddl-coordinator.js';

// ------------------------------------------------------------------------------------- actions

/** The environment's steps besides the world's deliveries and faults. */
export type DdlAction =
  | WorldAction
  | { readonly kind: 'Submit'; readonly router: number }
  | { readonly kind: 'RouterTimeout'; readonly router: number }
  | { readonly kind: 'CoordinatorTimeout'; readonly coordinator: number }
  | { readonly kind: 'MigrationCommit' };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'Submit', 'RouterTimeout', 'CoordinatorTimeout', 'MigrationCommit'] as const;

export const DDL_BUGS = [
  {
    id: 'checkpoint-after-execute',
    breaks: 'DDL-IDEMPOTENT',
    description: 'a phase is checkpointed after it has executed: a step-down in between resumes at the previous phase, and the rename generates its UUID again',
  },
  {
    id: 'fresh-uuid-on-resume',
    breaks: 'DDL-IDEMPOTENT',
    description: 'a resumed rename generates a fresh UUID instead of using the one persisted in its state document',
  },
  { id: 'no-lock', breaks: 'DDL-SERIAL', description: 'coordinators take no distributed locks' },
  {
    id: 'migrations-not-blocked',
    breaks: 'DDL-NO-MIGRATION',
    description: 'the freeze phase does not block migrations (no setAllowMigrations false) before the catalogs change',
  },
  {
    id: 'locks-released-before-last-phase',
    breaks: 'DDL-SERIAL',
    description: 'a coordinator releases its locks when it enters its last phase, before that phase has run and its state document is removed',
  },
  {
    id: 'locks-leaked-on-error',
    breaks: 'DDL-LOCKS-RELEASED',
    description: 'a coordinator stopped by a non-retryable error (a failed precondition) removes its state document but keeps its locks',
  },
  {
    id: 'participant-not-idempotent',
    breaks: 'DDL-CATALOG-AGREE',
    description: 'a participant asked again to rename a collection it has already renamed fails (NamespaceNotFound), and the coordinator stops after a destructive step',
  },
  {
    id: 'gossip-replaces-clock',
    breaks: 'VC-MONOTONE',
    description: "receiving gossip replaces the node's vector time by the message's instead of advancing each component to the max",
  },
  {
    id: 'gossip-config-without-cluster',
    breaks: 'VC-ORDER',
    description: 'receiving gossip advances ConfigTime and TopologyTime but not ClusterTime',
  },
] as const;

/** The role charts compiled against their implementations for a set of bugs. */
export function ddlRoles(bugs: Bugs = new Set()) {
  const coordinator = coordinatorImpl(bugs);
  return {
    router: compileRole<RouterContext, RouterEvent, Message>('router', routerMachine, routerImpl(bugs)),
    drop: compileRole<CoordinatorContext, CoordinatorEvent, Message>('dropCoordinator', dropCoordinatorMachine, coordinator),
    rename: compileRole<CoordinatorContext, CoordinatorEvent, Message>('renameCoordinator', renameCoordinatorMachine, coordinator),
    shard: compileRole<ShardContext, ShardEvent, Message>('shard', shardMachine, shardImpl(bugs)),
    config: compileRole<ConfigContext, ConfigEvent, Message>('config', configMachine, configImpl(bugs)),
    migration: compileRole<MigrationContext, MigrationEvent, Message>('migration', migrationMachine, migrationImpl(bugs)),
  };
}

type S = DdlState;

/** The requests of a size: `drops` drops of `db.a`, then `renames` renames of it (to `db.b`, then `db.c`). */
export function requestsOf(size: Size): readonly DdlOp[] {
  return [...Array.from({ length: size['drops'] ?? 1 }, () => DROP), ...Array.from({ length: size['renames'] ?? 1 }, (_, i) => renameOp(i))];
}

/**
 * The messages the network may lose or duplicate: the participant shards' replies to the
 * coordinators (a participant that executed a command its coordinator does not know about: what
 * the phases' retries and idempotence are for). Everything else rides connections that
 * only the primary's step-down resets.
 */
export const lossy = (m: Message): boolean => m.kind === 'response' && SHARDS.includes(m.from as never) && m.to.includes('.');

/** Messages the network may duplicate: all but lock acquisitions (a copy delivered after the release would take the lock for no one). */
export const duplicable = (m: Message): boolean => m.kind !== 'request' || m.cmd.name !== '_configsvrAcquireLock';

const sharedOf = (sh: ShardContext): PrimaryShared => ({ clock: sh.clock, oplog: sh.oplog, term: sh.term, uuidGen: sh.uuidGen, localLocks: sh.localLocks });
const ownOf = (c: CoordinatorContext): CoordinatorOwn => ({
  kind: c.kind,
  doc: c.doc,
  op: c.op,
  instance: c.instance,
  waiters: c.waiters,
  locks: c.locks,
  resuming: c.resuming,
  step: c.step,
  pending: c.pending,
  uuid: c.uuid,
  error: c.error,
});
const sameOwn = (a: CoordinatorOwn, c: CoordinatorContext): boolean =>
  a.doc === c.doc && a.op === c.op && a.instance === c.instance && a.waiters === c.waiters && a.locks === c.locks && a.resuming === c.resuming && a.step === c.step && a.pending === c.pending && a.uuid === c.uuid && a.error === c.error;

/** Build the model for a size (`drops`, `renames`, `migrations`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function ddlModel(size: Size, bugs: Bugs = new Set()): Model<S, DdlAction> {
  const roles = ddlRoles(bugs);
  const bounds = faultBounds(size);
  const requests = requestsOf(size);
  const routers = requests.map((_, i) => routerName(i));
  const migrations = size['migrations'] ?? 1;
  const charts = COORDINATOR_KINDS.map((k) => (k === 'drop' ? roles.drop : roles.rename));
  const coordinatorHosts = COORDINATOR_KINDS.map(coordinatorHost);
  const make = (s: S, patch: Partial<S>): S => ({
    routers: patch.routers ?? s.routers,
    coordinators: patch.coordinators ?? s.coordinators,
    shards: patch.shards ?? s.shards,
    config: patch.config ?? s.config,
    migration: patch.migration ?? s.migration,
    net: patch.net ?? s.net,
    faults: patch.faults ?? s.faults,
    history: patch.history ?? s.history,
  });
  const withShardShared = (sh: S['shards'][number], c: PrimaryShared): S['shards'][number] => {
    const x = sh.ctx;
    if (x.clock === c.clock && x.oplog === c.oplog && x.term === c.term && x.uuidGen === c.uuidGen && x.localLocks === c.localLocks) return sh;
    return { at: sh.at, ctx: { ...x, clock: c.clock, oplog: c.oplog, term: c.term, uuidGen: c.uuidGen, localLocks: c.localLocks } };
  };

  // A coordinator's context, the same object for the same own fields and shard memory (the compiled
  // chart keeps its snapshots per context object, and the checker hands back interned components).
  const contexts = new WeakMap<CoordinatorOwn, { shard: ShardContext; ctx: CoordinatorContext }>();
  const contextOf = (own: CoordinatorOwn, shard: ShardContext): CoordinatorContext => {
    const hit = contexts.get(own);
    if (hit !== undefined && hit.shard === shard) return hit.ctx;
    const ctx: CoordinatorContext = { ...own, ...sharedOf(shard) };
    contexts.set(own, { shard, ctx });
    return ctx;
  };

  // The coordinators and the migration are threads of a shard: their contexts are views of its memory plus their own fields.
  const coordinatorHostOf = (k: number): Host<S, CoordinatorContext, CoordinatorEvent> => ({
    name: coordinatorHosts[k]!,
    chart: charts[k]!,
    get: (s) => {
      const c = s.coordinators[k]!;
      return { at: c.at, ctx: contextOf(c.own, s.shards[0]!.ctx) };
    },
    set: (s, snap) => {
      const c = s.coordinators[k]!;
      const own = sameOwn(c.own, snap.ctx) ? c.own : ownOf(snap.ctx);
      const coordinators = own === c.own && snap.at === c.at ? s.coordinators : replaceAt(s.coordinators, k, { at: snap.at, own });
      const shard0 = withShardShared(s.shards[0]!, snap.ctx);
      return make(s, { coordinators, shards: shard0 === s.shards[0] ? s.shards : replaceAt(s.shards, 0, shard0) });
    },
  });
  const donor = SHARDS.indexOf(DONOR);
  const migrationHost: Host<S, MigrationContext, MigrationEvent> = {
    name: MIGRATION,
    chart: roles.migration,
    get: (s) => ({ at: s.migration.at, ctx: { clock: s.shards[donor]!.ctx.clock, outcome: s.migration.outcome } }),
    set: (s, snap) => {
      const m = snap.at === s.migration.at && snap.ctx.outcome === s.migration.outcome ? s.migration : { at: snap.at, outcome: snap.ctx.outcome };
      const sh = s.shards[donor]!;
      const shards = sh.ctx.clock === snap.ctx.clock ? s.shards : replaceAt(s.shards, donor, { at: sh.at, ctx: { ...sh.ctx, clock: snap.ctx.clock } });
      return make(s, { migration: m, shards });
    },
  };
  const hosts: Host<S>[] = [
    ...routers.map((name, i): Host<S, RouterContext, RouterEvent> => ({ name, chart: roles.router, get: (s) => s.routers[i]!, set: (s, snap) => make(s, { routers: replaceAt(s.routers, i, snap) }) })),
    ...COORDINATOR_KINDS.map((_, k) => coordinatorHostOf(k)),
    ...SHARDS.map((name, i): Host<S, ShardContext, ShardEvent> => ({ name, chart: roles.shard, get: (s) => s.shards[i]!, set: (s, snap) => make(s, { shards: replaceAt(s.shards, i, snap) }) })),
    { name: CONFIG, chart: roles.config, get: (s) => s.config, set: (s, snap) => make(s, { config: snap }) } as Host<S, ConfigContext, ConfigEvent>,
    migrationHost,
  ];
  const world = new World<S>(hosts, bounds, (s, net, faults) => make(s, { net, faults }));
  const deliveryEvent = messageEvent;
  const primaryHosts = new Set<string>([PRIMARY, ...coordinatorHosts]);
  const coordinatorIndex = new Map(coordinatorHosts.map((h, k) => [h, k]));

  // Prebuilt actions and events.
  const submits = routers.map((_, i): DdlAction => ({ kind: 'Submit', router: i }));
  const routerTimeouts = routers.map((_, i): DdlAction => ({ kind: 'RouterTimeout', router: i }));
  const coordinatorTimeouts = COORDINATOR_KINDS.map((_, k): DdlAction => ({ kind: 'CoordinatorTimeout', coordinator: k }));
  const migrationCommit: DdlAction = { kind: 'MigrationCommit' };
  const crashPrimary: DdlAction = { kind: 'Crash', host: PRIMARY };
  const SUBMIT: RouterEvent = { type: 'SUBMIT' };
  const TIMEOUT = { type: 'TIMEOUT' } as const;
  const START: MigrationEvent = { type: 'START' };
  const [routerIdle, routerForwarding] = [roles.router.indexOf('idle'), roles.router.indexOf('forwarding')];
  const [migrationIdle, migrationCommitting] = [roles.migration.indexOf('idle'), roles.migration.indexOf('committing')];
  const waitingForLock = charts.map((c) => c.indexOf('running.waitingForLock'));
  const isCommitting = (at: number): boolean => at === migrationCommitting;


  /** A timeout fires only when what its host waits for can no longer come: nothing of it is left anywhere. */
  const routerTimeoutEnabled = (s: S, i: number): boolean => {
    const r = s.routers[i]!;
    if (r.at !== routerForwarding) return false;
    const id = routerRequestId(r.ctx);
    return !inFlight(s.net, id) && !s.coordinators.some((c) => c.own.waiters.some((w) => w.id === id && w.from === r.ctx.name));
  };
  const coordinatorTimeoutEnabled = (s: S, k: number): boolean => {
    const own = s.coordinators[k]!.own;
    return own.pending.length > 0 && !inFlight(s.net, exchangeId({ kind: own.kind, term: s.shards[0]!.ctx.term, instance: own.instance, step: own.step }));
  };
  /**
   * The primary steps down while a coordinator runs on it (an instance or a state document): a
   * step-down with no coordinator only starts a new term, which changes nothing for the protocol.
   */
  const crashEnabled = (s: S): boolean => s.faults.crashes < bounds.maxCrashes && s.coordinators.some((c) => c.own.op !== null || c.own.doc !== null);

  const migrationEnabled = (s: S): boolean => migrations > 0 && s.migration.at === migrationIdle;

  /** While the rebuilt service re-instantiates the coordinators of its state documents (until they hold their locks again), new requests wait. */
  const onHold = (s: S): boolean => s.coordinators.some((c) => c.own.resuming);

  /** A coordinator waiting for an in-memory lock is notified when another releases one. */
  const wakeWaiters = (before: S, after: S): S => {
    if (after.shards[0]!.ctx.localLocks.length >= before.shards[0]!.ctx.localLocks.length) return after;
    let out = after;
    const lockFreed: CoordinatorEvent = { type: 'lockFreed', localLocks: after.shards[0]!.ctx.localLocks };
    for (let k = 0; k < charts.length; k++) if (out.coordinators[k]!.at === waitingForLock[k]) out = world.step(out, coordinatorHosts[k]!, lockFreed) ?? out;
    return out;
  };

  /**
   * The migration commits (or is refused) at the config server: the donor's commit request and
   * the config server's answer in one step (the live migration before it is another protocol's).
   */
  const commitMigration = (s: S): S | undefined => {
    const started = world.step(s, MIGRATION, START);
    if (started === undefined) return undefined;
    let out = started;
    for (const id of [MIGRATION_COMMIT_ID, MIGRATION_COMMIT_ID]) {
      const index = out.net.findIndex((m) => m.id === id);
      const m = out.net[index]!;
      out = world.next(out, { kind: 'Deliver', index, host: m.to as string, message: m }, deliveryEvent)!;
    }
    return out;
  };
  const deliverable = (s: S, a: Extract<WorldAction, { kind: 'Deliver' }>): boolean =>
    !(coordinatorIndex.has(a.host) && a.message.kind === 'request' && onHold(s));

  /** Record the operation whose coordinator has just persisted its state document. */
  const recordHistory = (before: S, after: S): S => {
    let history = after.history;
    for (let k = 0; k < after.coordinators.length; k++) {
      const doc = after.coordinators[k]!.own.doc;
      if (doc !== null && before.coordinators[k]!.own.doc === null) history = [...history, doc.op];
    }
    return history === after.history ? after : make(after, { history });
  };

  /**
   * The primary shard steps down and restarts: its coordinators lose everything but their state
   * documents, its connections are reset (what was in flight to or from it is gone), and on
   * step-up each coordinator slot releases its earlier term's locks and rebuilds.
   */
  const restartPrimary = (s: S): S => {
    const sent: Message[] = [];
    const shard0 = roles.shard.initial(recoverShard(s.shards[0]!.ctx, bugs), sent);
    let out = make(s, {
      shards: replaceAt(s.shards, 0, shard0),
      coordinators: s.coordinators.map((c) => ({ at: c.at, own: recoverCoordinator(c.own) })),
      net: s.net.filter((m) => !primaryHosts.has(m.to as string) && !primaryHosts.has(m.from)),
      faults: { ...s.faults, crashes: s.faults.crashes + 1 },
    });
    for (let k = 0; k < charts.length; k++) {
      const h = hosts[routers.length + k]!;
      out = h.set(out, charts[k]!.initial(h.get(out).ctx as CoordinatorContext, sent));
    }
    let net = out.net;
    for (const m of sent) net = send(net, m);
    out = make(out, { net });
    // Stepping up is part of the step: the lock recovery's request and the config server's answer.
    for (let i = 0; i < 2; i++) {
      const index = out.net.findIndex((m) => m.id === recoveryId(shard0.ctx));
      if (index < 0) break;
      const m = out.net[index]!;
      out = world.next(out, { kind: 'Deliver', index, host: m.to as string, message: m }, deliveryEvent)!;
    }
    return out;
  };

  const init: S = {
    routers: requests.map((op, i) => roles.router.initial(newRouter(routers[i]!, op))),
    coordinators: COORDINATOR_KINDS.map((kind, k) => ({ at: charts[k]!.initial({ ...idleCoordinator(kind), ...sharedOf(newShard(PRIMARY)) }).at, own: idleCoordinator(kind) })),
    shards: SHARDS.map((h) => roles.shard.initial(newShard(h))),
    config: roles.config.initial(newConfigServer()),
    migration: { at: roles.migration.initial({ clock: newShard(DONOR).clock, outcome: null }).at, outcome: null },
    net: [],
    faults: NO_FAULTS,
    history: [],
  };

  return {
    actionKinds: ACTION_KINDS,
    invariants: [ddlSerial, ddlCatalogAgree(isCommitting), ddlIdempotent(isCommitting), ddlLocksReleased(isCommitting), vcOrder],
    stepInvariants: [ddlNoMigration, vcMonotone],
    init: () => [init],

    actions(s, out) {
      const worldActions: WorldAction[] = [];
      world.actions(s, worldActions);
      for (const a of worldActions) {
        if (a.kind === 'Deliver') {
          if (deliverable(s, a)) out.push(a);
        } else if (a.kind === 'Duplicate') {
          if (lossy(a.message) && duplicable(a.message)) out.push(a);
        } else if (a.kind === 'Lose') {
          if (lossy(a.message)) out.push(a);
        } else out.push(a);
      }
      // The world lists crashes of hosts it restarts itself; the primary shard's is this module's.
      if (crashEnabled(s)) out.push(crashPrimary);
      s.routers.forEach((r, i) => {
        if (r.at === routerIdle) out.push(submits[i]!);
        if (routerTimeoutEnabled(s, i)) out.push(routerTimeouts[i]!);
      });
      s.coordinators.forEach((_, k) => {
        if (coordinatorTimeoutEnabled(s, k)) out.push(coordinatorTimeouts[k]!);
      });
      if (migrationEnabled(s)) out.push(migrationCommit);
    },

    next(s, a) {
      switch (a.kind) {
        case 'Deliver': {
          if (!deliverable(s, a)) return undefined;
          const after = world.next(s, a, deliveryEvent);
          return after === undefined ? undefined : wakeWaiters(s, recordHistory(s, after));
        }
        case 'Lose':
          return lossy(a.message) ? world.next(s, a, deliveryEvent) : undefined;
        case 'Duplicate':
          return lossy(a.message) && duplicable(a.message) ? world.next(s, a, deliveryEvent) : undefined;
        case 'Crash':
          return a.host === PRIMARY && crashEnabled(s) ? restartPrimary(s) : undefined;
        case 'Submit':
          return s.routers[a.router]!.at === routerIdle ? world.step(s, routers[a.router]!, SUBMIT) : undefined;
        case 'RouterTimeout':
          return routerTimeoutEnabled(s, a.router) ? world.step(s, routers[a.router]!, TIMEOUT) : undefined;
        case 'CoordinatorTimeout':
          return coordinatorTimeoutEnabled(s, a.coordinator) ? world.step(s, coordinatorHosts[a.coordinator]!, TIMEOUT) : undefined;
        case 'MigrationCommit':
          return migrationEnabled(s) ? commitMigration(s) : undefined;
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
          return `Submit(${routers[a.router]!} ${describeOp(requests[a.router]!)})`;
        case 'RouterTimeout':
          return `RouterTimeout(${routers[a.router]!})`;
        case 'CoordinatorTimeout':
          return `CoordinatorTimeout(${coordinatorHosts[a.coordinator]!})`;
        case 'MigrationCommit':
          return a.kind;
      }
    },

    view: (s) => viewOf(s, roles),

    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

/** The per-role view of a state in traces. */
function viewOf(s: S, roles: ReturnType<typeof ddlRoles>): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const r of s.routers) view[r.ctx.name] = { state: roles.router.configs[r.at]!.name, op: describeOp(r.ctx.op), result: r.ctx.result, ...vectorTimeView(r.ctx.clock) };
  s.coordinators.forEach((c, k) => {
    const o = c.own;
    const chart = k === 0 ? roles.drop : roles.rename;
    view[coordinatorHost(o.kind)] = {
      state: chart.configs[c.at]!.name,
      op: o.op === null ? null : describeOp(o.op),
      doc: o.doc === null ? null : { op: describeOp(o.doc.op), phase: PHASES[o.doc.op.kind][o.doc.phase], uuid: o.doc.uuid },
      locks: o.locks,
      step: o.step,
      pending: o.pending,
      waiters: o.waiters.map((w) => w.from),
      uuid: o.uuid,
      error: o.error,
    };
  });
  for (const sh of s.shards) view[sh.ctx.host] = { term: sh.ctx.term, catalog: sh.ctx.catalog.map((c) => `${c.ns}#${c.uuid}`), uuidGen: sh.ctx.uuidGen, ...vectorTimeView(sh.ctx.clock) };
  view[CONFIG] = {
    catalog: s.config.ctx.catalog.map((c) => `${c.ns}#${c.uuid} on ${c.owner} v${c.version}${c.allowMigrations ? '' : ' (migrations blocked)'}`),
    locks: s.config.ctx.locks.map((l) => `${l.resource}: ${l.holder} (term ${l.term})`),
    ...vectorTimeView(s.config.ctx.clock),
  };
  view[MIGRATION] = { state: roles.migration.configs[s.migration.at]!.name, outcome: s.migration.outcome };
  view['history'] = s.history.map(describeOp);
  view['network'] = s.net.map(describeMessage);
  return view;
}

export const ddlCoordinator: ModelDefinition = {
  name: 'ddl-coordinator',
  summary: 'the sharding DDL coordinator: drop and rename of a sharded collection, distributed locks, checkpointed phases, step-down and resume, a migration to block',
  sizeParams: {
    drops: { description: 'routers each sending a drop of db.a (a second one joins the first)', min: 0, max: 2 },
    renames: { description: 'routers each sending a rename of db.a (to db.b, then db.c: different options, a conflict)', min: 0, max: 2 },
    migrations: { description: 'migrations of the collection\'s chunk that may try to commit', min: 0, max: 1 },
    ...FAULT_SIZE_PARAMS,
  },
  sizes: {
    default: { drops: 1, renames: 1, migrations: 1, maxLoss: 1, maxDup: 0, maxCrashes: 1 },
    large: { drops: 2, renames: 1, migrations: 1, maxLoss: 1, maxDup: 0, maxCrashes: 1 },
  },
  invariants: [ddlSerial, ddlNoMigration, ddlCatalogAgree(() => false), ddlIdempotent(() => false), ddlLocksReleased(() => false), vcOrder, vcMonotone].map(({ id, description }) => ({ id, description })),
  bugs: DDL_BUGS,
  roles: [
    { name: 'router', summary: 'a router: forwards a DDL request to the primary shard, retries it while unanswered', machine: routerMachine, viewKeys: (k) => /^router\d+$/.test(k) },
    { name: 'dropCoordinator', summary: 'the drop-collection coordinator on the primary shard: locks, state document, checkpointed phases, resume after step-up', machine: dropCoordinatorMachine, viewKeys: (k) => k === coordinatorHost('drop') },
    { name: 'renameCoordinator', summary: 'the rename-collection coordinator on the primary shard: preconditions, frozen migrations, a persisted new UUID', machine: renameCoordinatorMachine, viewKeys: (k) => k === coordinatorHost('rename') },
    { name: 'shard', summary: 'a shard as a participant: its local catalog, changed by idempotent participant commands', machine: shardMachine, viewKeys: (k) => /^shard\d+$/.test(k) },
    { name: 'config', summary: 'the config server: the sharded catalog, the distributed locks, migration commits', machine: configMachine },
    { name: 'migration', summary: "a migration of the collection's chunk: its commit, which the coordinators must block", machine: migrationMachine },
  ],
  build: (size, bugs) => ddlModel(size, bugs) as unknown as Model,
};
