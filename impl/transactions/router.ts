/**
 * The router (mongos) of a cross-shard transaction (seed 003, "Transactions", "Committing a
 * Transaction", "Aborting a Transaction"): it tracks the participant shards in the order it first
 * contacts them, makes the first one the coordinator and the first one written the recovery shard,
 * and commits by the path the number of participants and of write participants give. A router that
 * does not know the transaction and gets `commitTransaction` with a recovery token asks the
 * recovery shard for the outcome (`coordinateCommitTransaction` with an empty participant list).
 * Everything a router holds is in memory.
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { advance, ZERO_TIME } from '../logical-time.js';
import type { Command, Message, RemoteResponse, Status } from '../world/network.js';
import { request } from '../world/network.js';
import type { Bugs, MessageEvent, RecoveryToken } from './common.js';
import { clientGossip, gossipOf, inTransaction, memo, requestOf, responseOf, RETRYABLE_TXN_NUMBER, TXN_NUMBER } from './common.js';

/** A participant shard of the transaction; `readOnly` until a statement writes on it. */
export interface TxnParticipant {
  readonly shard: string;
  readonly readOnly: boolean;
}

/** How the router is committing, or what else it is waiting for. */
export type PendingKind = 'write' | 'statement' | 'commit' | 'readOnlyCommit' | 'recovery' | 'abort';

export interface RouterContext {
  readonly host: string;
  readonly clock: VectorTime;
  /** The participants, in the order the router first sent them a statement: the first is the coordinator. */
  readonly participants: readonly TxnParticipant[];
  /** The first participant written (the recovery shard), if any. */
  readonly recoveryShard: string | null;
  /** Whether the router has aborted the transaction (implicitly or on request). */
  readonly aborted: boolean;
  /** Whether commit has started: no statement or abort is taken after it, and no implicit abort happens. */
  readonly committing: boolean;
  /** The client request it is working on: its id, kind, and the shards that still owe a response. */
  readonly pending: {
    readonly id: string;
    readonly kind: PendingKind;
    readonly outstanding: readonly string[];
    /** A read-only participant answered the commit with an error. */
    readonly failed: boolean;
    /** The statement is the first to its shard: it starts the transaction there. */
    readonly starts: boolean;
    /** What to answer the client once an abort is done: `ok` for its `abortTransaction`, the error for an implicit abort. */
    readonly reply: Status;
  } | null;
}

export type RouterEvent = MessageEvent | { readonly type: 'TIMEOUT' };

export function newRouter(host: string): RouterContext {
  return { host, clock: ZERO_TIME, participants: [], recoveryShard: null, aborted: false, committing: false, pending: null };
}

const COMMIT: Command = Object.freeze({ name: 'commitTransaction', txnNumber: TXN_NUMBER });
const ABORT: Command = Object.freeze({ name: 'abortTransaction', txnNumber: TXN_NUMBER });

const tokens = memo((shard: string): { recoveryToken: RecoveryToken } => ({ recoveryToken: { recoveryShardId: shard === '' ? null : shard } }));
const writeCommands = memo((stmtId: number): Command => ({ name: 'insert', txnNumber: RETRYABLE_TXN_NUMBER, stmtId }));
const statementCommands = memo((key: string): Command => {
  const [name, start, coordinator] = key.split('|') as [string, string, string];
  const base = { name, txnNumber: TXN_NUMBER, autocommit: false };
  if (start !== 'true') return base;
  return coordinator === 'true' ? { ...base, startTransaction: true, coordinator: true } : { ...base, startTransaction: true };
});
const coordinateCommands = memo((participants: string): Command => ({ name: 'coordinateCommitTransaction', txnNumber: TXN_NUMBER, participants: participants === '' ? [] : participants.split(',') }));

const writers = (ctx: RouterContext): number => ctx.participants.reduce((n, p) => n + (p.readOnly ? 0 : 1), 0);
const isParticipant = (ctx: RouterContext, shard: string): boolean => ctx.participants.some((p) => p.shard === shard);

