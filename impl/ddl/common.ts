/**
 * The sharding DDL coordinator (seed 003, "DDL operations" and "Cluster DDL operations" /
 * "Sharding DDL Coordinator"): names, data, phases and messages shared by its roles. The roles'
 * guards and actions are in `router.ts`, `coordinator.ts`, `shard.ts`, `config.ts` and
 * `migration.ts` beside this module; their charts are in `machines/ddl-coordinator/`; the
 * composition with the world is `protocols/ddl-coordinator.ts`.
 *
 * One database `db` whose primary shard is `shard0`; one sharded collection `db.a` (one chunk,
 * owned by `shard1`), present in the sharded catalog on the config server and in the local catalog
 * of both shards. Two DDL operations: drop of `db.a`, and rename of `db.a` to `db.b` (a second
 * rename targets `db.c`, so that its options differ).
 *
 * @module
 */
import type { Gossip, VectorTime } from '../logical-time.js';
import { vectorTime } from '../logical-time.js';
import { acceptGossip } from '../vector-clock.js';
import type { Message } from '../world/network.js';
import type { MessageEvent } from '../world/events.js';

export const DB = 'db';
export const SOURCE = 'db.a';
/** The targets of the first and second rename request. */
export const RENAME_TARGETS = ['db.b', 'db.c'] as const;
export const SHARDS = ['shard0', 'shard1'] as const;
export type ShardName = (typeof SHARDS)[number];
/** The database's primary shard, which hosts the coordinators. */
export const PRIMARY: ShardName = 'shard0';
/** The shard that owns the chunk at first, and donates it in the migration. */
export const DONOR: ShardName = 'shard1';
export const CONFIG = 'config';
export const MIGRATION = 'migration';

export const routerName = (i: number): string => `router${i}`;

/** A DDL operation with its options: what makes two requests the same operation. */
export type DdlOp = { readonly kind: 'drop'; readonly ns: string } | { readonly kind: 'rename'; readonly from: string; readonly to: string };
export type DdlKind = DdlOp['kind'];

export const DROP: DdlOp = Object.freeze({ kind: 'drop', ns: SOURCE });
export const renameOp = (i: number): DdlOp => Object.freeze({ kind: 'rename', from: SOURCE, to: RENAME_TARGETS[i]! });

/** The namespace a coordinator is for: with the operation, its id (ShardingDDLCoordinatorId). */
export const opNamespace = (op: DdlOp): string => (op.kind === 'drop' ? op.ns : op.from);
export const sameOp = (a: DdlOp, b: DdlOp): boolean =>
  a.kind === b.kind && (a.kind === 'drop' ? a.ns === (b as typeof a).ns : a.from === (b as typeof a).from && a.to === (b as typeof a).to);
export const describeOp = (op: DdlOp): string => (op.kind === 'drop' ? `drop(${op.ns})` : `rename(${op.from}→${op.to})`);

/**
 * The distributed locks of an operation, in the fixed order they are acquired: the database,
 * then the collections, sorted. Released in the reverse order.
 */
export function locksOf(op: DdlOp): readonly string[] {
  return op.kind === 'drop' ? [DB, op.ns] : [DB, ...[op.from, op.to].sort()];
}

/** A collection in a local catalog (and the part of a sharded-catalog entry both catalogs record). */
export interface Collection {
  readonly ns: string;
  readonly uuid: number;
}

/** A collection's entry in the sharded catalog (`config.collections` with its one chunk). */
export interface ShardedCollection extends Collection {
  /** `allowMigrations` (setAllowMigrations): false while a DDL operation blocks migrations. */
  readonly allowMigrations: boolean;
  /** The chunk's owner and major version. */
  readonly owner: ShardName;
  readonly version: number;
}

/** The UUID of `db.a` when the model starts; generated UUIDs come after it. */
export const INITIAL_UUID = 1;
export const INITIAL_LOCAL: readonly Collection[] = Object.freeze([Object.freeze({ ns: SOURCE, uuid: INITIAL_UUID })]);
export const INITIAL_SHARDED: readonly ShardedCollection[] = Object.freeze([
  Object.freeze({ ns: SOURCE, uuid: INITIAL_UUID, allowMigrations: true, owner: DONOR, version: 1 }),
]);

