/**
 * The authoritative routing table of one sharded collection (seed 003, "The authoritative routing
 * table": `config.chunks`), and the versioning updates a migration makes to it ("Types of
 * operations that will cause the versioning information to become stale").
 *
 * A chunk is a range `[min, max)` of the shard key with an owning shard and a chunk version; the
 * chunks of a collection partition the key space. The config server holds the table; routers and
 * shards cache copies of it ({@link ./catalog-cache.ts}).
 *
 * @module
 */
import type { ChunkVersion } from './chunk-version.js';
import { chunkVersion, compareVersions, maxVersion, noChunks } from './chunk-version.js';

/**
 * `MinKey` and `MaxKey`, the bounds of the key space. The models' shard keys are small naturals
 * (0 to 5), so the bounds are small numbers too: states stay plain JSON, and contexts stay within
 * the model-based tests' bound on numbers.
 */
export const MIN_KEY = -1;
export const MAX_KEY = 6;

export interface Chunk {
  readonly id: string;
  readonly min: number;
  readonly max: number;
  readonly shard: string;
  readonly version: ChunkVersion;
}

export interface RoutingTable {
  readonly epoch: string;
  /** Sorted by `min`. */
  readonly chunks: readonly Chunk[];
}

export function chunk(id: string, min: number, max: number, shard: string, version: ChunkVersion): Chunk {
  return Object.freeze({ id, min, max, shard, version });
}

export function routingTable(epoch: string, chunks: readonly Chunk[]): RoutingTable {
  return Object.freeze({ epoch, chunks: Object.freeze([...chunks].sort((a, b) => a.min - b.min)) });
}

export function inChunk(c: Chunk, key: number): boolean {
  return key >= c.min && key < c.max;
}

/** The chunk that holds `key`. */
export function chunkFor(table: RoutingTable, key: number): Chunk {
  for (const c of table.chunks) if (inChunk(c, key)) return c;
  throw new RangeError(`no chunk holds key ${key}`);
}

export function chunkById(table: RoutingTable, id: string): Chunk | undefined {
  return table.chunks.find((c) => c.id === id);
}

/** The shard version of `shard`: its highest chunk version, or `SV<0, 0, E>` when it owns none. */
export function shardVersion(table: RoutingTable, shard: string): ChunkVersion {
  let v: ChunkVersion | undefined;
  for (const c of table.chunks) if (c.shard === shard) v = v === undefined ? c.version : maxVersion(v, c.version);
  return v ?? noChunks(table.epoch);
}

/** The collection version: the highest chunk version across all shards. */
export function collectionVersion(table: RoutingTable): ChunkVersion {
  let v = table.chunks[0]!.version;
  for (const c of table.chunks) v = maxVersion(v, c.version);
  return v;
}

/** Whether `a` is a newer table than `b` (a higher collection version, or another epoch). */
export function isNewerTable(a: RoutingTable, b: RoutingTable): boolean {
  if (a.epoch !== b.epoch) return true;
  return compareVersions(collectionVersion(a), collectionVersion(b)) > 0;
}

/**
 * How the versions change when the chunk `chunkId` moves to `to` (the seed's table): the moved chunk
 * becomes `C<Mcv + 1, 0, Ecv>`; the donor's control chunk — another chunk it still owns, here its
 * first — becomes `ControlChunk<Mcv + 1, 1, Ecv>`, which is the donor's new shard version; with no
 * other chunk the donor's shard version is `SV<0, 0, Ecv>`. `bump: 'none'` keeps every version
 * (the seeded bug), `bump: 'moved-only'` bumps the moved chunk but not the control chunk (the other).
 */
export function moveChunk(table: RoutingTable, chunkId: string, to: string, bump: 'seed' | 'moved-only' | 'none' = 'seed'): RoutingTable {
  const moved = chunkById(table, chunkId);
  if (moved === undefined) throw new RangeError(`no chunk ${chunkId}`);
  const cv = collectionVersion(table);
  const donor = moved.shard;
  const control = table.chunks.find((c) => c.shard === donor && c.id !== chunkId);
  const chunks = table.chunks.map((c) => {
    if (c.id === chunkId) return chunk(c.id, c.min, c.max, to, bump === 'none' ? c.version : chunkVersion(cv.major + 1, 0, cv.epoch));
    if (control !== undefined && c.id === control.id && bump === 'seed') return chunk(c.id, c.min, c.max, c.shard, chunkVersion(cv.major + 1, 1, cv.epoch));
    return c;
  });
  return routingTable(table.epoch, chunks);
}

/** A readable one-line form: `C0[-∞,10)@shard0 1|0||E1, …`. */
export function formatTable(table: RoutingTable): string[] {
  const key = (k: number) => (k === MIN_KEY ? 'MinKey' : k === MAX_KEY ? 'MaxKey' : String(k));
  return table.chunks.map((c) => `${c.id}[${key(c.min)},${key(c.max)})@${c.shard} ${c.version.major}|${c.version.minor}||${c.version.epoch}`);
}
