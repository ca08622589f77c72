/**
 * A DDL coordinator on the database's primary shard (seed 003, "Sharding DDL Coordinator"): an
 * instance of a primary-only service, one per coordinator id (the namespace and the operation),
 * here one instance slot per operation kind on `db.a`.
 *
 * - A request for an id with no instance creates one. A request for a running instance joins it
 *   when its options match (it gets the same answer) and fails with
 *   `ConflictingOperationInProgress` otherwise.
 * - The instance takes the locks, database then collections in a fixed order: for each, the
 *   primary shard's in-memory lock (waiting while another coordinator of this shard holds it),
 *   then the distributed lock, a request to the config server (`LockBusy` is retried). Then it
 *   persists its state document.
 * - Each phase is first checkpointed in the state document (a majority write on the primary shard)
 *   and then executed: its commands go to the config server and the participant shards, and are
 *   re-sent while unanswered (retryable errors are retried). A value generated in a phase (the
 *   renamed collection's new UUID) is persisted with that phase's checkpoint before it is used.
 *   Migrations are blocked (setAllowMigrations false) before any catalog change.
 * - A non-retryable error stops the coordinator: its state document is removed, its locks
 *   released, and the error is the answer. Only a rename's failed precondition, in its first
 *   phase, raises one: every later phase is idempotent, so none can arise after a destructive step.
 * - At the end the state document is removed, the locks are released in reverse order and every
 *   joined request gets the answer.
 * - On a step-up the service is rebuilt: each state document's coordinator is re-instantiated,
 *   re-takes its locks (a distributed lock held by this shard in an earlier term is taken over;
 *   the shard's lock recovery releases the others) and resumes at the checkpointed phase; new
 *   requests wait until every rebuilt coordinator holds its locks again.
 *
 * Durable: the state document. Shared with the primary shard's other threads: its clock, oplog
 * time, term, UUID generator and in-memory locks. Everything else is volatile (lost on a crash).
 *
 * @module
 */
import type { LogicalTime, VectorTime } from '../logical-time.js';
import { internalGossip } from '../logical-time.js';
import type { Message, RemoteRequest, Status } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { Bugs, DdlKind, DdlOp, MessageEvent, StateDoc } from './common.js';
import { CONFIG, coordinatorHost, locksOf, PHASES, PRIMARY, requestOf, responseOf, sameOp, SHARDS, UUID_PHASE, receiveGossip } from './common.js';
import type { CollectionsData } from './config.js';
import type { LocalLock } from './shard.js';
import { localWrite } from './shard.js';

/** A request joined to the running instance, to be answered at its end. */
export interface Waiter {
  readonly id: string;
  readonly from: string;
}

/** The coordinator's own fields (the instance slot's), durable and volatile. */
export interface CoordinatorOwn {
  readonly kind: DdlKind;
  /** Durable: the state document, `null` when there is none. */
  readonly doc: StateDoc | null;
  /** The running instance's operation, `null` when the slot is empty. */
  readonly op: DdlOp | null;
  /** Instances started in this term (exchange ids name the instance). */
  readonly instance: number;
  readonly waiters: readonly Waiter[];
  /** How many of the operation's locks it holds (the first ones of {@link locksOf}). */
  readonly locks: number;
  /** Whether it was rebuilt from its state document and has not re-taken all its locks yet (new requests wait). */
  readonly resuming: boolean;
  /** The last exchange (`lock0`, `phase2`, `phase2.1` for a phase's second part, ...), `''` when none. */
  readonly step: string;
  /** The hosts that have not answered it yet, sorted. */
  readonly pending: readonly string[];
  /** The UUID the rename uses. */
  readonly uuid: number | null;
  /** A non-retryable error that stopped the instance, `null` otherwise. */
  readonly error: Status | null;
}

/** The primary shard's memory the coordinators share with it. */
export interface PrimaryShared {
  readonly clock: VectorTime;
  readonly oplog: LogicalTime;
  readonly term: number;
  readonly uuidGen: number;
  readonly localLocks: readonly LocalLock[];
}

export type CoordinatorContext = CoordinatorOwn & PrimaryShared;

/** `lockFreed`: another coordinator of this shard released an in-memory lock; the lock manager notifies the waiter with its locks now. */
export type CoordinatorEvent = MessageEvent | { readonly type: 'TIMEOUT' } | { readonly type: 'lockFreed'; readonly localLocks: readonly LocalLock[] };

export function idleCoordinator(kind: DdlKind, doc: StateDoc | null = null): CoordinatorOwn {
  return { kind, doc, op: null, instance: 0, waiters: [], locks: 0, resuming: false, step: '', pending: [], uuid: null, error: null };
}

/** A coordinator slot after a crash: only its state document is left. */
export function recoverCoordinator(own: CoordinatorOwn): CoordinatorOwn {
  return idleCoordinator(own.kind, own.doc);
}

