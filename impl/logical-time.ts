/**
 * Logical times and vector times (seed 003, "The vector clock and causal consistency").
 *
 * A logical time is a BSON Timestamp: seconds since the epoch and a counter. clusterspec has no
 * wall clock, so every time has the same seconds ({@link EPOCH_SECONDS}) and the checker's states
 * hold only the counter, a small number; {@link toTimestamp} and {@link fromTimestamp} convert at
 * the boundary (traces, views), so that what users read is a real `Timestamp`.
 *
 * @module
 */
import { Timestamp } from 'bson';

/** A logical time: the counter of a Timestamp whose seconds are {@link EPOCH_SECONDS}. */
export type LogicalTime = number;

/** The seconds of every logical time in a model (2025-01-01T00:00:00Z). */
export const EPOCH_SECONDS = 1_735_689_600;

export function toTimestamp(t: LogicalTime): Timestamp {
  return new Timestamp({ t: EPOCH_SECONDS, i: t });
}

export function fromTimestamp(ts: Timestamp): LogicalTime {
  if (ts.t !== EPOCH_SECONDS) throw new RangeError(`logical time ${ts.toString()} is not from this model's epoch`);
  return ts.i;
}

/** ClusterTime, ConfigTime and TopologyTime of one node, read together (one snapshot). */
export interface VectorTime {
  readonly cluster: LogicalTime;
  readonly config: LogicalTime;
  readonly topology: LogicalTime;
}

export const ZERO_TIME: VectorTime = Object.freeze({ cluster: 0, config: 0, topology: 0 });

export function vectorTime(cluster: LogicalTime, config: LogicalTime, topology: LogicalTime): VectorTime {
  return cluster === 0 && config === 0 && topology === 0 ? ZERO_TIME : { cluster, config, topology };
}

/**
 * What a message carries: `$clusterTime` always; `$configTime` and `$topologyTime` only between
 * nodes of the cluster (internal clients), never to or from drivers.
 */
export interface Gossip {
  readonly $clusterTime: LogicalTime;
  readonly $configTime?: LogicalTime;
  readonly $topologyTime?: LogicalTime;
}

/** The gossip of a node's vector time to another node of the cluster. */
export function internalGossip(t: VectorTime): Gossip {
  return { $clusterTime: t.cluster, $configTime: t.config, $topologyTime: t.topology };
}

/** The gossip to or from an external client: ClusterTime only. */
export function externalGossip(cluster: LogicalTime): Gossip {
  return { $clusterTime: cluster };
}

/** Advance each component to the max of its value and the gossiped one; the same object when nothing grows. */
export function advance(t: VectorTime, g: Gossip): VectorTime {
  const cluster = Math.max(t.cluster, g.$clusterTime);
  const config = Math.max(t.config, g.$configTime ?? 0);
  const topology = Math.max(t.topology, g.$topologyTime ?? 0);
  return cluster === t.cluster && config === t.config && topology === t.topology ? t : vectorTime(cluster, config, topology);
}

/** Whether `a` ≤ `b` componentwise. */
export function notAfter(a: VectorTime, b: VectorTime): boolean {
  return a.cluster <= b.cluster && a.config <= b.config && a.topology <= b.topology;
}

/** The view of a vector time in traces: BSON Timestamps. */
export function vectorTimeView(t: VectorTime): { clusterTime: Timestamp; configTime: Timestamp; topologyTime: Timestamp } {
  return { clusterTime: toTimestamp(t.cluster), configTime: toTimestamp(t.config), topologyTime: toTimestamp(t.topology) };
}