export function routerImpl(bugs: Bugs) {
  const multiWriterOnSingleShardPath = bugs.has('multi-writer-single-shard-commit');
  const msgOf = (e: RouterEvent) => requestOf(e as MessageEvent);
  const pendingResponse = (ctx: RouterContext, e: RouterEvent): RemoteResponse | undefined => {
    if (!('msg' in e) || e.msg.kind !== 'response' || ctx.pending === null || e.msg.id !== ctx.pending.id) return undefined;
    return ctx.pending.outstanding.includes(e.msg.from) ? e.msg : undefined;
  };
  const remember = (ctx: RouterContext, e: RouterEvent, kind: PendingKind, outstanding: readonly string[], starts = false): RouterContext => ({
    ...ctx,
    pending: { id: msgOf(e).id, kind, outstanding, failed: false, starts, reply: 'ok' },
  });
  const toShard = (ctx: RouterContext, shard: string, cmd: Command): Message => request(ctx.pending!.id, ctx.host, shard, cmd, gossipOf(ctx.clock));
  const toClient = (ctx: RouterContext, status: Status, data: unknown): Message => ({
    kind: 'response',
    id: ctx.pending!.id,
    from: ctx.host,
    to: 'client',
    status,
    data,
    gossip: clientGossip(ctx.clock.cluster),
  });
  const token = (ctx: RouterContext): { recoveryToken: RecoveryToken } => tokens(ctx.recoveryShard ?? '');
  return {
    guards: {
      isRetryableWrite: (_ctx: RouterContext, e: RouterEvent) => !inTransaction(msgOf(e).cmd),
      isAborted: (ctx: RouterContext) => ctx.aborted,
      /** The transaction is over for new statements and aborts: aborted, or commit has started. */
      isClosed: (ctx: RouterContext) => ctx.aborted || ctx.committing,
      /** `commitTransaction` for a transaction this router did not run, with a recovery token. */
      isRecovery: (ctx: RouterContext, e: RouterEvent) => ctx.participants.length === 0 && msgOf(e).cmd['recoveryToken'] !== undefined,
      tokenNamesShard: (_ctx: RouterContext, e: RouterEvent) => (msgOf(e).cmd['recoveryToken'] as RecoveryToken).recoveryShardId !== null,
      hasNoParticipants: (ctx: RouterContext) => ctx.participants.length === 0,
      hasOneParticipant: (ctx: RouterContext) => ctx.participants.length === 1,
      /** No write participant: commit each read-only participant on its own. Under the seeded bug, several writers also take this path. */
      commitsEachShard: (ctx: RouterContext) => writers(ctx) === 0 || (multiWriterOnSingleShardPath && writers(ctx) > 1),
      isPendingResponse: (ctx: RouterContext, e: RouterEvent) => pendingResponse(ctx, e) !== undefined,
      isStatementError: (ctx: RouterContext, e: RouterEvent) => ctx.pending?.kind === 'statement' && pendingResponse(ctx, e)?.status !== 'ok',
      awaitsOthers: (ctx: RouterContext, e: RouterEvent) => ctx.pending!.outstanding.length > 1 && pendingResponse(ctx, e) !== undefined,
      isStatementPending: (ctx: RouterContext) => ctx.pending?.kind === 'statement',
      isAbortPending: (ctx: RouterContext) => ctx.pending?.kind === 'abort',
    },
    updates: {
      acceptClientGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const clock = advance(ctx.clock, { $clusterTime: msgOf(e).gossip.$clusterTime });
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      acceptGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const clock = advance(ctx.clock, responseOf(e as MessageEvent).gossip);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      rememberWrite: (ctx: RouterContext, e: RouterEvent): RouterContext => remember(ctx, e, 'write', [msgOf(e).cmd['shard'] as string]),
      /** A statement to a shard not yet a participant makes it one (read-only until it writes). */
      rememberStatement: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const shard = msgOf(e).cmd['shard'] as string;
        const starts = !isParticipant(ctx, shard);
        const participants = starts ? [...ctx.participants, { shard, readOnly: true }] : ctx.participants;
        return { ...remember(ctx, e, 'statement', [shard], starts), participants };
      },
      rememberCommit: (ctx: RouterContext, e: RouterEvent): RouterContext => ({ ...remember(ctx, e, 'commit', [ctx.participants[0]!.shard]), committing: true }),
      rememberReadOnlyCommit: (ctx: RouterContext, e: RouterEvent): RouterContext => ({ ...remember(ctx, e, 'readOnlyCommit', ctx.participants.map((p) => p.shard)), committing: true }),
      rememberRecovery: (ctx: RouterContext, e: RouterEvent): RouterContext =>
        remember(ctx, e, 'recovery', [(msgOf(e).cmd['recoveryToken'] as RecoveryToken).recoveryShardId!]),
      /** A participant's response: it is no longer read-only if the statement wrote; the first written is the recovery shard. */
      recordStatementResult: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const res = responseOf(e as MessageEvent);
        if ((res.data as { readOnly?: boolean } | null)?.readOnly !== false) return ctx;
        const participants = ctx.participants.map((p) => (p.shard === res.from && p.readOnly ? { shard: p.shard, readOnly: false } : p));
        return { ...ctx, participants, recoveryShard: ctx.recoveryShard ?? res.from };
      },
      recordCommitResponse: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const res = responseOf(e as MessageEvent);
        const p = ctx.pending!;
        return { ...ctx, pending: { ...p, outstanding: p.outstanding.filter((s) => s !== res.from), failed: p.failed || res.status !== 'ok' } };
      },
      rememberAbort: (ctx: RouterContext, e: RouterEvent): RouterContext => remember(ctx, e, 'abort', ctx.participants.map((p) => p.shard)),
      /** An implicit abort: the failed statement's exchange goes on as an abort of every participant; the client hears the error after. */
      abortImplicitly: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        const reply: Status = 'msg' in e ? responseOf(e).status : 'NetworkError';
        return { ...ctx, aborted: true, pending: { id: ctx.pending!.id, kind: 'abort', outstanding: ctx.participants.map((p) => p.shard), failed: false, starts: false, reply } };
      },
      markAborted: (ctx: RouterContext): RouterContext => ({ ...ctx, aborted: true }),
      forget: (ctx: RouterContext): RouterContext => ({ ...ctx, pending: null }),
    },
    effects: {
      forwardWrite: (ctx: RouterContext, e: RouterEvent): readonly Message[] => {
        const cmd = msgOf(e).cmd;
        return [toShard(ctx, cmd['shard'] as string, writeCommands(cmd['stmtId'] as number))];
      },
      /** The statement with the transaction's fields; the first to a shard starts it there, and tells the first participant it coordinates. */
      forwardStatement: (ctx: RouterContext, e: RouterEvent): readonly Message[] => {
        const cmd = msgOf(e).cmd;
        const shard = cmd['shard'] as string;
        const starts = ctx.pending!.starts;
        return [toShard(ctx, shard, statementCommands(`${cmd.name}|${starts}|${starts && ctx.participants.length === 1}`))];
      },
      commitParticipant: (ctx: RouterContext): readonly Message[] => [toShard(ctx, ctx.participants[0]!.shard, COMMIT)],
      commitEachParticipant: (ctx: RouterContext): readonly Message[] => ctx.participants.map((p) => toShard(ctx, p.shard, COMMIT)),
      coordinateCommit: (ctx: RouterContext): readonly Message[] => [
        toShard(ctx, ctx.participants[0]!.shard, coordinateCommands(ctx.participants.map((p) => p.shard).join(','))),
      ],
      askRecoveryShard: (ctx: RouterContext): readonly Message[] => [
        toShard(ctx, ctx.pending!.outstanding[0]!, coordinateCommands('')),
      ],
      /** `abortTransaction` to every participant, as part of the client's request (explicit abort) or of the failed statement's exchange (implicit abort). */
      abortParticipants: (ctx: RouterContext, e: RouterEvent): readonly Message[] => {
        const id = 'msg' in e ? e.msg.id : ctx.pending!.id;
        return ctx.participants.map((p) => request(id, ctx.host, p.shard, ABORT, gossipOf(ctx.clock)));
      },
      replyOk: (ctx: RouterContext, e: RouterEvent): readonly Message[] => [reply(ctx, e, 'ok', null)],
      replyNoSuchTransaction: (ctx: RouterContext, e: RouterEvent): readonly Message[] => [reply(ctx, e, 'NoSuchTransaction', null)],
      /** Pass the shard's answer on; statement answers carry the recovery token. */
      replyToClient: (ctx: RouterContext, e: RouterEvent): readonly Message[] => {
        const res = responseOf(e as MessageEvent);
        const p = ctx.pending!;
        if (p.kind === 'statement') return [toClient(ctx, res.status, token(ctx))];
        if (p.kind === 'readOnlyCommit') return [toClient(ctx, p.failed || res.status !== 'ok' ? 'NoSuchTransaction' : 'ok', null)];
        if (p.kind === 'abort') return [toClient(ctx, p.reply, p.reply === 'ok' ? null : token(ctx))];
        return [toClient(ctx, res.status, null)];
      },
      replyNetworkError: (ctx: RouterContext): readonly Message[] => (ctx.pending === null ? [] : [toClient(ctx, 'NetworkError', null)]),
      /** An abort whose answers were lost: the client hears what it would have heard. */
      replyAbortResult: (ctx: RouterContext): readonly Message[] => (ctx.pending === null ? [] : [toClient(ctx, ctx.pending.reply, null)]),
    },
  };

  function reply(ctx: RouterContext, e: RouterEvent, status: Status, data: unknown): Message {
    const req = msgOf(e);
    return { kind: 'response', id: req.id, from: ctx.host, to: req.from, status, data, gossip: clientGossip(ctx.clock.cluster) };
  }
}

export type RouterImpl = ReturnType<typeof routerImpl>;
