/**
 * A long-running query of the range-deletion model: a driver that opens a cursor on one shard
 * (`find`, which takes the shard's current filtering metadata), later fetches its batch
 * (`getMore`, which returns the documents that metadata says the shard owns and closes the cursor),
 * and remembers what each query returned and with which metadata version (the history
 * `RD-NO-ORPHANS-RETURNED` reads). A reply that cannot come any more (a restart of the shard
 * closed the connection) times out and the query ends without a result.
 *
 * @module
 */
import type { LogicalTime } from '../logical-time.js';
import { externalGossip } from '../logical-time.js';
import type { Message } from '../world/network.js';
import { request } from '../world/network.js';
import type { QueryResult } from './common.js';
import { responseOf } from './common.js';

/** What a query returned: the shard, the metadata version it used, the documents. */
export interface ReturnedBatch extends QueryResult {
  readonly shard: string;
}

export interface ClientContext {
  readonly name: string;
  /** The shard its queries target. */
  readonly shard: string;
  readonly queriesLeft: number;
  /** Queries started; the current one's exchanges are `<name>:find<count>` and `<name>:more<count>`. */
  readonly count: number;
  readonly clusterTime: LogicalTime;
  readonly returned: readonly ReturnedBatch[];
}

export type ClientEvent = { readonly type: 'SUBMIT' } | { readonly type: 'find'; readonly msg: Message } | { readonly type: 'more'; readonly msg: Message } | { readonly type: 'TIMEOUT' };

export const findId = (client: string, n: number): string => `${client}:find${n}`;
export const moreId = (client: string, n: number): string => `${client}:more${n}`;

export function newClient(name: string, shard: string, queries: number): ClientContext {
  return { name, shard, queriesLeft: queries, count: 0, clusterTime: 0, returned: [] };
}

const isReply = (e: ClientEvent, id: string): boolean => 'msg' in e && e.msg.kind === 'response' && e.msg.id === id;

export function clientImpl() {
  return {
    guards: {
      hasQueries: (ctx: ClientContext) => ctx.queriesLeft > 0,
      isFindReply: (ctx: ClientContext, e: ClientEvent) => isReply(e, findId(ctx.name, ctx.count)),
      isMoreReply: (ctx: ClientContext, e: ClientEvent) => isReply(e, moreId(ctx.name, ctx.count)),
      succeeded: (_ctx: ClientContext, e: ClientEvent) => 'msg' in e && e.msg.kind === 'response' && e.msg.status === 'ok',
    },
    updates: {
      startQuery: (ctx: ClientContext): ClientContext => ({ ...ctx, count: ctx.count + 1, queriesLeft: ctx.queriesLeft - 1 }),
      learnClusterTime: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const t = Math.max(ctx.clusterTime, responseOf(e as { msg: Message }).gossip.$clusterTime);
        return t === ctx.clusterTime ? ctx : { ...ctx, clusterTime: t };
      },
      recordBatch: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const r = responseOf(e as { msg: Message }).data as QueryResult;
        return { ...ctx, returned: [...ctx.returned, { shard: ctx.shard, ids: r.ids, version: r.version }] };
      },
    },
    effects: {
      sendFind: (ctx: ClientContext): readonly Message[] => [request(findId(ctx.name, ctx.count), ctx.name, ctx.shard, { name: 'find', collection: 'test.coll' }, externalGossip(ctx.clusterTime))],
      sendGetMore: (ctx: ClientContext): readonly Message[] => [
        request(moreId(ctx.name, ctx.count), ctx.name, ctx.shard, { name: 'getMore', cursor: findId(ctx.name, ctx.count) }, externalGossip(ctx.clusterTime)),
      ],
    },
  };
}

export type ClientImpl = ReturnType<typeof clientImpl>;
