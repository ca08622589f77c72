/**
 * The invariants of the sharding DDL coordinator (DESIGN § 4.7): `DDL-SERIAL`,
 * `DDL-NO-MIGRATION`, `DDL-CATALOG-AGREE`, `DDL-IDEMPOTENT`, `DDL-LOCKS-RELEASED`; and the vector
 * clock's `VC-ORDER` and `VC-MONOTONE` (§ 4.1) over every node.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { Collection, DdlOp } from '../impl/ddl/common.js';
import { BLOCKED_PHASES, expectedCatalog, locksOf, opNamespace, sameCatalog } from '../impl/ddl/common.js';
import type { ConfigContext } from '../impl/ddl/config.js';
import type { CoordinatorOwn } from '../impl/ddl/coordinator.js';
import type { RouterContext } from '../impl/ddl/router.js';
import type { ShardContext } from '../impl/ddl/shard.js';
import type { VectorTime } from '../impl/logical-time.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message, Status } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { clockMonotone, clockOrder } from './clock.js';

/** The state of the DDL coordinator model. */
export interface DdlState {
  readonly routers: readonly RoleSnapshot<RouterContext>[];
  /** The coordinator slots on the primary shard (drop, rename): chart configuration and own fields. */
  readonly coordinators: readonly { readonly at: number; readonly own: CoordinatorOwn }[];
  readonly shards: readonly RoleSnapshot<ShardContext>[];
  readonly config: RoleSnapshot<ConfigContext>;
  /** The migration's chart configuration and outcome (its clock is the donor shard's). */
  readonly migration: { readonly at: number; readonly outcome: Status | null };
  readonly net: readonly Message[];
  readonly faults: Faults;
  /**
   * History, not the state of any node: the operations in the order their coordinators persisted
   * a state document (took effect). `DDL-IDEMPOTENT` replays it without crashes.
   */
  readonly history: readonly DdlOp[];
}

/** The sharded catalog as both catalogs record it: namespace and UUID. */
export const shardedCollections = (config: ConfigContext): readonly Collection[] => config.catalog.map((c) => ({ ns: c.ns, uuid: c.uuid }));

/**
 * Quiescence: every request answered, no coordinator instance and no state document, nothing in
 * flight, no migration committing.
 */
export function quiescent(s: DdlState, migrationCommitting: (at: number) => boolean): boolean {
  return (
    s.net.length === 0 &&
    s.routers.every((r) => r.ctx.result !== null) &&
    s.coordinators.every((c) => c.own.op === null && c.own.doc === null) &&
    !migrationCommitting(s.migration.at)
  );
}

/** `DDL-SERIAL`: no two operations that take a common lock have a state document at the same time. */
export const ddlSerial: Invariant<DdlState> = {
  id: 'DDL-SERIAL',
  description: 'conflicting operations never interleave: no two operations that share a lock have state documents at the same time',
  holds: (s) => {
    const docs = s.coordinators.flatMap((c) => (c.own.doc === null ? [] : [c.own.doc]));
    for (let i = 0; i < docs.length; i++) {
      for (let j = i + 1; j < docs.length; j++) {
        const a = locksOf(docs[i]!.op);
        if (locksOf(docs[j]!.op).some((l) => a.includes(l))) return false;
      }
    }
    return true;
  },
};

/** Whether the operation of a state document has migrations of `ns` blocked. */
function blocks(own: CoordinatorOwn, ns: string): boolean {
  const doc = own.doc;
  if (doc === null || opNamespace(doc.op) !== ns) return false;
  const [from, until] = BLOCKED_PHASES[doc.op.kind];
  return doc.phase >= from && doc.phase < until;
}

/** A step as the DDL invariants read it. */
export interface StepAction {
  readonly kind: string;
  readonly host?: string;
  readonly message?: Message;
}

/** `DDL-NO-MIGRATION`: no migration commits on a namespace while a DDL operation has it blocked. */
export const ddlNoMigration: StepInvariant<DdlState, StepAction> = {
  id: 'DDL-NO-MIGRATION',
  description: 'no migration commits on a namespace while a DDL operation has its migrations blocked',
  holds: (before, _a, after) => {
    if (after.config.ctx.catalog === before.config.ctx.catalog) return true;
    // A migration commit is the one write that moves a chunk: the collection's version grows.
    for (const now of after.config.ctx.catalog) {
      const was = before.config.ctx.catalog.find((c) => c.ns === now.ns && c.uuid === now.uuid);
      if (was !== undefined && now.version > was.version && before.coordinators.some((c) => blocks(c.own, now.ns))) return false;
    }
    return true;
  },
};

/** `DDL-CATALOG-AGREE`: at quiescence every shard's local catalog agrees with the sharded catalog. */
export function ddlCatalogAgree(migrationCommitting: (at: number) => boolean): Invariant<DdlState> {
  return {
    id: 'DDL-CATALOG-AGREE',
    description: "at quiescence every shard's local catalog holds exactly the sharded catalog's collections, with the same UUIDs",
    holds: (s) => {
      if (!quiescent(s, migrationCommitting)) return true;
      const sharded = shardedCollections(s.config.ctx);
      return s.shards.every((sh) => sameCatalog(sh.ctx.catalog, sharded));
    },
  };
}

/**
 * `DDL-IDEMPOTENT`: at quiescence the sharded catalog and every local catalog are those of the
 * crash-free run of the same operations in the same order (computed by {@link expectedCatalog}).
 */
export function ddlIdempotent(migrationCommitting: (at: number) => boolean): Invariant<DdlState> {
  return {
    id: 'DDL-IDEMPOTENT',
    description: 'at quiescence, whatever crashed and resumed, the sharded and local catalogs equal those of the crash-free run of the same operations in the same order',
    holds: (s) => {
      if (!quiescent(s, migrationCommitting)) return true;
      const expected = expectedCatalog(s.history);
      return sameCatalog(shardedCollections(s.config.ctx), expected) && s.shards.every((sh) => sameCatalog(sh.ctx.catalog, expected));
    },
  };
}

/** `DDL-LOCKS-RELEASED`: at quiescence no distributed lock is held. */
export function ddlLocksReleased(migrationCommitting: (at: number) => boolean): Invariant<DdlState> {
  return {
    id: 'DDL-LOCKS-RELEASED',
    description: 'at quiescence every distributed lock has been released',
    holds: (s) => !quiescent(s, migrationCommitting) || s.config.ctx.locks.length === 0,
  };
}

const clocks = (s: DdlState): VectorTime[] => [s.config.ctx.clock, ...s.shards.map((sh) => sh.ctx.clock), ...s.routers.map((r) => r.ctx.clock)];

/** `VC-ORDER` at every node: the config server, the shards and the routers. */
export const vcOrder: Invariant<DdlState> = clockOrder(clocks);
/** `VC-MONOTONE` at every node, the primary shard's step-down and restart included. */
export const vcMonotone: StepInvariant<DdlState, StepAction> = clockMonotone<DdlState, StepAction>(clocks);