export function newCoordinatorContext(kind: DdlKind, shared: PrimaryShared, doc: StateDoc | null = null): CoordinatorContext {
  return { ...idleCoordinator(kind, doc), ...shared };
}

/** The host of a coordinator (its slot on the primary shard). */
export const hostOf = (ctx: { readonly kind: DdlKind }): string => coordinatorHost(ctx.kind);

/** The exchange id of the coordinator's current step. */
export const exchangeId = (ctx: Pick<CoordinatorContext, 'kind' | 'term' | 'instance' | 'step'>, step = ctx.step): string => `${hostOf(ctx)}#${ctx.term}.${ctx.instance}/${step}`;

/** The operation a router's request asks for. */
export function opOfRequest(req: RemoteRequest): DdlOp {
  const c = req.cmd;
  return c.name === '_shardsvrDropCollection' ? { kind: 'drop', ns: c['ns'] as string } : { kind: 'rename', from: c['from'] as string, to: c['to'] as string };
}

/** The last phase of an operation kind. */
export const lastPhase = (kind: DdlKind): number => PHASES[kind].length - 1;

/** The phase that blocks migrations. */
const FREEZE_PHASE: Readonly<Record<DdlKind, number>> = { drop: 1, rename: 2 };

/** The hosts phase `phase` of `kind` sends commands to. */
function phaseTargets(kind: DdlKind, phase: number, bugs: Bugs): readonly string[] {
  if (phase === FREEZE_PHASE[kind] && bugs.has('migrations-not-blocked')) return [];
  // The drop phase removes the sharded catalog's entry first, then drops on the participants (its second part).
  if (kind === 'drop') return [CONFIG];
  return phase === 3 ? [...SHARDS] : [CONFIG];
}

/** The command phase `phase` sends to `host`. */
function phaseCommand(ctx: CoordinatorContext, phase: number, host: string): { name: string; [arg: string]: unknown } {
  const op = ctx.op!;
  if (op.kind === 'drop') {
    if (phase === 1) return { name: '_configsvrSetAllowMigrations', ns: op.ns, allow: false };
    return host === CONFIG ? { name: '_configsvrRemoveCollection', ns: op.ns } : { name: '_shardsvrDropCollectionParticipant', ns: op.ns };
  }
  switch (phase) {
    case 1:
      return { name: '_configsvrGetCollections', nss: [op.from, op.to] };
    case 2:
      return { name: '_configsvrSetAllowMigrations', ns: op.from, allow: false };
    case 3:
      return { name: '_shardsvrRenameCollectionParticipant', from: op.from, to: op.to, uuid: ctx.uuid };
    case 4:
      return { name: '_configsvrRenameCollectionMetadata', from: op.from, to: op.to, uuid: ctx.uuid };
    default:
      return { name: '_configsvrSetAllowMigrations', ns: op.to, allow: true };
  }
}

/** The command of step `step` to `host`. */
function stepCommand(ctx: CoordinatorContext, host: string): { name: string; [arg: string]: unknown } {
  const holder = PRIMARY;
  const step = ctx.step;
  if (step.startsWith('lock')) return { name: '_configsvrAcquireLock', resource: locksOf(ctx.op!)[Number(step.slice(4))]!, holder, term: ctx.term };
  if (step.startsWith('unlock')) return { name: '_configsvrReleaseLock', resource: locksOf(ctx.op!)[Number(step.slice(6))]!, holder };
  return phaseCommand(ctx, Number.parseInt(step.slice(5), 10), host);
}

/**
 * One named guard or action per phase index (`checkpoint2`, `execute2`, `resumesAt2`): the charts
 * name them per phase, so that their diagrams say which phase a transition checkpoints. Index `k`
 * is the `k`-th phase of the coordinator's own operation kind.
 */
function perPhase<F>(name: (phase: number) => string, make: (phase: number) => F): Record<string, F> {
  const out: Record<string, F> = {};
  const most = Math.max(...Object.values(PHASES).map((p) => p.length - 1));
  for (let phase = 1; phase <= most; phase++) out[name(phase)] = make(phase);
  return out;
}

function await_(ctx: CoordinatorContext, step: string, pending: readonly string[]): CoordinatorContext {
  return { ...ctx, step, pending };
}

/** A write of the state document on the primary shard (majority committed in this model at once). */
function withDoc(ctx: CoordinatorContext, doc: StateDoc | null): CoordinatorContext {
  return { ...ctx, ...localWrite(ctx), doc };
}

