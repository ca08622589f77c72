/**
 * A client of the migration model: a driver that inserts documents into, and reads from, the
 * chunk being moved, one operation at a time through its router, and remembers which inserts were
 * acknowledged (the history `MG-NO-LOST-WRITE` reads).
 *
 * @module
 */
import type { LogicalTime } from '../logical-time.js';
import { externalGossip } from '../logical-time.js';
import { doc } from '../sharding/index.js';
import type { Message } from '../world/network.js';
import { request } from '../world/network.js';
import { CLIENT_KEY, responseOf } from './common.js';

export type ClientOp = 'insert' | 'find';

export interface ClientContext {
  readonly name: string;
  readonly router: string;
  /** The operations still to run, in order. */
  readonly ops: readonly ClientOp[];
  /** How many operations it has started; the current one's exchange is `<name>:op<opCount>`. */
  readonly opCount: number;
  readonly clusterTime: LogicalTime;
  /** The inserts acknowledged (document ids, sorted). */
  readonly acked: readonly string[];
}

export type ClientEvent = { readonly type: 'SUBMIT' } | { readonly type: 'op'; readonly msg: Message } | { readonly type: 'TIMEOUT' };

export const clientOpId = (client: string, opCount: number): string => `${client}:op${opCount}`;
export const clientDocId = (client: string, opCount: number): string => `${client}:w${opCount}`;

/** A client with `inserts` inserts, then `finds` reads. */
export function newClient(name: string, router: string, inserts: number, finds: number): ClientContext {
  const ops: ClientOp[] = [...Array<ClientOp>(inserts).fill('insert'), ...Array<ClientOp>(finds).fill('find')];
  return { name, router, ops, opCount: 0, clusterTime: 0, acked: [] };
}

const isCurrent = (ctx: ClientContext, e: ClientEvent): boolean => e.type === 'op' && e.msg.id === clientOpId(ctx.name, ctx.opCount);
const currentOp = (ctx: ClientContext): ClientOp | undefined => ctx.ops[0];

export function clientImpl() {
  return {
    guards: {
      hasOps: (ctx: ClientContext) => ctx.ops.length > 0,
      isCurrentReply: isCurrent,
      insertAcknowledged: (ctx: ClientContext, e: ClientEvent) => isCurrent(ctx, e) && currentOp(ctx) === 'insert' && responseOf(e as { msg: Message }).status === 'ok',
    },
    updates: {
      startOp: (ctx: ClientContext): ClientContext => ({ ...ctx, opCount: ctx.opCount + 1 }),
      finishOp: (ctx: ClientContext): ClientContext => ({ ...ctx, ops: ctx.ops.slice(1) }),
      learnClusterTime: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const t = Math.max(ctx.clusterTime, responseOf(e as { msg: Message }).gossip.$clusterTime);
        return t === ctx.clusterTime ? ctx : { ...ctx, clusterTime: t };
      },
      recordAck: (ctx: ClientContext): ClientContext => ({ ...ctx, acked: [...ctx.acked, clientDocId(ctx.name, ctx.opCount)].sort() }),
    },
    effects: {
      sendOp: (ctx: ClientContext): readonly Message[] => {
        const op = currentOp(ctx);
        if (op === undefined) return [];
        const id = clientOpId(ctx.name, ctx.opCount);
        const cmd = op === 'insert' ? { name: 'insert', doc: doc(clientDocId(ctx.name, ctx.opCount), CLIENT_KEY), key: CLIENT_KEY } : { name: 'find', doc: null, key: CLIENT_KEY };
        return [request(id, ctx.name, ctx.router, cmd, externalGossip(ctx.clusterTime))];
      },
    },
  };
}

export type ClientImpl = ReturnType<typeof clientImpl>;
