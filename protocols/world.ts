/**
 * The world model shared by the protocols (DESIGN § 2.3): hosts that run compiled role charts, a
 * network of remote commands in flight (a multiset, any message may be delivered next), bounded
 * loss and duplication of messages, and bounded crash-and-restart of hosts that keep their durable
 * state and lose their volatile state.
 *
 * A protocol module describes its hosts ({@link Host}) and its environment events; this module
 * turns deliveries and faults into actions and successors.
 *
 * @module
 */
import type { Size, SizeParam } from '../checker/model.js';
import type { CompiledRole, RoleSnapshot } from '../machines/compile.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import { distinctIndexes, removeAt, send, targets } from '../impl/world/network.js';

export type { Faults } from '../impl/world/faults.js';
export { NO_FAULTS } from '../impl/world/faults.js';

/** The bounds on faults, from a model's size (`maxLoss`, `maxDup`, `maxCrashes`). */
export interface FaultBounds {
  readonly maxLoss: number;
  readonly maxDup: number;
  readonly maxCrashes: number;
}

/** The size parameters every protocol with a network and crashes has. */
export const FAULT_SIZE_PARAMS: { readonly [param: string]: SizeParam } = {
  maxLoss: { description: 'how many messages the network may lose', min: 0, max: 4 },
  maxDup: { description: 'how many messages the network may duplicate', min: 0, max: 4 },
  maxCrashes: { description: 'how many crash-and-restarts of a node may happen', min: 0, max: 4 },
};

export function faultBounds(size: Size): FaultBounds {
  return { maxLoss: size['maxLoss'] ?? 0, maxDup: size['maxDup'] ?? 0, maxCrashes: size['maxCrashes'] ?? 0 };
}

/** The part of a protocol's state the world manages. */
export interface WorldState {
  readonly net: readonly Message[];
  readonly faults: Faults;
}

/** A host of the world: a compiled chart and where its snapshot lives in the protocol's state. */
export interface Host<S, C = any, E extends { type: string } = any> {
  readonly name: string;
  readonly chart: CompiledRole<C, E, Message>;
  get(s: S): RoleSnapshot<C>;
  set(s: S, snapshot: RoleSnapshot<C>): S;
  /**
   * The context after a crash and restart (durable state kept, volatile state reset); `undefined`
   * for hosts that do not crash in this model.
   */
  readonly recover?: (ctx: C) => C;
}

/** The world's own steps. */
export type WorldAction =
  | { readonly kind: 'Deliver'; readonly index: number; readonly host: string; readonly message: Message }
  | { readonly kind: 'Lose'; readonly index: number; readonly message: Message }
  | { readonly kind: 'Duplicate'; readonly index: number; readonly message: Message }
  | { readonly kind: 'Crash'; readonly host: string };

export const WORLD_ACTION_KINDS = ['Deliver', 'Lose', 'Duplicate', 'Crash'] as const;

/** The world of one protocol: its hosts and fault bounds. */
export class World<S extends WorldState> {
  private readonly byName: ReadonlyMap<string, Host<S>>;
  /** Scratch buffer for the messages a step sends. */
  private readonly sent: Message[] = [];

  constructor(
    readonly hosts: readonly Host<S>[],
    readonly bounds: FaultBounds,
    /** Builds a state with a new network and faults (the protocol knows its state's shape). */
    private readonly withWorld: (s: S, net: readonly Message[], faults: Faults) => S,
    /** Where sent messages go; by default straight into the network. */
    private readonly post: (s: S, from: string, messages: readonly Message[]) => S = (s, _from, messages) => {
      let net = s.net;
      for (const m of messages) net = send(net, m);
      return this.withWorld(s, net, s.faults);
    },
  ) {
    this.byName = new Map(hosts.map((h) => [h.name, h]));
  }

  host(name: string): Host<S> {
    const h = this.byName.get(name);
    if (h === undefined) throw new Error(`no host "${name}"`);
    return h;
  }

  /** Push the world's enabled steps: deliveries, losses, duplications, crashes. */
  actions(s: S, out: WorldAction[]): void {
    const distinct = distinctIndexes(s.net);
    const net = s.net;
    for (const index of distinct) for (const host of targets(net[index]!)) if (this.byName.has(host)) out.push({ kind: 'Deliver', index, host, message: net[index]! });
    if (s.faults.lost < this.bounds.maxLoss) for (const index of distinct) out.push({ kind: 'Lose', index, message: net[index]! });
    if (s.faults.duplicated < this.bounds.maxDup) for (const index of distinct) out.push({ kind: 'Duplicate', index, message: net[index]! });
    if (s.faults.crashes < this.bounds.maxCrashes) for (const h of this.hosts) if (h.recover !== undefined) out.push({ kind: 'Crash', host: h.name });
  }

  /** The successor under a world step. A delivered message its host does not take is dropped. */
  next(s: S, a: WorldAction, deliverEvent: (m: Message) => { type: string }): S | undefined {
    switch (a.kind) {
      case 'Deliver': {
        const message = s.net[a.index];
        if (message === undefined) return undefined;
        const delivered = this.withWorld(s, removeAt(s.net, a.index), s.faults);
        return this.step(delivered, a.host, deliverEvent(message)) ?? delivered;
      }
      case 'Lose':
        if (a.index >= s.net.length || s.faults.lost >= this.bounds.maxLoss) return undefined;
        return this.withWorld(s, removeAt(s.net, a.index), { ...s.faults, lost: s.faults.lost + 1 });
      case 'Duplicate': {
        const message = s.net[a.index];
        if (message === undefined || s.faults.duplicated >= this.bounds.maxDup) return undefined;
        return this.withWorld(s, send(s.net, message), { ...s.faults, duplicated: s.faults.duplicated + 1 });
      }
      case 'Crash': {
        const h = this.host(a.host);
        if (h.recover === undefined || s.faults.crashes >= this.bounds.maxCrashes) return undefined;
        const crashed = this.withWorld(s, s.net, { ...s.faults, crashes: s.faults.crashes + 1 });
        // A restarted node comes back at its chart's initial state with its durable data.
        const sent = this.sent;
        const restarted = h.set(crashed, h.chart.initial(h.recover(h.get(s).ctx), sent));
        return this.flush(restarted, h.name);
      }
    }
  }

  /** Step host `name` with `event`; `undefined` when its chart takes no transition. */
  step(s: S, name: string, event: { type: string }): S | undefined {
    const h = this.host(name);
    const before = h.get(s);
    const after = h.chart.step(before, event, this.sent);
    if (after === undefined) return undefined;
    if (after === before && this.sent.length === 0) return s;
    return this.flush(after === before ? s : h.set(s, after), name);
  }

  private flush(s: S, from: string): S {
    if (this.sent.length === 0) return s;
    const messages = this.sent.splice(0);
    return this.post(s, from, messages);
  }
}

/** A label of a world step for traces: `Deliver(write#op1 router→shard0)`, `Crash(config)`. */
export function describeWorldAction(a: WorldAction): string {
  return a.kind === 'Crash' ? `Crash(${a.host})` : `${a.kind}(${describeMessage(a.message)})`;
}

/** A short label of a message for traces: `write#op1 router→shard0`, `ok#op1 shard0→router`. */
export function describeMessage(m: Message): string {
  if (m.kind === 'request') {
    const to = typeof m.to === 'string' ? m.to : `any(${m.to.anyOf.join(',')})`;
    return `${m.cmd.name}#${m.id} ${m.from}→${to}`;
  }
  return `${m.status}#${m.id} ${m.from}→${m.to}`;
}
