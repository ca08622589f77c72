/**
 * A shard's user documents of the sharded collection: `{ id, key }` by shard key, kept as a sorted
 * multiset (a document inserted twice appears twice, so "exactly once" can be checked).
 *
 * @module
 */

export interface Doc {
  readonly id: string;
  readonly key: number;
}

export function doc(id: string, key: number): Doc {
  return Object.freeze({ id, key });
}

/** The documents in trace views: `d0@0`. */
export function formatDocs(docs: readonly Doc[]): string[] {
  return docs.map((d) => `${d.id}@${d.key}`);
}

export const compareDocs = (a: Doc, b: Doc): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.key - b.key);

/** The documents with `d` inserted (a second copy if one is there: a plain insert). */
export function insertDoc(docs: readonly Doc[], d: Doc): readonly Doc[] {
  return [...docs, d].sort(compareDocs);
}

/** The documents with `d` upserted by `_id` (what applying a migration's transferred documents does). */
export function upsertDoc(docs: readonly Doc[], d: Doc): readonly Doc[] {
  return docs.some((x) => x.id === d.id) ? docs : insertDoc(docs, d);
}

/** The documents in `[min, max)`. */
export function docsInRange(docs: readonly Doc[], min: number, max: number): readonly Doc[] {
  return docs.filter((d) => d.key >= min && d.key < max);
}

/** The documents outside `[min, max)`: what a range deletion leaves. */
export function deleteRange(docs: readonly Doc[], min: number, max: number): readonly Doc[] {
  const rest = docs.filter((d) => d.key < min || d.key >= max);
  return rest.length === docs.length ? docs : rest;
}

/** How many copies of document `id` there are. */
export function copiesOf(docs: readonly Doc[], id: string): number {
  let n = 0;
  for (const d of docs) if (d.id === id) n++;
  return n;
}
