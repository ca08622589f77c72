/**
 * A shard primary of the transaction model: the transaction **participant** (statements, its vote
 * on `prepareTransaction`, commit and abort, its durable state in `config.transactions`, and the
 * session's retryable-write bookkeeping) and, on the shard the router picks, the transaction
 * **coordinator** (two-phase commit with its `config.transaction_coordinators` document, and
 * step-up recovery from it). Seed 003, "Transactions", "Two-phase Commit Protocol", "Retryable
 * writes", "The transactions table".
 *
 * Durable (survives a crash and failover): the vector time, the session's `config.transactions`
 * document (`record`), the data written by the retryable write (`applied`), and the *majority
 * committed* coordinator document (`coordDoc`). Volatile: the in-memory transaction, the cache of
 * executed statements, the coordinator's in-memory state, requests waiting for an answer, and a
 * coordinator-document write not yet majority committed (`coordLocal` differs from `coordDoc`
 * until replication commits it; a failover loses it).
 *
 * @module
 */
import type { LogicalTime, VectorTime } from '../logical-time.js';
import { vectorTime, ZERO_TIME } from '../logical-time.js';
import type { Command, Message, RemoteRequest, Status } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { Bugs, MessageEvent, Waiter } from './common.js';
import { DECISION_ID, gossipOf, gossiped, inTransaction, memo, PREPARE_ID, requestOf, responseOf, RETRYABLE_TXN_NUMBER, TXN_NUMBER } from './common.js';

/** The session's document in `config.transactions`. */
export interface TxnRecord {
  readonly txnNumber: number;
  /** `executed`: a retryable write's statements `stmtIds` ran; otherwise the transaction's state. */
  readonly state: 'executed' | 'prepared' | 'committed' | 'aborted';
  readonly stmtIds: readonly number[];
  /** The prepare timestamp, 0 if the transaction was never prepared here. */
  readonly prepareTs: LogicalTime;
  /** Whether the transaction wrote on this shard. */
  readonly wrote: boolean;
}

export interface Decision {
  readonly commit: boolean;
  /** The commit timestamp: the largest prepare timestamp of the votes (0 for an abort). */
  readonly commitTs: LogicalTime;
}

/** The transaction's document in `config.transaction_coordinators`. */
export interface CoordinatorDoc {
  readonly participants: readonly string[];
  readonly decision: Decision | null;
}

/** The coordinator's in-memory state. */
export interface CoordinatorState {
  readonly participants: readonly string[];
  /** The participants that voted to commit. */
  readonly votes: readonly string[];
  /** The largest prepare timestamp voted so far. */
  readonly commitTs: LogicalTime;
  readonly decision: Decision | null;
  /** The participants that acknowledged the decision. */
  readonly acks: readonly string[];
  /** `coordinateCommitTransaction` requests waiting for the decision. */
  readonly waiters: readonly Waiter[];
}

export interface ShardContext {
  readonly host: string;
  readonly clock: VectorTime;
  /** Durable: `config.transactions` for the session. */
  readonly record: TxnRecord | null;
  /** Durable data: how many times the retryable write's statement was applied. */
  readonly applied: number;
  /** Volatile: the statements of the session's retryable write known to have run (the in-memory cache). */
  readonly executed: readonly number[];
  /** Volatile: the transaction on this shard since it last started (`null`: not started). */
  readonly txn: { readonly wrote: boolean; readonly prepareTs: LogicalTime } | null;
  /** Volatile: `coordinateCommitTransaction` requests answered from the local participant once it leaves prepare. */
  readonly fallbackWaiters: readonly Waiter[];
  /** Durable: the coordinator document as majority committed. */
  readonly coordDoc: CoordinatorDoc | null;
  /** The coordinator document as the primary last wrote it (equal to `coordDoc` once replicated). */
  readonly coordLocal: CoordinatorDoc | null;
  /** Volatile: the coordinator, if this shard coordinates the transaction. */
  readonly coordinator: CoordinatorState | null;
}

export type ShardEvent = MessageEvent | { readonly type: 'STEP_UP' } | { readonly type: 'EXPIRE' } | { readonly type: 'TIMEOUT' } | { readonly type: 'MAJORITY_COMMIT' };

export function newShard(host: string): ShardContext {
  return { host, clock: ZERO_TIME, record: null, applied: 0, executed: [], txn: null, fallbackWaiters: [], coordDoc: null, coordLocal: null, coordinator: null };
}

