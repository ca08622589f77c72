/**
 * The documents a migration persists on its shards (seed 003, "Orphaned range deletion"), shared by
 * the migration and range-deletion models:
 *
 * - `config.migrationCoordinators` on the donor: the migration's id, chunk, donor and recipient,
 *   and, once known, its decision. It is written before the migration starts and deleted at the
 *   end; a donor that restarts with one recovers the migration from it.
 * - `config.rangeDeletions` on both shards: a range to delete, `pending` until the migration's
 *   outcome says whose copy of the range is orphaned. The donor's task is written pending at the
 *   start; the recipient's before it clones. On commit the recipient's task is deleted and the
 *   donor's marked ready; on abort the donor's is deleted and the recipient's marked ready.
 *
 * @module
 */

export type Decision = 'committed' | 'aborted';

export interface MigrationCoordinatorDoc {
  readonly id: string;
  readonly chunk: string;
  readonly min: number;
  readonly max: number;
  readonly donor: string;
  readonly recipient: string;
  readonly decision: Decision | null;
}

export interface RangeDeletionTask {
  /** The migration that wrote it. */
  readonly id: string;
  readonly min: number;
  readonly max: number;
  readonly pending: boolean;
}

export function coordinatorDoc(id: string, chunk: string, min: number, max: number, donor: string, recipient: string): MigrationCoordinatorDoc {
  return Object.freeze({ id, chunk, min, max, donor, recipient, decision: null });
}

export function withDecision(doc: MigrationCoordinatorDoc, decision: Decision): MigrationCoordinatorDoc {
  return doc.decision === decision ? doc : Object.freeze({ ...doc, decision });
}

export function pendingTask(id: string, min: number, max: number): RangeDeletionTask {
  return Object.freeze({ id, min, max, pending: true });
}

const byId = (a: RangeDeletionTask, b: RangeDeletionTask): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.min - b.min);

/** The tasks with `t` added or replaced (by id), sorted by id. */
export function putTask(tasks: readonly RangeDeletionTask[], t: RangeDeletionTask): readonly RangeDeletionTask[] {
  return [...tasks.filter((x) => x.id !== t.id), t].sort(byId);
}

/** The tasks without migration `id`'s. */
export function deleteTask(tasks: readonly RangeDeletionTask[], id: string): readonly RangeDeletionTask[] {
  const rest = tasks.filter((x) => x.id !== id);
  return rest.length === tasks.length ? tasks : rest;
}

/** The tasks with migration `id`'s marked ready (no longer pending). */
export function markReady(tasks: readonly RangeDeletionTask[], id: string): readonly RangeDeletionTask[] {
  if (!tasks.some((x) => x.id === id && x.pending)) return tasks;
  return tasks.map((x) => (x.id === id ? Object.freeze({ ...x, pending: false }) : x));
}

/** Whether a task overlapping `[min, max)` exists (the recipient waits for it before it clones). */
export function overlaps(tasks: readonly RangeDeletionTask[], min: number, max: number): boolean {
  return tasks.some((t) => t.min < max && min < t.max);
}

/** The first task ready to be deleted, if any. */
export function readyTask(tasks: readonly RangeDeletionTask[]): RangeDeletionTask | undefined {
  return tasks.find((t) => !t.pending);
}
