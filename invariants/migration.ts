/**
 * The invariants of live chunk migration (DESIGN § 4.4): `MG-SINGLE`, `MG-OWNER`,
 * `MG-NO-LOST-WRITE`, `MG-NO-WRITE-IN-CRITICAL-SECTION`; and the vector clock's `VC-ORDER` and
 * `VC-MONOTONE` (§ 4.1) over every node of the cluster.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { VectorTime } from '../impl/logical-time.js';
import type { ClientContext } from '../impl/migration/client.js';
import { CLIENT_KEY, INITIAL_DOCS } from '../impl/migration/common.js';
import type { ConfigContext } from '../impl/migration/config.js';
import type { DonorContext } from '../impl/migration/donor.js';
import type { RecipientContext } from '../impl/migration/recipient.js';
import type { RouterContext } from '../impl/migration/router.js';
import type { Doc, RoutingTable } from '../impl/sharding/index.js';
import { chunkFor, compareVersions, copiesOf, MAX_KEY, MIN_KEY } from '../impl/sharding/index.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { clockMonotone, clockOrder } from './clock.js';

/** The state of the migration model. */
export interface MigrationState {
  readonly clients: readonly RoleSnapshot<ClientContext>[];
  readonly routers: readonly RoleSnapshot<RouterContext>[];
  readonly config: RoleSnapshot<ConfigContext>;
  readonly donor: RoleSnapshot<DonorContext>;
  readonly recipient: RoleSnapshot<RecipientContext>;
  /** Messages in flight (a sorted multiset). */
  readonly net: readonly Message[];
  readonly faults: Faults;
}

type S = MigrationState;

/** `MG-SINGLE`: at most one migration registered on each shard, as donor or recipient. */
export const mgSingle: Invariant<S> = {
  id: 'MG-SINGLE',
  description: 'at most one migration per shard at any time, as donor or recipient (its active-migrations registry holds at most one)',
  holds: (s) => s.donor.ctx.registry.length <= 1 && s.recipient.ctx.registry.length <= 1,
};

/** Each chunk of the table has exactly one owner, and the chunks partition the key space. */
export function exactlyOneOwner(t: RoutingTable): boolean {
  let next = MIN_KEY;
  for (const c of t.chunks) {
    if (c.min !== next || c.max <= c.min || typeof c.shard !== 'string' || c.shard === '' || c.version.epoch !== t.epoch) return false;
    next = c.max;
  }
  return next === MAX_KEY;
}

/**
 * `MG-OWNER`: in the config server's routing table every chunk has exactly one owner, and chunk
 * versions only grow: none decreases, and one whose owner changes gets a higher major version
 * (seed 003: the major version is "incremented when a chunk moves shards").
 */
export const mgOwner: StepInvariant<S, { kind: string }> = {
  id: 'MG-OWNER',
  description: 'every chunk has exactly one owner in the routing table, and versions only grow: a chunk that changes owner gets a higher major version',
  holds: (before, _a, after) => {
    const b = before.config.ctx.table;
    const a = after.config.ctx.table;
    if (a === b) return true;
    if (!exactlyOneOwner(a)) return false;
    for (const c of a.chunks) {
      const was = b.chunks.find((x) => x.id === c.id);
      if (was === undefined || was.version.epoch !== c.version.epoch) continue;
      if (compareVersions(c.version, was.version) < 0) return false;
      if (c.shard !== was.shard && c.version.major <= was.version.major) return false;
    }
    return true;
  },
};

/** No migration is in flight or being recovered anywhere: nothing registered, no coordinator document. */
export function migrationEnded(s: S): boolean {
  const d = s.donor.ctx;
  return d.coordinator === null && d.registry.length === 0 && d.session === null && s.recipient.ctx.registry.length === 0;
}

/** The documents of the shard that owns `key`'s chunk in the routing table. */
function ownerDocs(s: S, key: number): readonly Doc[] {
  const owner = chunkFor(s.config.ctx.table, key).shard;
  return owner === s.donor.ctx.host ? s.donor.ctx.docs : owner === s.recipient.ctx.host ? s.recipient.ctx.docs : [];
}

/**
 * `MG-NO-LOST-WRITE`: once the migration has ended, every acknowledged insert (and every document
 * there was before) is on the shard that owns its chunk, exactly once.
 */
export const mgNoLostWrite: Invariant<S> = {
  id: 'MG-NO-LOST-WRITE',
  description: 'once the migration has ended, every acknowledged write is present exactly once on the shard that owns its chunk',
  holds: (s) => {
    if (!migrationEnded(s)) return true;
    for (const d of INITIAL_DOCS) if (copiesOf(ownerDocs(s, d.key), d.id) !== 1) return false;
    for (const c of s.clients) {
      if (c.ctx.acked.length === 0) continue;
      const docs = ownerDocs(s, CLIENT_KEY);
      for (const id of c.ctx.acked) if (copiesOf(docs, id) !== 1) return false;
    }
    return true;
  },
};

/** `MG-NO-WRITE-IN-CRITICAL-SECTION`: no write to the migrating chunk is applied on the donor while it is in the critical section. */
export const mgNoWriteInCriticalSection: StepInvariant<S, { kind: string }> = {
  id: 'MG-NO-WRITE-IN-CRITICAL-SECTION',
  description: 'no write to the migrating chunk is applied on the donor while it is in the critical section',
  holds: (before, _a, after) => {
    const s = before.donor.ctx.session;
    if (s === null || s.critSec === 'none') return true;
    const was = before.donor.ctx.docs;
    const now = after.donor.ctx.docs;
    if (was === now) return true;
    let inRange = 0;
    for (const d of now) if (d.key >= s.min && d.key < s.max) inRange++;
    for (const d of was) if (d.key >= s.min && d.key < s.max) inRange--;
    return inRange <= 0;
  },
};

const clocks = (s: S): VectorTime[] => [s.config.ctx.clock, s.donor.ctx.clock, s.recipient.ctx.clock, ...s.routers.map((r) => r.ctx.clock)];

/** `VC-ORDER` at every node: the config server, both shards and the routers. */
export const vcOrder: Invariant<S> = clockOrder(clocks);
/** `VC-MONOTONE` at every node, the donor's restart included. */
export const vcMonotone: StepInvariant<S, { kind: string }> = clockMonotone<S, { kind: string }>(clocks);