export function coordinatorImpl(bugs: Bugs) {
  return {
    guards: {
      hasDoc: (ctx: CoordinatorContext) => ctx.doc !== null,
      isAwaitedReply: (ctx: CoordinatorContext, e: CoordinatorEvent) =>
        'msg' in e && e.msg.kind === 'response' && ctx.step !== '' && e.msg.id === exchangeId(ctx) && ctx.pending.includes(e.msg.from),
      lockBusy: (_ctx: CoordinatorContext, e: CoordinatorEvent) => responseOf(e as MessageEvent).status === 'LockBusy',
      moreLocksToTake: (ctx: CoordinatorContext) => ctx.locks < locksOf(ctx.op!).length,
      localLockHeldByOther: (ctx: CoordinatorContext) => {
        const resource = locksOf(ctx.op!)[ctx.locks];
        return ctx.localLocks.some((l) => l.resource === resource && l.holder !== ctx.kind);
      },
      holdsLocks: (ctx: CoordinatorContext) => ctx.locks > 0,
      ...perPhase((phase) => `resumesAt${phase}`, (phase) => (ctx: CoordinatorContext) => ctx.doc !== null && ctx.doc.phase === phase),
      allReplied: (ctx: CoordinatorContext) => ctx.pending.length === 0,
      sameOptions: (ctx: CoordinatorContext, e: CoordinatorEvent) => ctx.op !== null && sameOp(ctx.op, opOfRequest(requestOf(e as MessageEvent))),
      preconditionsFail: (_ctx: CoordinatorContext, e: CoordinatorEvent) => {
        const data = responseOf(e as MessageEvent).data as CollectionsData;
        return data.source === null || data.targetExists;
      },
      failed: (ctx: CoordinatorContext) => ctx.error !== null,
      replyFailed: (_ctx: CoordinatorContext, e: CoordinatorEvent) => {
        const status = responseOf(e as MessageEvent).status;
        return status !== 'ok' && status !== 'LockBusy';
      },
      skipsLocks: () => bugs.has('no-lock'),
      releasesLocksEarly: () => bugs.has('locks-released-before-last-phase'),
      leaksLocksOnError: () => bugs.has('locks-leaked-on-error'),
    },
    updates: {
      acceptGossip: (ctx: CoordinatorContext, e: CoordinatorEvent): CoordinatorContext => {
        if (!('msg' in e)) return ctx;
        const clock = receiveGossip(ctx.clock, e.msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      startInstance: (ctx: CoordinatorContext, e: CoordinatorEvent): CoordinatorContext => {
        const req = requestOf(e as MessageEvent);
        return { ...ctx, op: opOfRequest(req), instance: ctx.instance + 1, waiters: [{ id: req.id, from: req.from }], locks: 0, error: null, uuid: null };
      },
      join: (ctx: CoordinatorContext, e: CoordinatorEvent): CoordinatorContext => {
        const req = requestOf(e as MessageEvent);
        if (ctx.waiters.some((w) => w.id === req.id && w.from === req.from)) return ctx;
        const waiters = [...ctx.waiters, { id: req.id, from: req.from }].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
        return { ...ctx, waiters };
      },
      /** The rebuilt service re-instantiates the coordinator of a state document. */
      resumeInstance: (ctx: CoordinatorContext): CoordinatorContext => ({ ...ctx, op: ctx.doc!.op, instance: ctx.instance + 1, uuid: ctx.doc!.uuid, resuming: true }),
      resumed: (ctx: CoordinatorContext): CoordinatorContext => (ctx.resuming ? { ...ctx, resuming: false } : ctx),
      takeLocalLock: (ctx: CoordinatorContext): CoordinatorContext => {
        const resource = locksOf(ctx.op!)[ctx.locks]!;
        if (ctx.localLocks.some((l) => l.resource === resource)) return ctx;
        const localLocks = [...ctx.localLocks, { resource, holder: ctx.kind }].sort((x, y) => (x.resource < y.resource ? -1 : x.resource > y.resource ? 1 : 0));
        return { ...ctx, localLocks };
      },
      releaseLocalLock: (ctx: CoordinatorContext): CoordinatorContext => {
        const resource = locksOf(ctx.op!)[ctx.locks - 1];
        return { ...ctx, localLocks: ctx.localLocks.filter((l) => l.resource !== resource || l.holder !== ctx.kind) };
      },
      awaitLock: (ctx: CoordinatorContext): CoordinatorContext => await_(ctx, `lock${ctx.locks}`, [CONFIG]),
      awaitRelease: (ctx: CoordinatorContext): CoordinatorContext => await_(ctx, `unlock${ctx.locks - 1}`, [CONFIG]),
      ...perPhase(
        (phase) => `execute${phase}`,
        (phase) =>
          (ctx: CoordinatorContext): CoordinatorContext =>
            await_(ctx, `phase${phase}`, phaseTargets(ctx.kind, phase, bugs)),
      ),
      executeOnParticipants: (ctx: CoordinatorContext): CoordinatorContext => await_(ctx, `${ctx.step}.1`, [...SHARDS]),
      observeLocalLocks: (ctx: CoordinatorContext, e: CoordinatorEvent): CoordinatorContext =>
        e.type === 'lockFreed' && 'localLocks' in e && e.localLocks !== ctx.localLocks ? { ...ctx, localLocks: e.localLocks } : ctx,
      countLock: (ctx: CoordinatorContext): CoordinatorContext => ({ ...ctx, locks: ctx.locks + 1 }),
      uncountLock: (ctx: CoordinatorContext): CoordinatorContext => ({ ...ctx, locks: ctx.locks - 1 }),
      markReplied: (ctx: CoordinatorContext, e: CoordinatorEvent): CoordinatorContext => {
        const from = (e as MessageEvent).msg.from;
        return { ...ctx, pending: ctx.pending.filter((h) => h !== from) };
      },
      persistDoc: (ctx: CoordinatorContext): CoordinatorContext => (ctx.doc !== null ? ctx : withDoc(ctx, { op: ctx.op!, phase: 0, uuid: null })),
      /**
       * Checkpoint phase `phase` before executing it. With `checkpoint-after-execute`, the
       * checkpoint written here is the previous phase's, which has just been executed.
       */
      ...perPhase(
        (phase) => `checkpoint${phase}`,
        (entered) =>
          (ctx: CoordinatorContext): CoordinatorContext => {
            const phase = bugs.has('checkpoint-after-execute') ? entered - 1 : entered;
            const doc = ctx.doc!;
            const uuid = phase >= UUID_PHASE ? ctx.uuid : doc.uuid;
            if (doc.phase === phase && doc.uuid === uuid) return ctx;
            return withDoc(ctx, { op: doc.op, phase, uuid });
          },
      ),
      /** The rename's new UUID: generated once, or the one its state document holds. */
      chooseUuid: (ctx: CoordinatorContext): CoordinatorContext => {
        const known = bugs.has('fresh-uuid-on-resume') ? null : (ctx.uuid ?? ctx.doc?.uuid ?? null);
        if (known !== null) return ctx.uuid === known ? ctx : { ...ctx, uuid: known };
        return { ...ctx, uuidGen: ctx.uuidGen + 1, uuid: ctx.uuidGen + 1 };
      },
      recordError: (ctx: CoordinatorContext, e: CoordinatorEvent): CoordinatorContext => {
        const data = responseOf(e as MessageEvent).data as CollectionsData;
        return { ...ctx, error: data.source === null ? 'NamespaceNotFound' : 'NamespaceExists' };
      },
      recordReplyError: (ctx: CoordinatorContext, e: CoordinatorEvent): CoordinatorContext => ({ ...ctx, error: responseOf(e as MessageEvent).status }),
      removeDoc: (ctx: CoordinatorContext): CoordinatorContext => (ctx.doc === null ? ctx : withDoc(ctx, null)),
      forgetLocks: (ctx: CoordinatorContext): CoordinatorContext => ({ ...ctx, locks: 0, localLocks: ctx.localLocks.filter((l) => l.holder !== ctx.kind) }),
      endInstance: (ctx: CoordinatorContext): CoordinatorContext => ({ ...ctx, op: null, waiters: [], locks: 0, resuming: false, step: '', pending: [], uuid: null, error: null }),
    },
    effects: {
      /** Send (or send again) the current step's commands to the hosts that have not answered. */
      send: (ctx: CoordinatorContext): readonly Message[] =>
        ctx.pending.map((host) => request(exchangeId(ctx), hostOf(ctx), host, stepCommand(ctx, host), internalGossip(ctx.clock))),
      /** `locks-released-before-last-phase`: release every lock now, in reverse order, without waiting. */
      releaseLocksNow: (ctx: CoordinatorContext): readonly Message[] => {
        const resources = locksOf(ctx.op!).slice(0, ctx.locks).reverse();
        return resources.map((resource, i) =>
          request(exchangeId(ctx, `early${i}`), hostOf(ctx), CONFIG, { name: '_configsvrReleaseLock', resource, holder: PRIMARY }, internalGossip(ctx.clock)),
        );
      },
      replyWaiters: (ctx: CoordinatorContext): readonly Message[] =>
        ctx.waiters.map((w) => ({ kind: 'response', id: w.id, from: hostOf(ctx), to: w.from, status: ctx.error ?? 'ok', data: null, gossip: internalGossip(ctx.clock) }) as Message),
      replyConflict: (ctx: CoordinatorContext, e: CoordinatorEvent): readonly Message[] => [
        respond(requestOf(e as MessageEvent), hostOf(ctx), 'ConflictingOperationInProgress', null, internalGossip(ctx.clock)),
      ],
    },
  };
}

export type CoordinatorImpl = ReturnType<typeof coordinatorImpl>;
