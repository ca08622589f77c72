/**
 * A shard of the writeback model (d_logic.cpp's `handlePossibleShardedMessage` and d_writeback.cpp's
 * writeback queues and `writebacklisten` command).
 *
 * Every write is checked against the shard version. A write with the right version is applied.
 * With the wrong version, a write that gets a response (a write command, or a listener's
 * re-application) is answered `StaleConfig` with the version the shard wanted; a fire-and-forget
 * write is put in the writeback queue of the router incarnation that sent it (its serverID), with
 * the next writeback id, and the connection's last error becomes "writeback <id>". A
 * `writebacklisten` poll pops the head of its queue, or waits on the shard (it is parked) until a
 * writeback is queued.
 *
 * Durable (survive a restart): the documents, the shard version (in the real system reloaded from
 * the config servers, which hold the same value), the vector time and oplog time, and the writeback
 * id generator — ids are sequential ObjectIds whose leading timestamp is wall-clock time, so a
 * restarted mongod's ids are still greater than its earlier ones. Volatile (lost): the writeback
 * queues, the connections' last errors and the parked polls.
 *
 * @module
 */
import type { LogicalTime, VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import { acceptGossip } from '../vector-clock.js';
import type { Gossip } from '../logical-time.js';
import type { Message } from '../world/network.js';
import { respond } from '../world/network.js';
import type { Bugs, LastError, MessageEvent, ShardName, Writeback, WriteCommand } from './common.js';
import { LAST_OK, requestOf } from './common.js';

/** A writeback queue: the serverID of the router incarnation it belongs to, and its writebacks in id order. */
export interface WritebackQueue {
  readonly serverId: string;
  readonly entries: readonly Writeback[];
}

/** A `writebacklisten` waiting on the shard for its queue to fill. */
export interface ParkedPoll {
  readonly id: string;
  readonly from: string;
  readonly serverId: string;
}

export interface ShardContext {
  readonly host: ShardName;
  readonly clock: VectorTime;
  /** The time of its last oplog entry. */
  readonly oplog: LogicalTime;
  /** Its shard version: the chunk's version if it owns the chunk, 0 if not. */
  readonly version: number;
  /** The documents it holds (write ids, a sorted multiset: a write applied twice appears twice). */
  readonly docs: readonly string[];
  /** The last writeback id it issued. */
  readonly lastWritebackId: number;
  /** Volatile: writeback queues by serverID, sorted by serverID. */
  readonly queues: readonly WritebackQueue[];
  /** Volatile: the last error of each client connection, sorted by connection. */
  readonly lastErrors: readonly { readonly conn: string; readonly result: LastError }[];
  /** Volatile: polls waiting for a writeback. */
  readonly parked: readonly ParkedPoll[];
}

export type ShardEvent =
  | MessageEvent
  | { readonly type: 'MIGRATE_OUT'; readonly gossip: Gossip }
  | { readonly type: 'MIGRATE_IN'; readonly docs: readonly string[]; readonly version: number; readonly gossip: Gossip };

export function newShard(host: ShardName, version: number): ShardContext {
  return { host, clock: ZERO_TIME, oplog: 0, version, docs: [], lastWritebackId: 0, queues: [], lastErrors: [], parked: [] };
}

/** A restarted shard: durable state kept, queues, last errors and parked polls lost. */
export function recoverShard(ctx: ShardContext, bugs: Bugs): ShardContext {
  const clock = bugs.has('shard-restart-forgets-clock') ? vectorTime(ctx.oplog, 0, 0) : ctx.clock;
  const lastWritebackId = bugs.has('writeback-ids-reset-on-restart') ? 0 : ctx.lastWritebackId;
  return { host: ctx.host, clock, oplog: ctx.oplog, version: ctx.version, docs: ctx.docs, lastWritebackId, queues: [], lastErrors: [], parked: [] };
}

const writeOf = (e: ShardEvent): WriteCommand => requestOf(e as MessageEvent).cmd as WriteCommand;
const serverIdOf = (e: ShardEvent): string => requestOf(e as MessageEvent).cmd['serverId'] as string;

function queueOf(ctx: ShardContext, serverId: string): readonly Writeback[] {
  for (const q of ctx.queues) if (q.serverId === serverId) return q.entries;
  return [];
}

function withQueue(ctx: ShardContext, serverId: string, entries: readonly Writeback[]): readonly WritebackQueue[] {
  const rest = ctx.queues.filter((q) => q.serverId !== serverId);
  if (entries.length === 0) return rest;
  return [...rest, { serverId, entries }].sort((a, b) => (a.serverId < b.serverId ? -1 : a.serverId > b.serverId ? 1 : 0));
}

function withLastError(ctx: ShardContext, conn: string, result: LastError): ShardContext['lastErrors'] {
  return [...ctx.lastErrors.filter((l) => l.conn !== conn), { conn, result }].sort((a, b) => (a.conn < b.conn ? -1 : a.conn > b.conn ? 1 : 0));
}

function addDocs(docs: readonly string[], added: readonly string[]): readonly string[] {
  return added.length === 0 ? docs : [...docs, ...added].sort();
}

function parkedFor(ctx: ShardContext, serverId: string): ParkedPoll | undefined {
  return ctx.parked.find((p) => p.serverId === serverId);
}

function pollReply(ctx: ShardContext, poll: { id: string; from: string }, wb: Writeback): Message {
  return { kind: 'response', id: poll.id, from: ctx.host, to: poll.from, status: 'ok', data: wb, gossip: internalGossip(ctx.clock) };
}

export function shardImpl(bugs: Bugs) {
  return {
    guards: {
      versionMatches: (ctx: ShardContext, e: ShardEvent) => writeOf(e).version === ctx.version,
      getsResponse: (_ctx: ShardContext, e: ShardEvent) => writeOf(e).response,
      hasWriteback: (ctx: ShardContext, e: ShardEvent) => queueOf(ctx, serverIdOf(e)).length > 0,
    },
    updates: {
      acceptGossip: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const g = 'msg' in e ? e.msg.gossip : e.gossip;
        const clock = acceptGossip(ctx.clock, g, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      /** Apply the write: a document, at a freshly ticked ClusterTime; a fire-and-forget write's last error is "ok". */
      applyWrite: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const w = writeOf(e);
        const t = ctx.clock.cluster + 1;
        return {
          ...ctx,
          clock: vectorTime(t, ctx.clock.config, ctx.clock.topology),
          oplog: t,
          docs: addDocs(ctx.docs, [w.write]),
          lastErrors: w.response ? ctx.lastErrors : withLastError(ctx, w.conn, LAST_OK),
        };
      },
      /** Queue the write for its router with the next id; the connection's last error names the id. */
      queueWriteback: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const w = writeOf(e);
        const serverId = serverIdOf(e);
        const id = ctx.lastWritebackId + 1;
        const wb: Writeback = { id, write: w.write, conn: w.conn, wanted: ctx.version };
        return {
          ...ctx,
          lastWritebackId: id,
          queues: withQueue(ctx, serverId, [...queueOf(ctx, serverId), wb]),
          lastErrors: withLastError(ctx, w.conn, { kind: 'writeback', id }),
        };
      },
      /** After queueing: a poll of that router parked here takes the head of the queue. */
      popForParkedPoll: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const serverId = serverIdOf(e);
        const poll = parkedFor(ctx, serverId);
        if (poll === undefined) return ctx;
        return { ...ctx, queues: withQueue(ctx, serverId, queueOf(ctx, serverId).slice(1)), parked: ctx.parked.filter((p) => p !== poll) };
      },
      popWriteback: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const serverId = serverIdOf(e);
        return { ...ctx, queues: withQueue(ctx, serverId, queueOf(ctx, serverId).slice(1)) };
      },
      /** `writebacklisten` blocks until its queue has a writeback. */
      parkPoll: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const req = requestOf(e as MessageEvent);
        const serverId = serverIdOf(e);
        return { ...ctx, parked: [...ctx.parked.filter((p) => p.serverId !== serverId), { id: req.id, from: req.from, serverId }] };
      },
      migrateOut: (ctx: ShardContext): ShardContext => ({ ...ctx, docs: [], version: 0 }),
      migrateIn: (ctx: ShardContext, e: ShardEvent): ShardContext =>
        'docs' in e ? { ...ctx, docs: addDocs(ctx.docs, e.docs), version: e.version } : ctx,
    },
    effects: {
      replyOk: (ctx: ShardContext, e: ShardEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'ok', null, internalGossip(ctx.clock))],
      replyStale: (ctx: ShardContext, e: ShardEvent): readonly Message[] => [
        respond(requestOf(e as MessageEvent), ctx.host, 'StaleConfig', { wanted: ctx.version }, internalGossip(ctx.clock)),
      ],
      replyWithParkedPoll: (ctx: ShardContext, e: ShardEvent): readonly Message[] => {
        const poll = parkedFor(ctx, serverIdOf(e));
        const head = queueOf(ctx, serverIdOf(e))[0];
        return poll === undefined || head === undefined ? [] : [pollReply(ctx, poll, head)];
      },
      replyWriteback: (ctx: ShardContext, e: ShardEvent): readonly Message[] => {
        const head = queueOf(ctx, serverIdOf(e))[0];
        return head === undefined ? [] : [pollReply(ctx, requestOf(e as MessageEvent), head)];
      },
      /** The connection's last error; a connection the shard does not know was reset by a restart. */
      replyLastError: (ctx: ShardContext, e: ShardEvent): readonly Message[] => {
        const req = requestOf(e as MessageEvent);
        const last = ctx.lastErrors.find((l) => l.conn === req.cmd['conn']);
        return [respond(req, ctx.host, last === undefined ? 'NetworkError' : 'ok', last?.result ?? null, internalGossip(ctx.clock))];
      },
    },
  };
}

export type ShardImpl = ReturnType<typeof shardImpl>;
