/**
 * The client (a driver) of the transaction model: one session, an optional retryable write, then
 * one transaction of up to `stmts` statements, committed or aborted; a commit whose outcome it did
 * not hear is retried on the same router or recovered on a second router with the recovery token.
 *
 * @module
 */
import type { LogicalTime } from '../logical-time.js';
import type { Command, Message } from '../world/network.js';
import { request } from '../world/network.js';
import type { RecoveryToken } from './common.js';
import { CLIENT, clientGossip, memo, responseOf, retryableWriteCommand, ROUTER, ROUTER2, statementCommand, TXN_NUMBER } from './common.js';

/** What the client learned of its transaction. */
export type Outcome = 'none' | 'committed' | 'aborted';

export interface ClientContext {
  readonly clusterTime: LogicalTime;
  /** How many requests it has sent; the current one's id is `op<opCount>`. */
  readonly opCount: number;
  /** Retryable writes left to do before the transaction (0 or 1). */
  readonly writesLeft: number;
  /** Statements of the transaction left to send. */
  readonly stmtsLeft: number;
  /** How many statements it has sent (0 means the transaction has not started). */
  readonly stmts: number;
  /** Retries left: of the retryable write, or of `commitTransaction` (on either router). */
  readonly retriesLeft: number;
  /** Whether a statement of the transaction was a write. */
  readonly wrote: boolean;
  /** The recovery token from the router's last response. */
  readonly recoveryShard: string | null;
  readonly outcome: Outcome;
  /** The current request (re-sent as is by a retry). */
  readonly request: { readonly to: string; readonly cmd: Command } | null;
}

export type ClientEvent =
  | { readonly type: 'RETRYABLE_WRITE'; readonly shard: string }
  | { readonly type: 'STATEMENT'; readonly shard: string; readonly write: boolean }
  | { readonly type: 'COMMIT' }
  | { readonly type: 'ABORT' }
  | { readonly type: 'RETRY' }
  | { readonly type: 'RECOVER_COMMIT' }
  | { readonly type: 'TIMEOUT' }
  | { readonly type: 'response'; readonly msg: Message };

export const opId = (opCount: number): string => `op${opCount}`;

export function newClient(writes: number, stmts: number, retries: number): ClientContext {
  return { clusterTime: 0, opCount: 0, writesLeft: writes, stmtsLeft: stmts, stmts: 0, retriesLeft: retries, wrote: false, recoveryShard: null, outcome: 'none', request: null };
}

const COMMIT_CMD: Command = Object.freeze({ name: 'commitTransaction', txnNumber: TXN_NUMBER });
const ABORT_CMD: Command = Object.freeze({ name: 'abortTransaction', txnNumber: TXN_NUMBER });

/** `commitTransaction` with the recovery token (`''`: a token that names no shard). */
const recoveryCommit = memo((shard: string): Command => {
  const token: RecoveryToken = { recoveryShardId: shard === '' ? null : shard };
  return { ...COMMIT_CMD, recoveryToken: token };
});

/** A new request: the next op id, remembered for retries. */
const startRequest = (ctx: ClientContext, to: string, cmd: Command): ClientContext => ({ ...ctx, opCount: ctx.opCount + 1, request: { to, cmd } });

export function clientImpl() {
  const reply = (ctx: ClientContext, e: ClientEvent) => (e.type === 'response' && e.msg.id === opId(ctx.opCount) ? responseOf(e) : undefined);
  return {
    guards: {
      hasRetryableWrite: (ctx: ClientContext) => ctx.writesLeft > 0,
      /** The transaction starts once the session's retryable write is done (a higher `txnNumber`). */
      mayStartTransaction: (ctx: ClientContext) => ctx.writesLeft === 0,
      hasStatements: (ctx: ClientContext) => ctx.stmtsLeft > 0,
      hasRetries: (ctx: ClientContext) => ctx.retriesLeft > 0,
      isOk: (ctx: ClientContext, e: ClientEvent) => reply(ctx, e)?.status === 'ok',
      isAborted: (ctx: ClientContext, e: ClientEvent) => reply(ctx, e)?.status === 'NoSuchTransaction',
      isReply: (ctx: ClientContext, e: ClientEvent) => reply(ctx, e) !== undefined,
    },
    updates: {
      startRetryableWrite: (ctx: ClientContext, e: ClientEvent): ClientContext =>
        e.type === 'RETRYABLE_WRITE' ? { ...startRequest(ctx, ROUTER, retryableWriteCommand(e.shard)), writesLeft: ctx.writesLeft - 1 } : ctx,
      startStatement: (ctx: ClientContext, e: ClientEvent): ClientContext =>
        e.type === 'STATEMENT'
          ? { ...startRequest(ctx, ROUTER, statementCommand(e.shard, e.write, ctx.stmts === 0)), stmtsLeft: ctx.stmtsLeft - 1, stmts: ctx.stmts + 1, wrote: ctx.wrote || e.write }
          : ctx,
      startCommit: (ctx: ClientContext): ClientContext => startRequest(ctx, ROUTER, COMMIT_CMD),
      startAbort: (ctx: ClientContext): ClientContext => startRequest(ctx, ROUTER, ABORT_CMD),
      /** A retry: the same command again, as a new request. */
      retry: (ctx: ClientContext): ClientContext => ({ ...ctx, opCount: ctx.opCount + 1, retriesLeft: ctx.retriesLeft - 1 }),
      /** `commitTransaction` with the recovery token, to the second router. */
      recoverCommit: (ctx: ClientContext): ClientContext => ({ ...startRequest(ctx, ROUTER2, recoveryCommit(ctx.recoveryShard ?? '')), retriesLeft: ctx.retriesLeft - 1 }),
      learn: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const res = responseOf(e as { msg: Message });
        const clusterTime = Math.max(ctx.clusterTime, res.gossip.$clusterTime);
        const token = (res.data as { recoveryToken?: RecoveryToken } | null)?.recoveryToken;
        const recoveryShard = token === undefined || token.recoveryShardId === null ? ctx.recoveryShard : token.recoveryShardId;
        return clusterTime === ctx.clusterTime && recoveryShard === ctx.recoveryShard ? ctx : { ...ctx, clusterTime, recoveryShard };
      },
      recordCommitted: (ctx: ClientContext): ClientContext => ({ ...ctx, outcome: 'committed', request: null }),
      recordAborted: (ctx: ClientContext): ClientContext => ({ ...ctx, outcome: 'aborted', request: null }),
      finishRequest: (ctx: ClientContext): ClientContext => (ctx.request === null ? ctx : { ...ctx, request: null }),
    },
    effects: {
      send: (ctx: ClientContext): readonly Message[] =>
        ctx.request === null ? [] : [request(opId(ctx.opCount), CLIENT, ctx.request.to, ctx.request.cmd, clientGossip(ctx.clusterTime))],
    },
  };
}

export type ClientImpl = ReturnType<typeof clientImpl>;
