/**
 * Chunk versions (seed 003, "Shard versioning"): `C<M, m, E>` — the major version `M`, bumped when
 * a chunk moves; the minor version `m`, bumped when a chunk is split (or, for the donor's control
 * chunk, when another chunk moves off its shard); the epoch `E`, one per incarnation of the
 * collection. A shard version and a collection version are chunk versions too: the highest chunk
 * version on one shard, and across all shards.
 *
 * Epochs are ObjectIds in the real system; here they are short strings (`E1`), written as
 * ObjectIds only at the trace boundary.
 *
 * @module
 */

export interface ChunkVersion {
  readonly major: number;
  readonly minor: number;
  readonly epoch: string;
}

export function chunkVersion(major: number, minor: number, epoch: string): ChunkVersion {
  return Object.freeze({ major, minor, epoch });
}

/** The shard version of a shard that owns no chunk of the collection: `SV<0, 0, E>`. */
export function noChunks(epoch: string): ChunkVersion {
  return chunkVersion(0, 0, epoch);
}

/**
 * The order of two versions of the same epoch, by major then minor (negative: `a` is older).
 * Versions of different epochs are not ordered: {@link sameEpoch} first.
 */
export function compareVersions(a: ChunkVersion, b: ChunkVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function sameEpoch(a: ChunkVersion, b: ChunkVersion): boolean {
  return a.epoch === b.epoch;
}

export function versionsEqual(a: ChunkVersion, b: ChunkVersion): boolean {
  return a.major === b.major && a.minor === b.minor && a.epoch === b.epoch;
}

/** `a` is older than `b`: same epoch and a lower (major, minor). */
export function isOlder(a: ChunkVersion, b: ChunkVersion): boolean {
  return sameEpoch(a, b) && compareVersions(a, b) < 0;
}

/** The newer of two versions of the same epoch. */
export function maxVersion(a: ChunkVersion, b: ChunkVersion): ChunkVersion {
  return compareVersions(a, b) >= 0 ? a : b;
}

/** The seed's notation: `1|0||E1`. */
export function formatVersion(v: ChunkVersion): string {
  return `${v.major}|${v.minor}||${v.epoch}`;
}
