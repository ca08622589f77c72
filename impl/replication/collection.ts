/**
 * A collection as a sorted array of documents `{ id, v }` (by `id`), the canonical form the checker
 * needs: two collections with the same documents are equal arrays. Operations return the same
 * array when nothing changes.
 *
 * @module
 */

/** A document: its `_id` and one integer field. */
export interface Doc {
  readonly id: string;
  readonly v: number;
}

export type Collection = readonly Doc[];

function indexOf(docs: Collection, id: string): number {
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i]!;
    if (d.id === id) return i;
    if (d.id > id) return -i - 1;
  }
  return -docs.length - 1;
}

/** The document with `_id` `id`, or `undefined`. */
export function findDoc(docs: Collection, id: string): Doc | undefined {
  const i = indexOf(docs, id);
  return i >= 0 ? docs[i] : undefined;
}

/** Insert or replace the document (an upsert). */
export function upsertDoc(docs: Collection, doc: Doc): Collection {
  const i = indexOf(docs, doc.id);
  if (i >= 0) return docs[i]!.v === doc.v ? docs : docs.map((d, j) => (j === i ? doc : d));
  const at = -i - 1;
  return [...docs.slice(0, at), doc, ...docs.slice(at)];
}

/** Remove the document with `_id` `id`, if there is one. */
export function removeDoc(docs: Collection, id: string): Collection {
  const i = indexOf(docs, id);
  return i < 0 ? docs : [...docs.slice(0, i), ...docs.slice(i + 1)];
}

/** The first document whose `_id` sorts after `after` (`''` for the first one): a cloner's cursor. */
export function nextDocAfter(docs: Collection, after: string): Doc | null {
  for (const d of docs) if (d.id > after) return d;
  return null;
}

/** Whether two collections hold the same documents. */
export function sameDocs(a: Collection, b: Collection): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.id !== b[i]!.id || a[i]!.v !== b[i]!.v) return false;
  return true;
}
