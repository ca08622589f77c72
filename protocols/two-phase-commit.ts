/**
 * Cross-shard transactions and their two-phase commit (DESIGN § 4.6; seed 003, "Transactions",
 * "Committing a Transaction", "Two-phase Commit Protocol", "Aborting a Transaction", "Retryable
 * writes"): a client on one session, the router the transaction runs on, a second router for
 * recovery with the recovery token, and `shards` shard primaries, each a transaction participant and
 * possibly the coordinator. The network loses and duplicates messages and the shards crash and fail
 * over within the bounds of the size; every internal message gossips the vector clock.
 *
 * Read in the order of `TwoPhase.tla`: the state, the initial state, one named step per action,
 * and the invariants last.
 *
 * @module
 */
import type { Model, ModelDefinition, Size, StepInvariant } from '../checker/model.js';
import type { VectorTime } from '../impl/logical-time.js';
import { toTimestamp, vectorTimeView } from '../impl/logical-time.js';
import type { ClientContext, ClientEvent } from '../impl/transactions/client.js';
import { clientImpl, newClient, opId } from '../impl/transactions/client.js';
import { CLIENT, DECISION_ID, messageEvent, PREPARE_ID, ROUTER, ROUTER2, shardName } from '../impl/transactions/common.js';
import type { RouterContext, RouterEvent } from '../impl/transactions/router.js';
import { newRouter, routerImpl } from '../impl/transactions/router.js';
import type { ShardContext, ShardEvent } from '../impl/transactions/shard.js';
import { newShard, recoverShard, shardImpl } from '../impl/transactions/shard.js';
import type { Message } from '../impl/world/network.js';
import { clockMonotone, clockOrder } from '../invariants/clock.js';
import type { ParticipantState, ParticipantStates, TwoPhaseCommitState } from '../invariants/two-phase-commit.js';
import { rwAppliedOnce, tcAckDurable, tcAtomic, tcDecisionStable, tcPreparedWaits, tcTerminates } from '../invariants/two-phase-commit.js';
import type { CompiledRole, RoleSnapshot } from '../machines/compile.js';
import { compileRole } from '../machines/compile.js';
import { clientMachine } from '../machines/two-phase-commit/client.js';
import { routerMachine } from '../machines/two-phase-commit/router.js';
import { shardMachine } from '../machines/two-phase-commit/shard.js';
import type { Host, WorldAction } from './world.js';
import { describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';

export type { TwoPhaseCommitState } from '../invariants/two-phase-commit.js';

// ------------------------------------------------------------------------------------------ actions

/** The client's choices, the environment's timers and replication, besides the world's deliveries and faults. */
export type TwoPhaseCommitAction =
  | WorldAction
  | { readonly kind: 'RetryableWrite'; readonly shard: string }
  | { readonly kind: 'Statement'; readonly shard: string; readonly write: boolean }
  | { readonly kind: 'Commit' }
  | { readonly kind: 'Abort' }
  | { readonly kind: 'Retry' }
  | { readonly kind: 'RecoverCommit' }
  | { readonly kind: 'Timeout'; readonly host: string }
  | { readonly kind: 'Expire'; readonly shard: string }
  | { readonly kind: 'MajorityCommit'; readonly shard: string };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'RetryableWrite', 'Statement', 'Commit', 'Abort', 'Retry', 'RecoverCommit', 'Timeout', 'Expire', 'MajorityCommit'] as const;

/** The kinds of steps that are faults (everything else counts against quiescence). */
const FAULT_KINDS: ReadonlySet<string> = new Set(['Lose', 'Duplicate', 'Crash']);

