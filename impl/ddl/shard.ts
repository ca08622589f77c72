/**
 * A shard of the DDL coordinator model as a participant: its local catalog, changed by the
 * coordinator's participant commands (`_shardsvrDropCollectionParticipant`,
 * `_shardsvrRenameCollectionParticipant`). Both commands are idempotent: dropping a collection
 * that is not there, or renaming a source that is already gone, changes nothing and succeeds
 * (with `participant-not-idempotent`, the rename of a source already gone fails with
 * `NamespaceNotFound`).
 *
 * Durable (survive a restart): the local catalog, the vector time and the time of its last oplog
 * entry, the replica set's term (a step-up starts a new one) and the UUID generator (fresh values
 * are never handed out twice). The primary shard also holds the coordinators' state documents;
 * those are in the coordinators' contexts (`coordinator.ts`), which share this shard's clock, term
 * and generator.
 *
 * @module
 */
import type { LogicalTime, VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import type { Message } from '../world/network.js';
import { request, respond } from '../world/network.js';
import type { Bugs, Collection, DdlKind, MessageEvent, ShardName } from './common.js';
import { CONFIG, INITIAL_LOCAL, INITIAL_UUID, requestOf, sortCollections, receiveGossip } from './common.js';

/** An in-memory lock of the primary shard's lock manager: a resource and the coordinator holding it. */
export interface LocalLock {
  readonly resource: string;
  readonly holder: DdlKind;
}

export interface ShardContext {
  readonly host: ShardName;
  readonly clock: VectorTime;
  /** The time of its last oplog entry. */
  readonly oplog: LogicalTime;
  /** The term of its replica set; a restart is a step-up into the next term. */
  readonly term: number;
  /** The last UUID generated on this shard. */
  readonly uuidGen: number;
  /** The local catalog, sorted by namespace. */
  readonly catalog: readonly Collection[];
  /** Volatile: the lock manager's in-memory locks, sorted by resource. */
  readonly localLocks: readonly LocalLock[];
}

export type ShardEvent = MessageEvent | { readonly type: 'TIMEOUT' };

/** The exchange id of a shard's lock recovery after a step-up. */
export const recoveryId = (ctx: { readonly host: string; readonly term: number }): string => `${ctx.host}#${ctx.term}/recover`;

export function newShard(host: ShardName): ShardContext {
  return { host, clock: ZERO_TIME, oplog: 0, term: 1, uuidGen: INITIAL_UUID, catalog: INITIAL_LOCAL, localLocks: [] };
}

/** A restarted shard: it steps up in the next term; only its in-memory locks are lost. */
export function recoverShard(ctx: ShardContext, bugs: Bugs): ShardContext {
  const clock = bugs.has('shard-restart-forgets-clock') ? vectorTime(ctx.oplog, 0, 0) : ctx.clock;
  return { ...ctx, clock, term: ctx.term + 1, localLocks: [] };
}

/** A local write: ClusterTime ticks and the oplog entry gets that time. */
export function localWrite<C extends { readonly clock: VectorTime; readonly oplog: LogicalTime }>(ctx: C): { clock: VectorTime; oplog: LogicalTime } {
  const t = ctx.clock.cluster + 1;
  return { clock: vectorTime(t, ctx.clock.config, ctx.clock.topology), oplog: t };
}

const arg = <T>(e: ShardEvent, name: string): T => requestOf(e as MessageEvent).cmd[name] as T;

export function shardImpl(bugs: Bugs) {
  return {
    guards: {
      steppedUp: (ctx: ShardContext) => ctx.term > 1,
      sourceGone: (ctx: ShardContext, e: ShardEvent) => !ctx.catalog.some((c) => c.ns === arg(e, 'from')),
      failsWhenAlreadyDone: () => bugs.has('participant-not-idempotent'),
      isRecoveryReply: (ctx: ShardContext, e: ShardEvent) => 'msg' in e && e.msg.kind === 'response' && e.msg.id === recoveryId(ctx),
    },
    updates: {
      acceptGossip: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        if (!('msg' in e)) return ctx;
        const clock = receiveGossip(ctx.clock, e.msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      dropLocal: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const ns = arg<string>(e, 'ns');
        if (!ctx.catalog.some((c) => c.ns === ns)) return ctx;
        return { ...ctx, ...localWrite(ctx), catalog: ctx.catalog.filter((c) => c.ns !== ns) };
      },
      renameLocal: (ctx: ShardContext, e: ShardEvent): ShardContext => {
        const from = arg<string>(e, 'from');
        if (!ctx.catalog.some((c) => c.ns === from)) return ctx;
        const renamed: Collection = { ns: arg(e, 'to'), uuid: arg(e, 'uuid') };
        return { ...ctx, ...localWrite(ctx), catalog: sortCollections([...ctx.catalog.filter((c) => c.ns !== from), renamed]) };
      },
    },
    effects: {
      replyOk: (ctx: ShardContext, e: ShardEvent): readonly Message[] => [respond(requestOf(e as MessageEvent), ctx.host, 'ok', null, internalGossip(ctx.clock))],
      replyNamespaceNotFound: (ctx: ShardContext, e: ShardEvent): readonly Message[] => [
        respond(requestOf(e as MessageEvent), ctx.host, 'NamespaceNotFound', null, internalGossip(ctx.clock)),
      ],
      sendReleaseStaleLocks: (ctx: ShardContext): readonly Message[] => [
        request(recoveryId(ctx), ctx.host, CONFIG, { name: '_configsvrReleaseStaleLocks', holder: ctx.host, term: ctx.term }, internalGossip(ctx.clock)),
      ],
    },
  };
}
