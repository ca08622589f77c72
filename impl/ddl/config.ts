/**
 * The config server of the DDL coordinator model: the sharded catalog (`config.collections` with
 * the collection's one chunk) and the distributed locks (`config.locks`).
 *
 * A distributed lock is a document per resource (a database or collection name) naming its holder
 * — the shard whose coordinator took it, with the shard's term as its lock session — taken and
 * released by majority writes. The holder re-taking a lock it holds succeeds (a retried request,
 * or a coordinator rebuilt after a step-up taking over its earlier term's lock); anyone else gets
 * `LockBusy` and polls again. After a step-up, the shard's lock recovery releases the locks it
 * held in earlier terms (the real `unlockAll`). Coordinators of the same shard are serialized by
 * the shard's in-memory locks before they get here.
 *
 * The commands the coordinators' phases send are idempotent: setting `allowMigrations`, removing
 * a collection's entry, replacing the source's entry by the target's. The migration's commit
 * (`_configsvrCommitChunkMigration`) is refused while the collection's `allowMigrations` is false.
 *
 * The config server is a single-node replica set here: a write is majority committed at once, so
 * ConfigTime ticks to the write's ClusterTime in the same step. It does not crash in this model.
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { internalGossip, vectorTime, ZERO_TIME } from '../logical-time.js';
import type { Message, Status } from '../world/network.js';
import { respond } from '../world/network.js';
import type { Bugs, Collection, MessageEvent, ShardedCollection } from './common.js';
import { CONFIG, INITIAL_SHARDED, requestOf, sortCollections, receiveGossip } from './common.js';

/** A distributed lock document: the resource, its holder (a coordinator's id) and the holder's lock session (the term). */
export interface LockDoc {
  readonly resource: string;
  readonly holder: string;
  readonly term: number;
}

export interface ConfigContext {
  readonly clock: VectorTime;
  /** The sharded catalog, sorted by namespace. Durable. */
  readonly catalog: readonly ShardedCollection[];
  /** `config.locks`, sorted by resource. Durable. */
  readonly locks: readonly LockDoc[];
}

export type ConfigEvent = MessageEvent;

/** What `_configsvrGetCollections` answers for a rename's preconditions. */
export interface CollectionsData {
  readonly source: Collection | null;
  readonly targetExists: boolean;
}

export function newConfigServer(): ConfigContext {
  return { clock: ZERO_TIME, catalog: INITIAL_SHARDED, locks: [] };
}

const arg = <T>(e: ConfigEvent, name: string): T => requestOf(e).cmd[name] as T;
const entryOf = (ctx: ConfigContext, ns: string): ShardedCollection | undefined => ctx.catalog.find((c) => c.ns === ns);
const lockOf = (ctx: ConfigContext, resource: string): LockDoc | undefined => ctx.locks.find((l) => l.resource === resource);

/** A majority write: ClusterTime ticks, and ConfigTime with it. */
function write(ctx: ConfigContext, patch: Partial<Pick<ConfigContext, 'catalog' | 'locks'>>): ConfigContext {
  const t = ctx.clock.cluster + 1;
  return { clock: vectorTime(t, t, ctx.clock.topology), catalog: patch.catalog ?? ctx.catalog, locks: patch.locks ?? ctx.locks };
}

function withEntry(ctx: ConfigContext, ns: string, entry: ShardedCollection | null): readonly ShardedCollection[] {
  const rest = ctx.catalog.filter((c) => c.ns !== ns);
  return entry === null ? rest : sortCollections([...rest, entry]);
}

const reply = (ctx: ConfigContext, e: ConfigEvent, status: Status = 'ok', data: unknown = null): readonly Message[] => [
  respond(requestOf(e), CONFIG, status, data, internalGossip(ctx.clock)),
];

/** The migration's outcome at the config server. */
function commitStatus(ctx: ConfigContext, e: ConfigEvent): Status {
  const entry = entryOf(ctx, arg(e, 'ns'));
  if (entry === undefined || entry.uuid !== arg<number>(e, 'uuid')) return 'NamespaceNotFound';
  if (entry.version !== arg<number>(e, 'fromVersion')) return 'StaleConfig';
  return entry.allowMigrations ? 'ok' : 'ConflictingOperationInProgress';
}