export const TWO_PHASE_COMMIT_BUGS = [
  {
    id: 'decision-sent-before-persisted',
    breaks: 'TC-DECISION-STABLE',
    description: 'the coordinator sends its decision to the participants before the decision is majority committed in its document',
  },
  {
    id: 'participant-list-not-persisted',
    breaks: 'TC-TERMINATES',
    description: 'the coordinator does not write the participant list to config.transaction_coordinators before it sends prepare',
  },
  {
    id: 'prepared-aborts-on-timeout',
    breaks: 'TC-PREPARED-WAITS',
    description: 'a prepared participant aborts when the transaction expires, as an unprepared one may',
  },
  {
    id: 'multi-writer-single-shard-commit',
    breaks: 'TC-ATOMIC',
    description: 'the router commits a transaction that wrote on several shards by sending commitTransaction to each, without two-phase commit',
  },
  {
    id: 'ack-before-decision-durable',
    breaks: 'TC-ACK-DURABLE',
    description: 'the coordinator answers coordinateCommitTransaction as soon as it writes the decision, before it is majority committed',
  },
  {
    id: 'retryable-write-not-deduplicated',
    breaks: 'RW-APPLIED-ONCE',
    description: "a shard applies a retryable write without checking the session's executed statements, so a retry after a lost reply runs it again",
  },
] as const;

/** The role charts compiled against their implementations for a set of bugs. */
export function twoPhaseCommitRoles(bugs: ReadonlySet<string> = new Set()) {
  return {
    client: compileRole<ClientContext, ClientEvent, Message>('client', clientMachine, clientImpl()),
    router: compileRole<RouterContext, RouterEvent, Message>('router', routerMachine, routerImpl(bugs)),
    shard: compileRole<ShardContext, ShardEvent, Message>('shard', shardMachine, shardImpl(bugs)),
  };
}

type S = TwoPhaseCommitState;
type A = TwoPhaseCommitAction;

/** The participant region's state in each configuration of the shard chart. */
export function participantStates(shard: CompiledRole<ShardContext, ShardEvent, Message>): ParticipantStates {
  const names: ParticipantState[] = ['starting', 'idle', 'active', 'prepared', 'committed', 'aborted'];
  return shard.configs.map((c) => names.find((n) => c.active.has(`participant.${n}`))!);
}

