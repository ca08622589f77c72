/**
 * The invariants of rollback (DESIGN § 4.3): `RB-PREFIX`, `RB-CONVERGE`, `RB-MAJORITY-DURABLE`,
 * `RB-ONE-PRIMARY-PER-TERM`, the consumer's `RB-CONSUMER`, and the vector clock's `VC-ORDER` and
 * `VC-MONOTONE` over every member.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { ArbiterContext, ClientContext, ConsumerContext, NodeContext } from '../impl/rollback.js';
import { hasOpTime, lastOf, refetchId, targetMatches } from '../impl/rollback.js';
import type { VectorTime } from '../impl/logical-time.js';
import type { OplogEntry } from '../impl/replication/index.js';
import { sameDocs, sameOpTime } from '../impl/replication/index.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { clockMonotone, clockOrder } from './clock.js';

/** The state of the rollback model. */
export interface RollbackState {
  readonly client: RoleSnapshot<ClientContext>;
  readonly nodes: readonly RoleSnapshot<NodeContext>[];
  readonly arbiters: readonly RoleSnapshot<ArbiterContext>[];
  readonly consumer: RoleSnapshot<ConsumerContext>;
  readonly net: readonly Message[];
  readonly faults: Faults;
  /** History: every election won, as `term:node` (sorted). */
  readonly primaries: readonly string[];
}

/** What the invariants need to know of the charts' configurations. */
export interface RollbackConfigs {
  readonly isPrimary: (at: number) => boolean;
  readonly isRefetching: (at: number) => boolean;
  readonly isSecondary: (at: number) => boolean;
  readonly isTailing: (at: number) => boolean;
}

type Step = { readonly kind: string; readonly host?: string; readonly message?: Message };

const sameEntry = (a: OplogEntry, b: OplogEntry): boolean => a.ts === b.ts && a.term === b.term && a.op === b.op && a.id === b.id && a.v === b.v;

/** Whether `a` is a prefix of `b`. */
export function isPrefix(a: readonly OplogEntry[], b: readonly OplogEntry[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameEntry(a[i]!, b[i]!)) return false;
  return true;
}

export function rollbackInvariants(c: RollbackConfigs) {
  /** `RB-PREFIX`: the step that completes a rollback leaves the node's oplog a prefix of its sync source's. */
  const prefix: StepInvariant<RollbackState, Step> = {
    id: 'RB-PREFIX',
    description: "when a rollback completes, the node's oplog is a prefix of its sync source's",
    holds: (before, a, after) => {
      if (a.kind !== 'Deliver' || a.message === undefined || a.message.kind !== 'response') return true;
      for (let i = 0; i < before.nodes.length; i++) {
        const b = before.nodes[i]!;
        if (a.host !== b.ctx.name || a.message.id !== refetchId(b.ctx.name) || !c.isRefetching(b.at)) continue;
        const n = after.nodes[i]!;
        if (!c.isSecondary(n.at)) continue;
        const source = after.nodes.find((x) => x.ctx.name === b.ctx.source);
        if (source !== undefined && !isPrefix(n.ctx.oplog, source.ctx.oplog)) return false;
      }
      return true;
    },
  };

  /** `RB-CONVERGE`: two consistent data-bearing nodes at the same last optime have the same documents. */
  const converge: Invariant<RollbackState> = {
    id: 'RB-CONVERGE',
    description: 'any two consistent data-bearing nodes whose oplogs end at the same optime (timestamp and term) hold the same documents',
    holds: (s) => {
      for (let i = 0; i < s.nodes.length; i++) {
        const x = s.nodes[i]!.ctx;
        if (x.minValid !== null) continue;
        for (let j = i + 1; j < s.nodes.length; j++) {
          const y = s.nodes[j]!.ctx;
          if (y.minValid !== null || !sameOpTime(lastOf(x.oplog), lastOf(y.oplog))) continue;
          if (!sameDocs(x.docs, y.docs)) return false;
        }
      }
      return true;
    },
  };

  /**
   * `RB-MAJORITY-DURABLE`: no step removes a w:"majority"-acknowledged write from any node's oplog
   * (rollbacks and restarts included), and every primary of the write's term or a later one has it.
   */
  const majorityDurable: StepInvariant<RollbackState, Step> = {
    id: 'RB-MAJORITY-DURABLE',
    description: 'a w:"majority"-acknowledged write is never rolled back: no step removes it from an oplog, and every primary of its term or a later one has it',
    holds: (before, _a, after) => {
      const acked = after.client.ctx.acked;
      if (acked.length === 0) return true;
      for (let i = 0; i < after.nodes.length; i++) {
        const b = before.nodes[i]!.ctx;
        const n = after.nodes[i]!;
        for (const o of acked) {
          const has = hasOpTime(n.ctx.oplog, o);
          if (!has && b.oplog !== n.ctx.oplog && hasOpTime(b.oplog, o)) return false;
          if (!has && c.isPrimary(n.at) && n.ctx.term >= o.term) return false;
        }
      }
      return true;
    },
  };

  /** `RB-ONE-PRIMARY-PER-TERM`: no two nodes were ever elected in the same term. */
  const onePrimaryPerTerm: Invariant<RollbackState> = {
    id: 'RB-ONE-PRIMARY-PER-TERM',
    description: 'at most one node is ever elected primary in a term',
    holds: (s) => {
      const p = s.primaries;
      for (let i = 1; i < p.length; i++) if (p[i]!.split(':')[0] === p[i - 1]!.split(':')[0]) return false;
      return true;
    },
  };

  /** `RB-CONSUMER`: caught up to the node it follows, the consumer's target has that node's documents. */
  const consumer: Invariant<RollbackState> = {
    id: 'RB-CONSUMER',
    description: "the oplog-tailing consumer, tailing with its checkpoint at the last entry of the (consistent) node it follows, has that node's documents in its target",
    holds: (s) => {
      const k = s.consumer;
      if (!c.isTailing(k.at) || k.ctx.checkpoint === null) return true;
      const n = s.nodes[0]!.ctx;
      if (n.minValid !== null || !sameOpTime(k.ctx.checkpoint, lastOf(n.oplog))) return true;
      return targetMatches(k.ctx.target, n.docs);
    },
  };

  const clocks = (s: RollbackState): readonly VectorTime[] => {
    const out: VectorTime[] = [];
    for (const n of s.nodes) out.push(n.ctx.clock);
    for (const x of s.arbiters) out.push(x.ctx.clock);
    return out;
  };
  const vcOrder = clockOrder<RollbackState>(clocks);
  const members = clockMonotone<RollbackState, Step>(clocks);
  const vcMonotone: StepInvariant<RollbackState, Step> = {
    id: members.id,
    description: "no vector-time component decreases at any member in any step, crash and restart included (nor the client's ClusterTime)",
    holds: (b, a, t) => t.client.ctx.clusterTime >= b.client.ctx.clusterTime && members.holds(b, a, t),
  };
  return { prefix, converge, majorityDurable, onePrimaryPerTerm, consumer, vcOrder, vcMonotone };
}