export function configImpl(bugs: Bugs) {
  return {
    guards: {
      lockFree: (ctx: ConfigContext, e: ConfigEvent) => {
        const held = lockOf(ctx, arg(e, 'resource'));
        return held === undefined || (held.holder === arg(e, 'holder') && held.term <= arg<number>(e, 'term'));
      },
      migrationAllowed: (ctx: ConfigContext, e: ConfigEvent) => commitStatus(ctx, e) === 'ok',
    },
    updates: {
      acceptGossip: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const clock = receiveGossip(ctx.clock, e.msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      takeLock: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const lock: LockDoc = { resource: arg(e, 'resource'), holder: arg(e, 'holder'), term: arg(e, 'term') };
        const held = lockOf(ctx, lock.resource);
        if (held !== undefined && held.holder === lock.holder && held.term === lock.term) return ctx;
        const locks = [...ctx.locks.filter((l) => l.resource !== lock.resource), lock].sort((x, y) => (x.resource < y.resource ? -1 : 1));
        return write(ctx, { locks });
      },
      releaseLock: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const held = lockOf(ctx, arg(e, 'resource'));
        if (held === undefined || held.holder !== arg(e, 'holder')) return ctx;
        return write(ctx, { locks: ctx.locks.filter((l) => l !== held) });
      },
      /** After a step-up: the holder's locks from earlier terms. */
      releaseStaleLocks: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const holder = arg<string>(e, 'holder');
        const term = arg<number>(e, 'term');
        const locks = ctx.locks.filter((l) => l.holder !== holder || l.term >= term);
        return locks.length === ctx.locks.length ? ctx : write(ctx, { locks });
      },
      setAllowMigrations: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const entry = entryOf(ctx, arg(e, 'ns'));
        const allow = arg<boolean>(e, 'allow');
        if (entry === undefined || entry.allowMigrations === allow) return ctx;
        return write(ctx, { catalog: withEntry(ctx, entry.ns, { ...entry, allowMigrations: allow }) });
      },
      removeCollection: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const ns = arg<string>(e, 'ns');
        return entryOf(ctx, ns) === undefined ? ctx : write(ctx, { catalog: withEntry(ctx, ns, null) });
      },
      /** The source's entry becomes the target's, with the new UUID; migrations stay blocked until the coordinator unblocks them. */
      renameMetadata: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const from = entryOf(ctx, arg(e, 'from'));
        if (from === undefined) return ctx;
        const to: ShardedCollection = { ...from, ns: arg(e, 'to'), uuid: arg(e, 'uuid') };
        return write(ctx, { catalog: sortCollections([...ctx.catalog.filter((c) => c !== from), to]) });
      },
      commitMigration: (ctx: ConfigContext, e: ConfigEvent): ConfigContext => {
        const entry = entryOf(ctx, arg(e, 'ns'))!;
        return write(ctx, { catalog: withEntry(ctx, entry.ns, { ...entry, owner: arg(e, 'to'), version: entry.version + 1 }) });
      },
    },
    effects: {
      replyOk: (ctx: ConfigContext, e: ConfigEvent) => reply(ctx, e),
      replyLockBusy: (ctx: ConfigContext, e: ConfigEvent) => reply(ctx, e, 'LockBusy'),
      replyCollections: (ctx: ConfigContext, e: ConfigEvent) => {
        const [from, to] = arg<readonly string[]>(e, 'nss');
        const source = entryOf(ctx, from!);
        const data: CollectionsData = { source: source === undefined ? null : { ns: source.ns, uuid: source.uuid }, targetExists: entryOf(ctx, to!) !== undefined };
        return reply(ctx, e, 'ok', data);
      },
      replyMigrationRefused: (ctx: ConfigContext, e: ConfigEvent) => reply(ctx, e, commitStatus(ctx, e)),
    },
  };
}
