/**
 * The invariants of initial sync (DESIGN § 4.2): `IS-CONVERGE`, `IS-CONSISTENT-READS`,
 * `IS-ACKED-DURABLE`, and the vector clock's `VC-ORDER` and `VC-MONOTONE` over both mongods.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { ClientContext, NodeContext, SourceContext } from '../impl/initial-sync.js';
import type { VectorTime } from '../impl/logical-time.js';
import { compareOpTime, lastOpTime, sameDocs, sameOpTime } from '../impl/replication/index.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { clockMonotone, clockOrder } from './clock.js';

/** The state of the initial-sync model. */
export interface InitialSyncState {
  readonly client: RoleSnapshot<ClientContext>;
  readonly source: RoleSnapshot<SourceContext>;
  readonly node: RoleSnapshot<NodeContext>;
  readonly net: readonly Message[];
  readonly faults: Faults;
}

/** The invariants, given how to tell that the syncing node is a (consistent) secondary. */
export function initialSyncInvariants(isSecondary: (at: number) => boolean) {
  /** `IS-CONVERGE`: a secondary caught up to the source's last position has the source's data. */
  const converge: Invariant<InitialSyncState> = {
    id: 'IS-CONVERGE',
    description: "once the syncing node is a secondary at the source's last oplog position, its documents equal the source's",
    holds: (s) => {
      const n = s.node.ctx;
      if (!isSecondary(s.node.at) || n.lastApplied === null) return true;
      return !sameOpTime(n.lastApplied, lastOpTime(s.source.ctx.oplog)) || sameDocs(n.docs, s.source.ctx.docs);
    },
  };
  /** `IS-CONSISTENT-READS`: consistent only after applying up to the end-of-clone position. */
  const consistentReads: Invariant<InitialSyncState> = {
    id: 'IS-CONSISTENT-READS',
    description: 'the syncing node is never a (consistent, readable) secondary before it has applied up to the end-of-clone position (minValid) of a finished clone',
    holds: (s) => {
      if (!isSecondary(s.node.at)) return true;
      const n = s.node.ctx;
      return n.minValid !== null && n.lastApplied !== null && compareOpTime(n.lastApplied, n.minValid) >= 0;
    },
  };
  /** `IS-ACKED-DURABLE`: an acknowledged w:"majority" write is in the syncing node's applied oplog. */
  const ackedDurable: Invariant<InitialSyncState> = {
    id: 'IS-ACKED-DURABLE',
    description: 'no acknowledged w:"majority" write is missing from the syncing node: its applied position covers every acknowledged write, crashes included',
    holds: (s) => s.client.ctx.acked === 0 || (s.node.ctx.lastApplied !== null && s.node.ctx.lastApplied.ts >= s.client.ctx.acked),
  };
  const clocks = (s: InitialSyncState): readonly VectorTime[] => [s.source.ctx.clock, s.node.ctx.clock];
  const vcOrder = clockOrder<InitialSyncState>(clocks);
  const mongods = clockMonotone<InitialSyncState, { kind: string }>(clocks);
  const vcMonotone: StepInvariant<InitialSyncState, { kind: string }> = {
    id: mongods.id,
    description: "no vector-time component decreases at either mongod in any step, crash and restart included (nor the client's ClusterTime)",
    holds: (b, a, t) => t.client.ctx.clusterTime >= b.client.ctx.clusterTime && mongods.holds(b, a, t),
  };
  return { converge, consistentReads, ackedDurable, vcOrder, vcMonotone };
}
