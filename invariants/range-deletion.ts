/**
 * The invariants of orphaned range deletion and orphan filtering (DESIGN § 4.5): `RD-QUERY-SAFE`,
 * `RD-NO-ORPHANS-RETURNED`, `RD-PENDING-KEPT`, `RD-CLEAN`; and the vector clock's `VC-ORDER` and
 * `VC-MONOTONE` (§ 4.1) over every node of the cluster.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { VectorTime } from '../impl/logical-time.js';
import type { ClientContext } from '../impl/range-deletion/client.js';
import { INITIAL_DOCS, TABLES } from '../impl/range-deletion/common.js';
import type { ConfigContext } from '../impl/range-deletion/config.js';
import type { DonorContext } from '../impl/range-deletion/donor.js';
import type { RecipientContext } from '../impl/range-deletion/recipient.js';
import type { RdShardContext } from '../impl/range-deletion/shard.js';
import { versionsEqual } from '../impl/sharding/index.js';
import type { ChunkVersion, RoutingTable } from '../impl/sharding/index.js';
import { owns, tableOf, versionOf } from '../impl/sharding/metadata-manager.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { clockMonotone, clockOrder } from './clock.js';

/** The state of the range-deletion model. */
export interface RangeDeletionState {
  readonly clients: readonly RoleSnapshot<ClientContext>[];
  readonly config: RoleSnapshot<ConfigContext>;
  readonly donor: RoleSnapshot<DonorContext>;
  readonly recipient: RoleSnapshot<RecipientContext>;
  /** Messages in flight (a sorted multiset). */
  readonly net: readonly Message[];
  readonly faults: Faults;
}

type S = RangeDeletionState;

const shards = (s: S): readonly RdShardContext[] => [s.donor.ctx, s.recipient.ctx];

const tableByVersion = (v: ChunkVersion): RoutingTable | undefined => TABLES.find((t) => versionsEqual(versionOf(t), v));

/**
 * `RD-QUERY-SAFE`: every open cursor still sees every document of the collection that the metadata
 * it holds says its shard owns (the range deleter has not deleted what a running query may read).
 */
export const rdQuerySafe: Invariant<S> = {
  id: 'RD-QUERY-SAFE',
  description: 'a running query always sees every document its metadata version says its shard owns',
  holds: (s) => {
    for (const sh of shards(s)) {
      for (const c of sh.cursors) {
        const table = tableOf(sh.metadata, c.version);
        if (table === undefined) return false;
        for (const d of INITIAL_DOCS) if (owns(table, sh.host, d) && !sh.docs.some((x) => x.id === d.id)) return false;
      }
    }
    return true;
  },
};

/**
 * `RD-NO-ORPHANS-RETURNED`: every document a query returned is owned by its shard under the
 * metadata version that query used — the recipient during the migration included.
 */
export const rdNoOrphansReturned: Invariant<S> = {
  id: 'RD-NO-ORPHANS-RETURNED',
  description: "no query returns a document its shard does not own under that query's metadata (the recipient during the migration included)",
  holds: (s) => {
    for (const c of s.clients) {
      for (const r of c.ctx.returned) {
        const table = tableByVersion(r.version);
        if (table === undefined) return false;
        for (const id of r.ids) {
          const d = INITIAL_DOCS.find((x) => x.id === id);
          if (d === undefined || !owns(table, r.shard, d)) return false;
        }
      }
    }
    return true;
  },
};

/** `RD-PENDING-KEPT`: no step deletes a shard's documents in the range of a task of its that is pending. */
export const rdPendingKept: StepInvariant<S, { kind: string }> = {
  id: 'RD-PENDING-KEPT',
  description: 'a pending range is never deleted: no document in the range of a pending range-deletion task disappears from its shard',
  holds: (before, _a, after) => {
    const b = shards(before);
    const a = shards(after);
    for (let i = 0; i < b.length; i++) {
      const was = b[i]!;
      const now = a[i]!;
      if (was.docs === now.docs) continue;
      for (const t of was.rangeDeletions) {
        if (!t.pending) continue;
        for (const d of was.docs) if (d.key >= t.min && d.key < t.max && !now.docs.some((x) => x.id === d.id)) return false;
      }
    }
    return true;
  },
};

/**
 * Quiescence: every query has ended, no message is in flight, no migration is in flight or left to
 * start (no coordinator document, the balancer's budget spent, no recipient session), and both
 * range deleters are idle with nothing submitted.
 */
export function quiescent(s: S, idle: { readonly clientIdle: number; readonly donorIdle: (at: number) => boolean; readonly recipientIdle: (at: number) => boolean }): boolean {
  if (s.net.length > 0) return false;
  for (const c of s.clients) if (c.at !== idle.clientIdle || c.ctx.queriesLeft > 0) return false;
  const d = s.donor.ctx;
  const r = s.recipient.ctx;
  if (d.coordinator !== null || d.movesLeft > 0 || r.session !== null) return false;
  if (d.queue.length > 0 || r.queue.length > 0 || d.cursors.length > 0 || r.cursors.length > 0) return false;
  return idle.donorIdle(s.donor.at) && idle.recipientIdle(s.recipient.at);
}

/** `RD-CLEAN` for a model's quiescence test: at quiescence no shard holds an orphan and no task document remains. */
export function rdClean(isQuiescent: (s: S) => boolean): Invariant<S> {
  return {
    id: 'RD-CLEAN',
    description: 'at quiescence no orphans (documents a shard holds but does not own in the routing table) and no range-deletion task documents remain',
    holds: (s) => {
      if (!isQuiescent(s)) return true;
      const table = s.config.ctx.table;
      for (const sh of shards(s)) {
        if (sh.rangeDeletions.length > 0) return false;
        for (const d of sh.docs) if (!owns(table, sh.host, d)) return false;
      }
      return true;
    },
  };
}

const clocks = (s: S): VectorTime[] => [s.config.ctx.clock, s.donor.ctx.clock, s.recipient.ctx.clock];

/** `VC-ORDER` at every node of the cluster: the config server and both shards. */
export const vcOrder: Invariant<S> = clockOrder(clocks);
/** `VC-MONOTONE` at every node, restarts included. */
export const vcMonotone: StepInvariant<S, { kind: string }> = clockMonotone<S, { kind: string }>(clocks);
