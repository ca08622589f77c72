/**
 * Small pieces of world plumbing the protocol modules share: replacing one host's snapshot in an
 * array of them, looking for a message in flight, closing a crashed host's connections, and the
 * filters that say which messages the network may lose or duplicate and which kinds of action a
 * model's fault bounds leave possible.
 *
 * @module
 */
import type { Message } from '../impl/world/network.js';
import type { FaultBounds, WorldAction, WorldState } from './world.js';

/** `xs` with its `i`-th element replaced by `v`. */
export const replaceAt = <T>(xs: readonly T[], i: number, v: T): readonly T[] => xs.map((x, j) => (j === i ? v : x));

/** Whether a message with this id is in the network. */
export function inFlight(net: readonly Message[], id: string): boolean {
  for (const m of net) if (m.id === id) return true;
  return false;
}

/**
 * A crash closes the host's connections: every message in flight to it or from it is gone. The state
 * itself when nothing was; otherwise `withNet` builds it with the network that is left.
 */
export function closeConnections<S extends WorldState>(s: S, host: string, withNet: (s: S, net: readonly Message[]) => S): S {
  const net = s.net.filter((m) => m.to !== host && m.from !== host);
  return net.length === s.net.length ? s : withNet(s, net);
}

/** A predicate on messages: the requests whose command is one of `names`. */
export function requestsNamed(names: Iterable<string>): (m: Message) => boolean {
  const set: ReadonlySet<string> = new Set(names);
  return (m) => m.kind === 'request' && set.has(m.cmd.name);
}

/**
 * Which of the world's actions a model allows: every delivery and crash, a loss only of a lossy
 * message, a duplication only of a duplicable one.
 */
export function faultFilter(isLossy: (m: Message) => boolean, isDuplicable: (m: Message) => boolean): (a: WorldAction) => boolean {
  return (a) => a.kind === 'Deliver' || a.kind === 'Crash' || (a.kind === 'Lose' ? isLossy(a.message) : isDuplicable(a.message));
}

/** The kinds of action, less the faults the bounds rule out (bound 0): coverage does not list them. */
export function possibleKinds<K extends string>(kinds: readonly K[], bounds: FaultBounds): K[] {
  return kinds.filter((k) => (k !== 'Lose' || bounds.maxLoss > 0) && (k !== 'Duplicate' || bounds.maxDup > 0) && (k !== 'Crash' || bounds.maxCrashes > 0));
}
