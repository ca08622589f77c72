/**
 * The invariants of the legacy writeback protocol (DESIGN § 4.8): `WB-ACK-DURABLE`,
 * `WB-EXACTLY-ONCE`, `WB-IDS-INCREASE`, `WB-ROUTED`; and the vector clock's `VC-ORDER` and
 * `VC-MONOTONE` (§ 4.1) over every node.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { VectorTime } from '../impl/logical-time.js';
import type { ClientContext } from '../impl/writeback/client.js';
import type { ConfigContext } from '../impl/writeback/config.js';
import type { ListenerOwn } from '../impl/writeback/listener.js';
import type { ConnState, RouterShared } from '../impl/writeback/router.js';
import type { ShardContext } from '../impl/writeback/shard.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { clockMonotone, clockOrder } from './clock.js';

/** The highest writeback id ever put in one queue (a queue is a router incarnation's serverID on a shard). */
export interface IssuedIds {
  readonly queue: string;
  readonly max: number;
}

/**
 * A router process: the memory its threads share, its client-connection thread and its listener
 * threads (one per shard), each thread's chart configuration with its own fields.
 */
export interface RouterProcess {
  readonly shared: RouterShared;
  readonly requests: { readonly at: number; readonly conn: ConnState | null };
  readonly listeners: readonly { readonly at: number; readonly own: ListenerOwn }[];
}

/** The state of the writeback model. */
export interface WritebackState {
  readonly clients: readonly RoleSnapshot<ClientContext>[];
  readonly routers: readonly RouterProcess[];
  readonly config: RoleSnapshot<ConfigContext>;
  readonly shards: readonly RoleSnapshot<ShardContext>[];
  /** Messages in flight (a sorted multiset). */
  readonly net: readonly Message[];
  readonly faults: Faults;
  /**
   * History, not the state of any node: per queue, the highest id ever issued into it, restarts
   * included (sorted by queue). `WB-IDS-INCREASE` reads it.
   */
  readonly issued: readonly IssuedIds[];
}

/** The queue key of `serverId`'s queue on `shard`. */
export const queueKey = (shard: string, serverId: string): string => `${shard}/${serverId}`;

/** `WB-ACK-DURABLE`: a write that `getLastError` reported as done is on the shard that owns its chunk. */
export const wbAckDurable: Invariant<WritebackState> = {
  id: 'WB-ACK-DURABLE',
  description: 'a write that getLastError reported as done is on the shard that owns its chunk',
  holds: (s) => {
    const owner = s.config.ctx.table.owner;
    const docs = s.shards.find((sh) => sh.ctx.host === owner)!.ctx.docs;
    for (const c of s.clients) for (const w of c.ctx.acked) if (!docs.includes(w)) return false;
    return true;
  },
};

/** `WB-EXACTLY-ONCE`: no write is applied twice (re-polls, duplicates and restarts included). */
export const wbExactlyOnce: Invariant<WritebackState> = {
  id: 'WB-EXACTLY-ONCE',
  description: 'no write is applied twice: across all shards each write is at most one document',
  holds: (s) => {
    const seen = new Set<string>();
    for (const sh of s.shards) {
      for (const d of sh.ctx.docs) {
        if (seen.has(d)) return false;
        seen.add(d);
      }
    }
    return true;
  },
};

/** A step as the writeback invariants read it: its kind, and the message it delivered and to whom. */
export interface StepAction {
  readonly kind: string;
  readonly host?: string;
  readonly message?: Message;
}

/**
 * The writeback a step put in a queue, if any: only delivering a fire-and-forget write to a shard
 * does, and the shard then sets the connection's last error to that writeback's id (a new record,
 * even when a parked poll takes the writeback at once).
 */
export function queuedBy(before: WritebackState, a: StepAction, after: WritebackState): { queue: string; id: number } | undefined {
  const m = a.message;
  if (a.kind !== 'Deliver' || m === undefined || m.kind !== 'request' || m.cmd.name !== 'write') return undefined;
  const i = after.shards.findIndex((sh) => sh.ctx.host === a.host);
  if (i < 0) return undefined;
  const conn = m.cmd['conn'] as string;
  const now = after.shards[i]!.ctx.lastErrors.find((l) => l.conn === conn)?.result;
  const was = before.shards[i]!.ctx.lastErrors.find((l) => l.conn === conn)?.result;
  if (now === undefined || now === was || now.kind !== 'writeback') return undefined;
  return { queue: queueKey(a.host!, m.cmd['serverId'] as string), id: now.id };
}

/** The highest id issued into `queue` so far (0 if none). */
export function issuedMax(s: WritebackState, queue: string): number {
  return s.issued.find((x) => x.queue === queue)?.max ?? 0;
}

/** `WB-IDS-INCREASE`: every writeback id put in a queue is greater than every id put in that queue before. */
export const wbIdsIncrease: StepInvariant<WritebackState, StepAction> = {
  id: 'WB-IDS-INCREASE',
  description: 'each writeback id a shard puts in a queue is greater than every id put in that queue before, restarts included',
  holds: (before, a, after) => {
    const q = queuedBy(before, a, after);
    return q === undefined || q.id > issuedMax(before, q.queue);
  },
};

/** `WB-ROUTED`: a write is applied only by the shard that owns its chunk at that moment. */
export const wbRouted: StepInvariant<WritebackState, { kind: string }> = {
  id: 'WB-ROUTED',
  description: 'a write is applied only by the shard that owns its chunk at that moment (migrations move documents, they do not apply writes)',
  holds: (before, a, after) => {
    if (a.kind === 'MoveChunk') return true;
    const owner = after.config.ctx.table.owner;
    for (let i = 0; i < after.shards.length; i++) {
      const sh = after.shards[i]!.ctx;
      if (sh.docs.length > before.shards[i]!.ctx.docs.length && sh.host !== owner) return false;
    }
    return true;
  },
};

const mongodClocks = (s: WritebackState): VectorTime[] => [s.config.ctx.clock, ...s.shards.map((sh) => sh.ctx.clock)];
const allClocks = (s: WritebackState): VectorTime[] => [...mongodClocks(s), ...s.routers.map((r) => r.shared.clock)];

/** `VC-ORDER` at every node: the config server, the shards and the routers. */
export const vcOrder: Invariant<WritebackState> = clockOrder(allClocks);

const monotoneAll = clockMonotone<WritebackState, { kind: string; host?: string }>(allClocks);
const monotoneMongods = clockMonotone<WritebackState, { kind: string; host?: string }>(mongodClocks);

/**
 * `VC-MONOTONE` at every node, crashes included — except a router across its own restart: a
 * restarted mongos is a new process with no durable state, whose clock starts again from gossip
 * (decision 0012).
 */
export const vcMonotone: StepInvariant<WritebackState, { kind: string; host?: string }> = {
  id: monotoneAll.id,
  description: `${monotoneAll.description}; a router's restart starts a new process, whose clock starts from gossip`,
  holds: (before, a, after) =>
    a.kind === 'Crash' && a.host !== undefined && a.host.startsWith('router') ? monotoneMongods.holds(before, a, after) : monotoneAll.holds(before, a, after),
};