const coordinatorFrom = (doc: CoordinatorDoc): CoordinatorState => ({ participants: doc.participants, votes: [], commitTs: 0, decision: doc.decision, acks: [], waiters: [] });

/**
 * A restarted shard primary (a crash, or a failover to a secondary with the majority-committed
 * data): durable state kept; the unprepared transaction, the caches, the waiting requests and an
 * unreplicated coordinator write lost. The session's executed statements are reloaded from
 * `config.transactions` (seed: "overwritten by the on-disk transaction history at the next
 * session checkout"). Step-up recovery rebuilds the coordinator from its document.
 */
export function recoverShard(ctx: ShardContext, _bugs: Bugs = new Set()): ShardContext {
  const r = ctx.record;
  const txn = r !== null && r.txnNumber === TXN_NUMBER ? { wrote: r.wrote, prepareTs: r.prepareTs } : null;
  const executed = r !== null && r.txnNumber === RETRYABLE_TXN_NUMBER ? r.stmtIds : [];
  return {
    host: ctx.host,
    clock: ctx.clock,
    record: r,
    applied: ctx.applied,
    executed,
    txn,
    fallbackWaiters: [],
    coordDoc: ctx.coordDoc,
    coordLocal: ctx.coordDoc,
    coordinator: ctx.coordDoc === null ? null : coordinatorFrom(ctx.coordDoc),
  };
}

/** A write on the shard: ClusterTime ticks and is the write's time. */
const tick = (clock: VectorTime): VectorTime => vectorTime(clock.cluster + 1, clock.config, clock.topology);

const PREPARE: Command = Object.freeze({ name: 'prepareTransaction', txnNumber: TXN_NUMBER });
const ABORT: Command = Object.freeze({ name: 'abortTransaction', txnNumber: TXN_NUMBER });
const commitAt = memo((commitTimestamp: LogicalTime): Command => ({ name: 'commitTransaction', txnNumber: TXN_NUMBER, commitTimestamp }));
const READ_ONLY = Object.freeze({ readOnly: true });
const WROTE = Object.freeze({ readOnly: false });
const voteData = memo((prepareTimestamp: LogicalTime) => ({ prepareTimestamp }));

const addWaiter = (waiters: readonly Waiter[], w: Waiter): readonly Waiter[] => (waiters.some((x) => x.id === w.id && x.to === w.to) ? waiters : [...waiters, w]);