/**
 * The phases of each operation, in order. A state document's `phase` is an index into this list;
 * index 0 (`unset`) means persisted, no phase entered yet.
 */
export const PHASES = {
  drop: ['unset', 'freezeCollection', 'dropCollection'],
  rename: ['unset', 'checkPreconditions', 'freezeMigrations', 'renameCollection', 'renameMetadata', 'unblockMigrations'],
} as const;

/** The phase of a rename in which the new UUID is generated (and persisted with its checkpoint). */
export const UUID_PHASE = 3;

/**
 * The phases during which an operation has blocked migrations of its namespace: from the phase
 * after the freeze (entered only once the freeze was acknowledged) up to, not including, the
 * phase that unblocks (or the end).
 */
export const BLOCKED_PHASES = { drop: [2, 3], rename: [3, 5] } as const;

/** The coordinator's state document (`config.system.sharding_ddl_coordinators` on the primary shard). */
export interface StateDoc {
  readonly op: DdlOp;
  readonly phase: number;
  /** The UUID generated for the renamed collection, once persisted. */
  readonly uuid: number | null;
}

export type Bugs = ReadonlySet<string>;

/**
 * Receiving gossip: each component advances to the max (impl/vector-clock's rule, with its
 * `gossip-config-without-cluster` bug); with `gossip-replaces-clock`, the message's times replace
 * the node's.
 */
export function receiveGossip(t: VectorTime, g: Gossip, bugs: Bugs): VectorTime {
  if (bugs.has('gossip-replaces-clock')) {
    const next = vectorTime(g.$clusterTime, g.$configTime ?? t.config, g.$topologyTime ?? t.topology);
    return next.cluster === t.cluster && next.config === t.config && next.topology === t.topology ? t : next;
  }
  return acceptGossip(t, g, bugs);
}

export type { MessageEvent } from '../world/events.js';
export { requestOf, responseOf } from '../world/events.js';

/** A delivered message as an event: requests by their command name, responses as `reply`. */
export function messageEvent(msg: Message): MessageEvent {
  return { type: msg.kind === 'request' ? msg.cmd.name : 'reply', msg };
}

/** The router command that reaches the primary shard's coordinator service for `op`. */
export const ddlCommand = (op: DdlOp): string => (op.kind === 'drop' ? '_shardsvrDropCollection' : '_shardsvrRenameCollection');

/** The host of the coordinator instance slot for operations of `kind` on the primary shard. */
export const coordinatorHost = (kind: DdlKind): string => `${PRIMARY}.${kind}`;
export const COORDINATOR_KINDS: readonly DdlKind[] = ['drop', 'rename'];

/**
 * The outcome of a sequence of DDL operations run one after another with no crash: the catalog
 * every shard and the config server must end with (`DDL-IDEMPOTENT`). A drop removes the
 * collection if it exists; a rename of an existing source to a free target replaces it by the
 * target with the next generated UUID, and otherwise changes nothing (it fails its preconditions
 * before generating anything).
 */
export function expectedCatalog(history: readonly DdlOp[]): readonly Collection[] {
  let catalog: readonly Collection[] = INITIAL_LOCAL;
  let generated = INITIAL_UUID;
  for (const op of history) {
    if (op.kind === 'drop') catalog = catalog.filter((c) => c.ns !== op.ns);
    else if (catalog.some((c) => c.ns === op.from) && !catalog.some((c) => c.ns === op.to)) {
      generated++;
      catalog = sortCollections([...catalog.filter((c) => c.ns !== op.from), { ns: op.to, uuid: generated }]);
    }
  }
  return catalog;
}

export function sortCollections<T extends Collection>(cs: readonly T[]): readonly T[] {
  return [...cs].sort((x, y) => (x.ns < y.ns ? -1 : x.ns > y.ns ? 1 : 0));
}

/** Whether two catalogs hold the same collections with the same UUIDs. */
export function sameCatalog(a: readonly Collection[], b: readonly Collection[]): boolean {
  return a.length === b.length && a.every((c, i) => c.ns === b[i]!.ns && c.uuid === b[i]!.uuid);
}
