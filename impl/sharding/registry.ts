/**
 * The ActiveMigrationsRegistry of a shard (seed 003, "The live migration protocol", step 1): at
 * most one migration on a shard at a time, outgoing (donating a chunk) or incoming (receiving one).
 * Registering fails when another migration is in flight; a request to move the same chunk again
 * joins the migration in flight instead and gets its outcome.
 *
 * The registry is in memory: a restarted shard's is empty (its migration, if any, is recovered
 * from the documents it persisted, not from the registry).
 *
 * @module
 */

export interface ActiveMigration {
  readonly direction: 'donate' | 'receive';
  /** The migration's id (its session). */
  readonly id: string;
  readonly chunk: string;
  /** The other shard. */
  readonly peer: string;
}

export type Registration =
  | { readonly kind: 'registered' }
  /** The same chunk is already moving out of this shard: wait for that migration's outcome. */
  | { readonly kind: 'joined'; readonly id: string }
  /** Any other migration in flight: `ConflictingOperationInProgress`. */
  | { readonly kind: 'conflict' };

const REGISTERED: Registration = Object.freeze({ kind: 'registered' });
const CONFLICT: Registration = Object.freeze({ kind: 'conflict' });

/**
 * Try to register `m`. `check: false` (the seeded bug) registers whatever is in flight.
 */
export function register(active: readonly ActiveMigration[], m: ActiveMigration, check = true): Registration {
  if (!check || active.length === 0) return REGISTERED;
  const current = active[0]!;
  if (m.direction === 'donate' && current.direction === 'donate' && current.chunk === m.chunk && current.peer === m.peer) return { kind: 'joined', id: current.id };
  return CONFLICT;
}

/** The registry with `m` added (in registration order). */
export function withRegistered(active: readonly ActiveMigration[], m: ActiveMigration): readonly ActiveMigration[] {
  return [...active, m];
}

/** The registry without migration `id`. */
export function unregister(active: readonly ActiveMigration[], id: string): readonly ActiveMigration[] {
  const rest = active.filter((m) => m.id !== id);
  return rest.length === active.length ? active : rest;
}
