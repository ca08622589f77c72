/**
 * A router of the DDL coordinator model: it forwards a client's DDL request to the database's
 * primary shard, where the coordinator service runs it (seed 003, "Sharding DDL Coordinator").
 * A request that goes unanswered — lost, or its connection reset by the primary's step-down — is
 * retried (a retryable error: the network's or `NotPrimary`); the answer it finally gets (success,
 * a conflict with another request's options, a failed precondition) is the client's.
 *
 * A router has no durable state and never ticks its clock; it only gossips. It does not crash in
 * this model (a router crash loses a request the client would retry: nothing new for the
 * coordinator).
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { internalGossip, ZERO_TIME } from '../logical-time.js';
import type { Message, Status } from '../world/network.js';
import { request } from '../world/network.js';
import type { Bugs, DdlOp, MessageEvent } from './common.js';
import { coordinatorHost, ddlCommand, responseOf, receiveGossip } from './common.js';

export interface RouterContext {
  readonly name: string;
  /** The client's request. */
  readonly op: DdlOp;
  readonly clock: VectorTime;
  /** The answer the client got, `null` until then. */
  readonly result: Status | null;
}

export type RouterEvent = MessageEvent | { readonly type: 'SUBMIT' } | { readonly type: 'TIMEOUT' };

export function newRouter(name: string, op: DdlOp): RouterContext {
  return { name, op, clock: ZERO_TIME, result: null };
}

/** The exchange id of a router's request (a retry is the same request again). */
export const routerRequestId = (ctx: { readonly name: string }): string => `${ctx.name}/ddl`;

export function routerImpl(bugs: Bugs) {
  return {
    guards: {
      isReply: (ctx: RouterContext, e: RouterEvent) => 'msg' in e && e.msg.id === routerRequestId(ctx),
    },
    updates: {
      acceptGossip: (ctx: RouterContext, e: RouterEvent): RouterContext => {
        if (!('msg' in e)) return ctx;
        const clock = receiveGossip(ctx.clock, e.msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      recordResult: (ctx: RouterContext, e: RouterEvent): RouterContext => ({ ...ctx, result: responseOf(e as MessageEvent).status }),
    },
    effects: {
      forwardRequest: (ctx: RouterContext): readonly Message[] => {
        const { kind: _kind, ...options } = ctx.op;
        return [request(routerRequestId(ctx), ctx.name, coordinatorHost(ctx.op.kind), { name: ddlCommand(ctx.op), ...options }, internalGossip(ctx.clock))];
      },
    },
  };
}
