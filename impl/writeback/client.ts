/**
 * The client of the writeback model: a legacy driver that sends a fire-and-forget write and then
 * `getLastError` on the same connection to its router, and remembers which writes
 * `getLastError` reported as done (the history `WB-ACK-DURABLE` reads).
 *
 * @module
 */
import type { LogicalTime } from '../logical-time.js';
import { externalGossip } from '../logical-time.js';
import type { Message } from '../world/network.js';
import { request } from '../world/network.js';
import type { GleResult } from './common.js';
import { responseOf } from './common.js';

export interface ClientContext {
  readonly name: string;
  readonly router: string;
  readonly writesLeft: number;
  /** How many writes it has sent; the current one is `w<opCount>`, its exchange `op<opCount>`. */
  readonly opCount: number;
  readonly clusterTime: LogicalTime;
  /** The writes `getLastError` reported as done, sorted. */
  readonly acked: readonly string[];
}

export type ClientEvent = { readonly type: 'SUBMIT' } | { readonly type: 'response'; readonly msg: Message } | { readonly type: 'TIMEOUT' };

export const clientOpId = (client: string, opCount: number): string => `${client}:op${opCount}`;
export const clientWriteId = (client: string, opCount: number): string => `${client}:w${opCount}`;

export function newClient(name: string, router: string, writes: number): ClientContext {
  return { name, router, writesLeft: writes, opCount: 0, clusterTime: 0, acked: [] };
}

export function clientImpl() {
  return {
    guards: {
      hasWrites: (ctx: ClientContext) => ctx.writesLeft > 0,
      isCurrentReply: (ctx: ClientContext, e: ClientEvent) => e.type === 'response' && e.msg.id === clientOpId(ctx.name, ctx.opCount),
      reportsDone: (_ctx: ClientContext, e: ClientEvent) => e.type === 'response' && e.msg.kind === 'response' && e.msg.status === 'ok' && (e.msg.data as GleResult | null)?.done === true,
    },
    updates: {
      startWrite: (ctx: ClientContext): ClientContext => ({ ...ctx, writesLeft: ctx.writesLeft - 1, opCount: ctx.opCount + 1 }),
      learnClusterTime: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const t = Math.max(ctx.clusterTime, responseOf(e as { msg: Message }).gossip.$clusterTime);
        return t === ctx.clusterTime ? ctx : { ...ctx, clusterTime: t };
      },
      recordAck: (ctx: ClientContext): ClientContext => ({ ...ctx, acked: [...ctx.acked, clientWriteId(ctx.name, ctx.opCount)].sort() }),
    },
    effects: {
      /** The write, then `getLastError` on the same connection (a driver's "safe" write). */
      sendWriteAndGle: (ctx: ClientContext): readonly Message[] => {
        const id = clientOpId(ctx.name, ctx.opCount);
        const gossip = externalGossip(ctx.clusterTime);
        return [
          request(id, ctx.name, ctx.router, { name: 'write', write: clientWriteId(ctx.name, ctx.opCount) }, gossip),
          request(id, ctx.name, ctx.router, { name: 'getLastError' }, gossip),
        ];
      },
    },
  };
}

export type ClientImpl = ReturnType<typeof clientImpl>;