/** Build the model for a size (`shards`, `stmts`, `writes`, `retries`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function twoPhaseCommitModel(size: Size, bugs: ReadonlySet<string> = new Set()): Model<S, A> {
  const roles = twoPhaseCommitRoles(bugs);
  const shardCount = size['shards']!;
  const maxFaults = size['maxFaults']!;
  const shardNames = Array.from({ length: shardCount }, (_, i) => shardName(i));
  const routerNames = [ROUTER, ROUTER2];

  // ---------------------------------------------------------------------------------------- state
  const make = (s: S, patch: Partial<S>): S => ({
    client: patch.client ?? s.client,
    routers: patch.routers ?? s.routers,
    shards: patch.shards ?? s.shards,
    net: patch.net ?? s.net,
    faults: patch.faults ?? s.faults,
    decided: patch.decided ?? s.decided,
  });
  const routerHost = (i: number): Host<S, RouterContext, RouterEvent> => ({
    name: routerNames[i]!,
    chart: roles.router,
    get: (s) => s.routers[i]!,
    set: (s, snap) => make(s, { routers: s.routers.map((x, j) => (j === i ? snap : x)) }),
  });
  const shardHost = (i: number): Host<S, ShardContext, ShardEvent> => ({
    name: shardNames[i]!,
    chart: roles.shard,
    get: (s) => s.shards[i]!,
    set: (s, snap) => make(s, { shards: s.shards.map((x, j) => (j === i ? snap : x)) }),
    // With `crashAll` 0 only the first shard, the coordinator (and a participant), crashes.
    ...(i === 0 || size['crashAll'] === 1 ? { recover: (ctx: ShardContext) => recoverShard(ctx, bugs) } : {}),
  });
  const hosts: Host<S>[] = [
    { name: CLIENT, chart: roles.client, get: (s) => s.client, set: (s, snap) => make(s, { client: snap }) },
    routerHost(0),
    routerHost(1),
    ...shardNames.map((_, i) => shardHost(i)),
  ];
  const world = new World<S>(hosts, faultBounds(size), (s, net, faults) => make(s, { net, faults }));

  // ------------------------------------------------------------------------------------------ init
  /** A shard becomes primary: at the start, and after every crash (a restart or a failover). */
  const STEP_UP = { type: 'STEP_UP' } as const;
  const init: S = {
    client: roles.client.initial(newClient(size['writes']!, size['stmts']!, size['retries']!)),
    routers: routerNames.map((h) => roles.router.initial(newRouter(h))),
    shards: shardNames.map((h) => roles.shard.step(roles.shard.initial(newShard(h)), STEP_UP, [])!),
    net: [],
    faults: NO_FAULTS,
    decided: 'none',
  };

  // ------------------------------------------------------------------------------- prebuilt steps
  const retryableWrite: A = { kind: 'RetryableWrite', shard: shardNames[0]! };
  const statements: A[] = shardNames.flatMap((shard) => [false, true].map((write): A => ({ kind: 'Statement', shard, write })));
  // With `anyShard` 0, statement k of the transaction goes to shard k mod shards (a read or a write):
  // the transaction still takes every commit path; with 1 it may go to any shard.
  const anyShard = size['anyShard'] === 1;
  const reads = size['reads'] === 1;
  const statementsAt = (k: number): readonly A[] => {
    const options = anyShard ? statements : statements.slice(2 * (k % shardCount), 2 * (k % shardCount) + 2);
    return reads ? options : options.filter((a) => (a as { write: boolean }).write);
  };
  const commit: A = { kind: 'Commit' };
  const abort: A = { kind: 'Abort' };
  const retry: A = { kind: 'Retry' };
  const recoverCommit: A = { kind: 'RecoverCommit' };
  const timeouts = [CLIENT, ...routerNames, ...shardNames].map((host): A => ({ kind: 'Timeout', host }));
  const expires = shardNames.map((shard): A => ({ kind: 'Expire', shard }));
  const majorityCommits = shardNames.map((shard): A => ({ kind: 'MajorityCommit', shard }));
  const EVENTS = {
    COMMIT: { type: 'COMMIT' },
    ABORT: { type: 'ABORT' },
    RETRY: { type: 'RETRY' },
    RECOVER_COMMIT: { type: 'RECOVER_COMMIT' },
    TIMEOUT: { type: 'TIMEOUT' },
    EXPIRE: { type: 'EXPIRE' },
    MAJORITY_COMMIT: { type: 'MAJORITY_COMMIT' },
  } as const;
  const statementKey = (a: { shard: string; write: boolean }) => `${a.shard}|${a.write}`;
  const statementEvents = new Map(
    statements.map((a) => {
      const { shard, write } = a as { shard: string; write: boolean };
      return [statementKey({ shard, write }), { type: 'STATEMENT', shard, write } as ClientEvent];
    }),
  );
  const retryableWriteEvent: ClientEvent = { type: 'RETRYABLE_WRITE', shard: shardNames[0]! };

  const client = roles.client;
  const at = {
    idle: client.indexOf('idle'),
    open: client.indexOf('open'),
    writeUnknown: client.indexOf('writeUnknown'),
    commitUnknown: client.indexOf('commitUnknown'),
    waiting: new Set(['writing', 'inStatement', 'committing', 'aborting'].map((n) => client.indexOf(n))),
    forwarding: roles.router.indexOf('forwarding'),
  };
  const pStates = participantStates(roles.shard);
  const isIn = (snap: RoleSnapshot<ShardContext>, path: string) => roles.shard.isIn(snap.at, path);

  // ---------------------------------------------------------------------------- timers, precisely
  /** Whether a message of exchange `id` is in flight, or a request of it waits at a shard for an answer. */
  const inFlight = (s: S, id: string, to?: string): boolean =>
    s.net.some((m) => m.id === id) ||
    s.shards.some(
      (sh) => sh.ctx.fallbackWaiters.some((w) => w.id === id && (to === undefined || w.to === to)) || (sh.ctx.coordinator?.waiters.some((w) => w.id === id && (to === undefined || w.to === to)) ?? false),
    );
  /** A coordinator's exchange with participant `p` has nothing in flight. */
  const exchangeGone = (s: S, id: string, host: string, p: string): boolean => !s.net.some((m) => m.id === id && ((m.from === host && m.to === p) || (m.from === p && m.to === host)));
  /** Timeouts fire only when the awaited exchange is gone: a lost message or a restart that forgot a request. */
  const timeoutEnabled = (s: S, host: string): boolean => {
    if (host === CLIENT) {
      if (!at.waiting.has(s.client.at)) return false;
      const id = opId(s.client.ctx.opCount);
      return !inFlight(s, id) && s.routers.every((r) => r.ctx.pending?.id !== id);
    }
    const r = routerNames.indexOf(host);
    if (r >= 0) {
      const router = s.routers[r]!;
      return router.at === at.forwarding && !inFlight(s, router.ctx.pending!.id, host);
    }
    const sh = s.shards[shardNames.indexOf(host)]!;
    const c = sh.ctx.coordinator;
    if (c === null) return false;
    if (isIn(sh, 'coordinator.preparing')) return c.participants.some((p) => !c.votes.includes(p) && exchangeGone(s, PREPARE_ID, host, p));
    if (isIn(sh, 'coordinator.sendingDecision')) return c.participants.some((p) => !c.acks.includes(p) && exchangeGone(s, DECISION_ID, host, p));
    return false;
  };
  const expireEnabled = (sh: RoleSnapshot<ShardContext>): boolean =>
    roles.shard.handles(sh.at, 'EXPIRE') && (pStates[sh.at] === 'active' || isIn(sh, 'coordinator.created') || pStates[sh.at] === 'prepared');

  // --------------------------------------------------------------------------------------- actions
  const faultCount = (s: S): number => s.faults.lost + s.faults.duplicated + s.faults.crashes;
  const actions = (s: S, out: A[]): void => {
    const start = out.length;
    world.actions(s, out as WorldAction[]);
    // The total fault budget: once spent, the world's faults are no longer steps.
    if (faultCount(s) >= maxFaults) {
      let k = start;
      for (let i = start; i < out.length; i++) if (!FAULT_KINDS.has(out[i]!.kind)) out[k++] = out[i]!;
      out.length = k;
    }
    const c = s.client;
    if (c.at === at.idle) {
      if (c.ctx.writesLeft > 0) out.push(retryableWrite);
      else {
        if (c.ctx.stmtsLeft > 0) out.push(...statementsAt(c.ctx.stmts));
        out.push(commit);
      }
    } else if (c.at === at.open) {
      if (c.ctx.stmtsLeft > 0) out.push(...statementsAt(c.ctx.stmts));
      out.push(commit, abort);
    } else if ((c.at === at.writeUnknown || c.at === at.commitUnknown) && c.ctx.retriesLeft > 0) {
      out.push(retry);
      if (c.at === at.commitUnknown) out.push(recoverCommit);
    }
    for (const t of timeouts) if (timeoutEnabled(s, (t as { host: string }).host)) out.push(t);
    s.shards.forEach((sh, i) => {
      if (expireEnabled(sh)) out.push(expires[i]!);
      if (sh.ctx.coordLocal !== sh.ctx.coordDoc) out.push(majorityCommits[i]!);
    });
  };

  const next = (s: S, a: A): S | undefined => {
    switch (a.kind) {
      case 'Deliver':
        return world.next(s, a, messageEvent);
      case 'Lose':
      case 'Duplicate':
        return faultCount(s) >= maxFaults ? undefined : world.next(s, a, messageEvent);
      case 'Crash': {
        if (faultCount(s) >= maxFaults) return undefined;
        // The restarted node (or the secondary that takes over) steps up: recovery runs.
        const restarted = world.next(s, a, messageEvent);
        return restarted === undefined ? undefined : world.step(restarted, a.host, STEP_UP);
      }
      case 'RetryableWrite':
        return world.step(s, CLIENT, retryableWriteEvent);
      case 'Statement':
        return world.step(s, CLIENT, statementEvents.get(statementKey(a))!);
      case 'Commit':
      case 'Abort':
      case 'Retry':
      case 'RecoverCommit':
        return world.step(s, CLIENT, EVENTS[a.kind === 'RecoverCommit' ? 'RECOVER_COMMIT' : (a.kind.toUpperCase() as 'COMMIT' | 'ABORT' | 'RETRY')]);
      case 'Timeout':
        return timeoutEnabled(s, a.host) ? world.step(s, a.host, EVENTS.TIMEOUT) : undefined;
      case 'Expire':
        return world.step(s, a.shard, EVENTS.EXPIRE);
      case 'MajorityCommit': {
        const after = world.step(s, a.shard, EVENTS.MAJORITY_COMMIT);
        if (after === undefined || after.decided !== 'none') return after;
        // The history variable: the first decision ever majority committed.
        const d = after.shards[shardNames.indexOf(a.shard)]!.ctx.coordDoc?.decision;
        return d == null ? after : make(after, { decided: d.commit ? 'commit' : 'abort' });
      }
    }
  };

  /** No step but a fault is enabled. */
  const scratch: A[] = [];
  const quiescent = (s: S): boolean => {
    // A message in flight can always be delivered.
    if (s.net.length > 0) return false;
    scratch.length = 0;
    actions(s, scratch);
    return scratch.every((a) => FAULT_KINDS.has(a.kind) || next(s, a) === undefined);
  };

  const clocks = (s: S): VectorTime[] => [...s.routers.map((r) => r.ctx.clock), ...s.shards.map((sh) => sh.ctx.clock)];

  const bounds = faultBounds(size);
  // A fault the size rules out is not a kind of step of the model (it would be reported as never fired).
  const impossible = new Set([bounds.maxLoss === 0 ? 'Lose' : '', bounds.maxDup === 0 ? 'Duplicate' : '', bounds.maxCrashes === 0 ? 'Crash' : '']);
  return {
    actionKinds: ACTION_KINDS.filter((k) => !impossible.has(k)),
    invariants: [tcAtomic(pStates), tcDecisionStable, tcAckDurable, rwAppliedOnce, tcTerminates(pStates, quiescent), clockOrder(clocks)],
    stepInvariants: [tcPreparedWaits(pStates) as StepInvariant<S, A>, clockMonotone<S, A>(clocks)],
    init: () => [init],
    actions,
    next,
    describe: (a) => describeAction(a),
    view: (s) => viewOf(s, roles),
    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

function describeAction(a: A): string {
  switch (a.kind) {
    case 'Deliver':
    case 'Lose':
    case 'Duplicate':
    case 'Crash':
      return describeWorldAction(a);
    case 'RetryableWrite':
      return `RetryableWrite(${a.shard})`;
    case 'Statement':
      return `Statement(${a.write ? 'insert' : 'find'} ${a.shard})`;
    case 'Timeout':
      return `Timeout(${a.host})`;
    case 'Expire':
    case 'MajorityCommit':
      return `${a.kind}(${a.shard})`;
    default:
      return a.kind;
  }
}

/** The per-role view of a state in traces, with logical times as BSON Timestamps. */
function viewOf(s: S, roles: ReturnType<typeof twoPhaseCommitRoles>): Record<string, unknown> {
  const name = (chart: { configs: readonly { name: string }[] }, snap: RoleSnapshot<unknown>) => chart.configs[snap.at]!.name;
  const c = s.client.ctx;
  const view: Record<string, unknown> = {
    client: { state: name(roles.client, s.client), clusterTime: toTimestamp(c.clusterTime), outcome: c.outcome, recoveryShard: c.recoveryShard, retriesLeft: c.retriesLeft },
  };
  for (const r of s.routers) {
    view[r.ctx.host] = {
      state: name(roles.router, r),
      ...vectorTimeView(r.ctx.clock),
      participants: r.ctx.participants.map((p) => `${p.shard}${p.readOnly ? ' (read-only)' : ''}`),
      recoveryShard: r.ctx.recoveryShard,
      aborted: r.ctx.aborted,
      pending: r.ctx.pending === null ? null : `${r.ctx.pending.kind}#${r.ctx.pending.id}`,
    };
  }
  for (const sh of s.shards) {
    const x = sh.ctx;
    view[x.host] = {
      state: name(roles.shard, sh),
      ...vectorTimeView(x.clock),
      'config.transactions': x.record === null ? null : { txnNumber: x.record.txnNumber, state: x.record.state, ...(x.record.prepareTs > 0 ? { prepareTimestamp: toTimestamp(x.record.prepareTs) } : {}) },
      retryableWriteApplied: x.applied,
      'config.transaction_coordinators': docView(x.coordDoc),
      ...(x.coordLocal !== x.coordDoc ? { unreplicatedCoordinatorWrite: docView(x.coordLocal) } : {}),
      ...(x.coordinator === null ? {} : { coordinator: { participants: x.coordinator.participants, votes: x.coordinator.votes, acks: x.coordinator.acks, waiting: x.coordinator.waiters.map((w) => `${w.id}@${w.to}`) } }),
    };
  }
  view['decided'] = s.decided;
  view['network'] = s.net.map((m) => (m.kind === 'request' ? `${m.cmd.name}#${m.id} ${m.from}→${String(m.to)}` : `${m.status}#${m.id} ${m.from}→${m.to}`));
  return view;
}

function docView(doc: ShardContext['coordDoc']): unknown {
  if (doc === null) return null;
  return { participants: doc.participants, decision: doc.decision === null ? null : doc.decision.commit ? { decision: 'commit', commitTimestamp: toTimestamp(doc.decision.commitTs) } : { decision: 'abort' } };
}

export const twoPhaseCommit: ModelDefinition = {
  name: 'two-phase-commit',
  summary: "MongoDB's cross-shard transactions: router, participant shards, two-phase commit coordinator with step-up recovery, recovery by a second router",
  sizeParams: {
    shards: { description: 'shard primaries (each a participant, the first one a transaction writes to the coordinator)', min: 1, max: 3 },
    stmts: { description: "the transaction's statements at most", min: 0, max: 3 },
    writes: { description: 'retryable writes the session does before the transaction', min: 0, max: 1 },
    anyShard: { description: 'whether a statement may go to any shard (1) or statement k goes to shard k mod shards (0)', min: 0, max: 1 },
    crashAll: { description: 'whether every shard may crash (1) or only the first, the coordinator (0)', min: 0, max: 1 },
    reads: { description: 'whether statements may be reads (1) or are all writes (0)', min: 0, max: 1 },
    retries: { description: "the client's retries (of the retryable write or of commitTransaction, on either router)", min: 0, max: 3 },
    ...FAULT_SIZE_PARAMS,
    maxFaults: { description: 'how many faults (losses, duplications, crashes) one run may have in all', min: 0, max: 8 },
  },
  sizes: {
    default: { shards: 2, stmts: 2, anyShard: 0, writes: 1, retries: 1, reads: 0, crashAll: 0, maxLoss: 1, maxDup: 0, maxCrashes: 1, maxFaults: 1 },
    large: { shards: 2, stmts: 2, anyShard: 1, writes: 1, retries: 1, reads: 1, crashAll: 1, maxLoss: 1, maxDup: 1, maxCrashes: 1, maxFaults: 1 },
  },
  invariants: [
    { id: 'TC-ATOMIC', description: 'no participant that wrote commits while another that wrote aborts' },
    { id: 'TC-DECISION-STABLE', description: 'a persisted decision never changes, and every participant that prepared ends with the persisted decision' },
    { id: 'TC-PREPARED-WAITS', description: "a prepared participant leaves prepare only on the coordinator's decision" },
    { id: 'TC-ACK-DURABLE', description: 'the client is told "committed" only after a commit decision is durable' },
    { id: 'TC-TERMINATES', description: 'at quiescence (no step enabled but faults) no participant is left prepared' },
    { id: 'RW-APPLIED-ONCE', description: 'a retried (or duplicated) retryable write statement is not applied twice' },
    { id: 'VC-ORDER', description: 'ClusterTime ≥ ConfigTime ≥ TopologyTime at every node, always' },
    { id: 'VC-MONOTONE', description: 'no vector-time component decreases at any node in any step, crash and restart included' },
  ],
  bugs: TWO_PHASE_COMMIT_BUGS,
  roles: [
    { name: 'client', summary: 'a driver: a retryable write, then a transaction; retries commit, or recovers it on a second router', machine: clientMachine },
    { name: 'router', summary: 'a mongos: participants, coordinator, recovery shard, the commit paths, implicit abort, recovery with the token', machine: routerMachine, viewKeys: (key) => key === 'router' || key === 'router2' },
    { name: 'shard', summary: 'a shard primary: the transaction participant and the two-phase commit coordinator', machine: shardMachine, viewKeys: (key) => /^shard\d+$/.test(key) },
  ],
  build: (size, bugs) => twoPhaseCommitModel(size, bugs) as unknown as Model,
};