export function shardImpl(bugs: Bugs) {
  const sendDecisionEarly = bugs.has('decision-sent-before-persisted');
  const persistParticipants = !bugs.has('participant-list-not-persisted');
  const preparedMayExpire = bugs.has('prepared-aborts-on-timeout');
  const ackEarly = bugs.has('ack-before-decision-durable');
  const dedupe = !bugs.has('retryable-write-not-deduplicated');

  const req = (e: ShardEvent): RemoteRequest => requestOf(e as MessageEvent);
  const cmdOf = (e: ShardEvent): Command => req(e).cmd;
  const answer = (ctx: ShardContext, e: ShardEvent, status: Status, data: unknown = null): readonly Message[] => [respond(req(e), ctx.host, status, data, gossipOf(ctx.clock))];
  const answerWaiter = (ctx: ShardContext, w: Waiter, status: Status): Message => ({ kind: 'response', id: w.id, from: ctx.host, to: w.to, status, data: null, gossip: gossipOf(ctx.clock) });
  const decisionStatus = (d: Decision): Status => (d.commit ? 'ok' : 'NoSuchTransaction');
  const coord = (ctx: ShardContext): CoordinatorState => ctx.coordinator!;
  const withCoordinator = (ctx: ShardContext, c: Partial<CoordinatorState>): ShardContext => ({ ...ctx, coordinator: { ...coord(ctx), ...c } });
  const vote = (ctx: ShardContext, e: ShardEvent) => {
    if (e.type !== 'response' || e.msg.id !== PREPARE_ID || ctx.coordinator === null || ctx.coordinator.decision !== null) return undefined;
    const c = ctx.coordinator;
    return c.participants.includes(e.msg.from) && !c.votes.includes(e.msg.from) ? responseOf(e) : undefined;
  };
  const isAckOf = (ctx: ShardContext, e: ShardEvent): boolean =>
    e.type === 'response' && e.msg.id === DECISION_ID && ctx.coordinator !== null && ctx.coordinator.participants.includes(e.msg.from) && !ctx.coordinator.acks.includes(e.msg.from);
  const prepareTo = (ctx: ShardContext, shard: string): Message => request(PREPARE_ID, ctx.host, shard, PREPARE, gossipOf(ctx.clock));
  const decisionTo = (ctx: ShardContext, shard: string, d: Decision): Message => request(DECISION_ID, ctx.host, shard, d.commit ? commitAt(d.commitTs) : ABORT, gossipOf(ctx.clock));
  const decide = (ctx: ShardContext, commit: boolean): ShardContext => {
    const c = coord(ctx);
    const decision: Decision = commit ? { commit: true, commitTs: c.commitTs } : { commit: false, commitTs: 0 };
    return { ...ctx, clock: tick(ctx.clock), coordLocal: { participants: persistParticipants ? c.participants : [], decision }, coordinator: { ...c, decision } };
  };
  const sendDecision = (ctx: ShardContext): readonly Message[] => {
    const c = ctx.coordinator;
    if (c === null || c.decision === null) return [];
    return c.participants.filter((p) => !c.acks.includes(p)).map((p) => decisionTo(ctx, p, c.decision!));
  };
  const replyWaiters = (ctx: ShardContext): readonly Message[] => {
    const c = ctx.coordinator;
    if (c === null || c.decision === null) return [];
    return c.waiters.map((w) => answerWaiter(ctx, w, decisionStatus(c.decision!)));
  };
  const commitRecord = (ctx: ShardContext): TxnRecord => ({ txnNumber: TXN_NUMBER, state: 'committed', stmtIds: [], prepareTs: ctx.txn?.prepareTs ?? 0, wrote: ctx.txn?.wrote ?? false });

  return {
    guards: {
      // ---- recovery of the participant from config.transactions
      recordPrepared: (ctx: ShardContext) => ctx.record?.txnNumber === TXN_NUMBER && ctx.record.state === 'prepared',
      recordCommitted: (ctx: ShardContext) => ctx.record?.txnNumber === TXN_NUMBER && ctx.record.state === 'committed',
      recordAborted: (ctx: ShardContext) => ctx.record?.txnNumber === TXN_NUMBER && ctx.record.state === 'aborted',
      // ---- the session's retryable write
      isRetryableWrite: (_ctx: ShardContext, e: ShardEvent) => !inTransaction(cmdOf(e)),
      /** The statement already ran (the cache of executed statements says so): answer without applying it again. */
      alreadyExecuted: (ctx: ShardContext, e: ShardEvent) => dedupe && ctx.executed.includes(cmdOf(e)['stmtId'] as number) && (ctx.record?.txnNumber ?? 0) <= RETRYABLE_TXN_NUMBER,
      /** A newer `txnNumber` has started on the session. */
      isTooOld: (ctx: ShardContext, e: ShardEvent) => (ctx.record?.txnNumber ?? 0) > (cmdOf(e)['txnNumber'] as number) || ctx.txn !== null,
      // ---- transaction statements
      startsTransaction: (ctx: ShardContext, e: ShardEvent) => inTransaction(cmdOf(e)) && cmdOf(e)['startTransaction'] === true && ctx.txn === null,
      continuesTransaction: (_ctx: ShardContext, e: ShardEvent) => inTransaction(cmdOf(e)) && cmdOf(e)['startTransaction'] !== true,
      hasCommitTimestamp: (_ctx: ShardContext, e: ShardEvent) => cmdOf(e)['commitTimestamp'] !== undefined,
      coordinatorAbsent: (ctx: ShardContext) => ctx.coordinator === null,
      mayExpireWhenPrepared: () => preparedMayExpire,
      // ---- the coordinator
      becomesCoordinator: (ctx: ShardContext, e: ShardEvent) => inTransaction(cmdOf(e)) && cmdOf(e)['startTransaction'] === true && cmdOf(e)['coordinator'] === true && ctx.txn === null,
      hasParticipantList: (_ctx: ShardContext, e: ShardEvent) => (cmdOf(e)['participants'] as readonly string[]).length > 0,
      persistsParticipants: () => persistParticipants,
      docHasDecision: (ctx: ShardContext) => ctx.coordDoc?.decision != null,
      docHasParticipants: (ctx: ShardContext) => ctx.coordDoc !== null,
      hasUnreplicatedWrite: (ctx: ShardContext) => ctx.coordLocal !== ctx.coordDoc,
      isAbortVote: (ctx: ShardContext, e: ShardEvent) => vote(ctx, e)?.status !== undefined && vote(ctx, e)!.status !== 'ok',
      isLastCommitVote: (ctx: ShardContext, e: ShardEvent) => vote(ctx, e)?.status === 'ok' && coord(ctx).votes.length + 1 === coord(ctx).participants.length,
      isVote: (ctx: ShardContext, e: ShardEvent) => vote(ctx, e) !== undefined,
      isAck: (ctx: ShardContext, e: ShardEvent) => isAckOf(ctx, e),
      allAcked: (ctx: ShardContext) => ctx.coordinator !== null && ctx.coordinator.acks.length === ctx.coordinator.participants.length,
    },
    updates: {
      acceptGossip: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const clock = gossiped(ctx.clock, (e as MessageEvent).msg.gossip);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      // ---- the session's retryable write: apply, and record the statement in config.transactions (one write)
      applyRetryableWrite: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const stmtId = cmdOf(e)['stmtId'] as number;
        return {
          ...ctx,
          clock: tick(ctx.clock),
          applied: ctx.applied + 1,
          record: { txnNumber: RETRYABLE_TXN_NUMBER, state: 'executed', stmtIds: [stmtId], prepareTs: 0, wrote: true },
          executed: [stmtId],
        };
      },
      // ---- participant
      startTransaction: (ctx: ShardContext): ShardContext => ({ ...ctx, txn: { wrote: false, prepareTs: 0 }, executed: [] }),
      /** A write ticks ClusterTime; a read does not. */
      applyStatement: (ctx: ShardContext, e: ShardEvent): ShardContext =>
        cmdOf(e).name === 'insert' ? { ...ctx, clock: tick(ctx.clock), txn: { wrote: true, prepareTs: ctx.txn?.prepareTs ?? 0 } } : ctx,
      /** Prepare: the prepare oplog entry's time is the prepare timestamp; the prepared state is durable in config.transactions. */
      prepare: (ctx: ShardContext): ShardContext => {
        const clock = tick(ctx.clock);
        const wrote = ctx.txn?.wrote ?? false;
        return { ...ctx, clock, txn: { wrote, prepareTs: clock.cluster }, record: { txnNumber: TXN_NUMBER, state: 'prepared', stmtIds: [], prepareTs: clock.cluster, wrote } };
      },
      commitPrepared: (ctx: ShardContext): ShardContext => ({ ...ctx, clock: tick(ctx.clock), record: commitRecord(ctx) }),
      /** A transaction that did not prepare commits in one phase; only one that wrote leaves a durable trace. */
      commitUnprepared: (ctx: ShardContext): ShardContext => (ctx.txn?.wrote === true ? { ...ctx, clock: tick(ctx.clock), record: commitRecord(ctx) } : ctx),
      abortPrepared: (ctx: ShardContext): ShardContext => ({ ...ctx, clock: tick(ctx.clock), record: { ...ctx.record!, state: 'aborted' } }),
      addFallbackWaiter: (ctx: ShardContext, e: ShardEvent): ShardContext => ({ ...ctx, fallbackWaiters: addWaiter(ctx.fallbackWaiters, { id: req(e).id, to: req(e).from }) }),
      clearFallbackWaiters: (ctx: ShardContext): ShardContext => (ctx.fallbackWaiters.length === 0 ? ctx : { ...ctx, fallbackWaiters: [] }),
      // ---- coordinator
      createCoordinator: (ctx: ShardContext): ShardContext => ({ ...ctx, coordinator: { participants: [], votes: [], commitTs: 0, decision: null, acks: [], waiters: [] } }),
      rememberParticipants: (ctx: ShardContext, e: ShardEvent): ShardContext => withCoordinator(ctx, { participants: cmdOf(e)['participants'] as readonly string[] }),
      /** Step 1 of the prepare phase: the participant list in config.transaction_coordinators (awaits majority commit). */
      writeParticipantList: (ctx: ShardContext): ShardContext => ({ ...ctx, clock: tick(ctx.clock), coordLocal: { participants: coord(ctx).participants, decision: null } }),
      addWaiter: (ctx: ShardContext, e: ShardEvent): ShardContext => withCoordinator(ctx, { waiters: addWaiter(coord(ctx).waiters, { id: req(e).id, to: req(e).from }) }),
      clearWaiters: (ctx: ShardContext): ShardContext => (coord(ctx).waiters.length === 0 ? ctx : withCoordinator(ctx, { waiters: [] })),
      /** Replication majority-commits the primary's latest coordinator-document write. */
      replicateWrite: (ctx: ShardContext): ShardContext => ({ ...ctx, coordDoc: ctx.coordLocal }),
      recordVote: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const res = responseOf(e as MessageEvent);
        const c = coord(ctx);
        const ts = (res.data as { prepareTimestamp?: LogicalTime } | null)?.prepareTimestamp ?? 0;
        return withCoordinator(ctx, { votes: [...c.votes, res.from].sort(), commitTs: Math.max(c.commitTs, ts) });
      },
      /** Step 3 of the prepare phase: the decision in the coordinator document (awaits majority commit). */
      decideCommit: (ctx: ShardContext): ShardContext => decide(ctx, true),
      decideAbort: (ctx: ShardContext): ShardContext => decide(ctx, false),
      recordAck: (ctx: ShardContext, e: ShardEvent): ShardContext => withCoordinator(ctx, { acks: [...coord(ctx).acks, responseOf(e as MessageEvent).from].sort() }),
      /**
       * The last step: delete the coordinator document, with write concern w:1. Modelled as durable at
       * once: a failover that rolls the deletion back leaves the document with its decision, which is
       * the state of a crash just before the deletion, from which recovery re-sends the decision.
       */
      deleteDocument: (ctx: ShardContext): ShardContext => ({ ...ctx, clock: tick(ctx.clock), coordLocal: null, coordDoc: null }),
      forgetCoordinator: (ctx: ShardContext): ShardContext => ({ ...ctx, coordinator: null }),
    },
    effects: {
      replyOk: (ctx: ShardContext, e: ShardEvent) => answer(ctx, e, 'ok'),
      replyTooOld: (ctx: ShardContext, e: ShardEvent) => answer(ctx, e, 'TransactionTooOld'),
      replyNoSuchTransaction: (ctx: ShardContext, e: ShardEvent) => answer(ctx, e, 'NoSuchTransaction'),
      /** A statement's answer says whether it wrote on this shard. */
      replyStatement: (ctx: ShardContext, e: ShardEvent) => answer(ctx, e, 'ok', cmdOf(e).name === 'insert' ? WROTE : READ_ONLY),
      replyVote: (ctx: ShardContext, e: ShardEvent) => answer(ctx, e, 'ok', voteData(ctx.txn?.prepareTs ?? ctx.record?.prepareTs ?? 0)),
      answerFallbackCommitted: (ctx: ShardContext) => ctx.fallbackWaiters.map((w) => answerWaiter(ctx, w, 'ok')),
      answerFallbackAborted: (ctx: ShardContext) => ctx.fallbackWaiters.map((w) => answerWaiter(ctx, w, 'NoSuchTransaction')),
      sendPrepare: (ctx: ShardContext): readonly Message[] => {
        const c = ctx.coordinator;
        return c === null ? [] : c.participants.filter((p) => !c.votes.includes(p)).map((p) => prepareTo(ctx, p));
      },
      sendDecision,
      /** Under `decision-sent-before-persisted`, the decision goes out as soon as it is made. */
      sendDecisionEarly: (ctx: ShardContext): readonly Message[] => (sendDecisionEarly ? sendDecision(ctx) : []),
      replyWaiters,
      /** Under `ack-before-decision-durable`, the routers hear the decision as soon as it is written. */
      replyWaitersEarly: (ctx: ShardContext): readonly Message[] => (ackEarly ? replyWaiters(ctx) : []),
      replyDecision: (ctx: ShardContext, e: ShardEvent) => answer(ctx, e, decisionStatus(coord(ctx).decision!)),
      replyCancelled: (ctx: ShardContext) => (ctx.coordinator === null ? [] : ctx.coordinator.waiters.map((w) => answerWaiter(ctx, w, 'NoSuchTransaction'))),
    },
  };
}

export type ShardImpl = ReturnType<typeof shardImpl>;
