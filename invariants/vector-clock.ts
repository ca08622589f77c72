/**
 * The invariants of the vector clock (DESIGN § 4.1): `VC-ORDER`, `VC-MONOTONE` and
 * `VC-ROUTER-NO-TICK`.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { LogicalTime, VectorTime } from '../impl/logical-time.js';
import type { ClientContext, ConfigContext, RouterContext, ShardContext } from '../impl/vector-clock.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';

/** The state of the vector-clock model. */
export interface VectorClockState {
  readonly client: RoleSnapshot<ClientContext>;
  readonly router: RoleSnapshot<RouterContext>;
  readonly config: RoleSnapshot<ConfigContext>;
  readonly shards: readonly RoleSnapshot<ShardContext>[];
  /** Messages in flight (a sorted multiset). */
  readonly net: readonly Message[];
  /** Messages whose gossip is half read (only under the seeded bug `gossip-two-reads`). */
  readonly halfRead: readonly { readonly message: Message }[];
  readonly faults: Faults;
}

/** A cluster node's vector time. */
export interface NodeClock extends VectorTime {
  readonly host: string;
}

/** The vector time of every node of the cluster (the driver has ClusterTime only and is not one). */
export function clocksOf(s: VectorClockState): NodeClock[] {
  return [
    { host: 'router', ...s.router.ctx.clock },
    { host: 'config', ...s.config.ctx.clock },
    ...s.shards.map((sh) => ({ host: sh.ctx.host, ...sh.ctx.clock })),
  ];
}

/** `VC-ORDER`: ClusterTime ≥ ConfigTime ≥ TopologyTime at every node. */
export const vcOrder: Invariant<VectorClockState> = {
  id: 'VC-ORDER',
  description: 'ClusterTime ≥ ConfigTime ≥ TopologyTime at every node, always',
  holds: (s) => ordered(s.router.ctx.clock) && ordered(s.config.ctx.clock) && s.shards.every((sh) => ordered(sh.ctx.clock)),
};

const ordered = (t: VectorTime): boolean => t.cluster >= t.config && t.config >= t.topology;

/** `VC-MONOTONE`: no component of any node's clock (nor the driver's ClusterTime) ever decreases, restarts included. */
export const vcMonotone: StepInvariant<VectorClockState, { kind: string }> = {
  id: 'VC-MONOTONE',
  description: "no vector-time component decreases at any node in any step, crash and restart included (the driver's ClusterTime neither)",
  holds: (before, _a, after) => {
    if (after.client.ctx.clusterTime < before.client.ctx.clusterTime) return false;
    const b = clocksOf(before);
    const a = clocksOf(after);
    return b.every((t, i) => notDecreased(t, a[i]!));
  },
};

const notDecreased = (before: VectorTime, after: VectorTime): boolean =>
  after.cluster >= before.cluster && after.config >= before.config && after.topology >= before.topology;

/**
 * `VC-ROUTER-NO-TICK`: a router's vector time only ever takes values it received. In a step that
 * delivers a message to it, each component ends at most at the max of its value and the message's
 * gossip; in any other step it does not change.
 */
export const vcRouterNoTick: StepInvariant<VectorClockState, { kind: string; index?: number; host?: string }> = {
  id: 'VC-ROUTER-NO-TICK',
  description: 'the router never ticks: its vector time only advances to values it received',
  holds: (before, a, after) => {
    const was = before.router.ctx.clock;
    const is = after.router.ctx.clock;
    if (is === was) return true;
    const message = a.kind === 'Deliver' && a.host === 'router' && a.index !== undefined ? before.net[a.index] : undefined;
    if (message === undefined) return is.cluster === was.cluster && is.config === was.config && is.topology === was.topology;
    const g = message.gossip;
    const bound = (own: LogicalTime, got: LogicalTime | undefined) => Math.max(own, got ?? 0);
    return is.cluster <= bound(was.cluster, g.$clusterTime) && is.config <= bound(was.config, g.$configTime) && is.topology <= bound(was.topology, g.$topologyTime);
  },
};
