/**
 * The network of the world model: remote commands (seed 002, "Remote Commands") in flight.
 *
 * A request names its target host, or a list of hosts of a replica set for the "on any" variant,
 * and carries a command document; a response carries a status (ok, or an error such as a network
 * error, NotPrimary or a stale-version error) besides its data, and names the host that ran the
 * request. Both carry the vector-clock gossip.
 *
 * In-flight messages are a multiset, kept as a sorted array (sorted by {@link compareValues}) so
 * that two networks holding the same messages are equal arrays. Any message may be delivered next;
 * losing and duplicating a message are steps of the environment, bounded by the model's size.
 *
 * @module
 */
import type { Gossip } from '../logical-time.js';

/** Why a response is not a success (the subset of MongoDB's error codes the models use). */
export type Status =
  | 'ok'
  | 'NetworkError'
  | 'NotPrimary'
  | 'StaleConfig'
  | 'ShardNotFound'
  | 'OplogStartMissing'
  | 'OplogDiverged'
  | 'NoSuchTransaction'
  | 'TransactionTooOld'
  | 'ConflictingOperationInProgress'
  | 'OperationFailed'
  | 'LockBusy'
  | 'NamespaceNotFound'
  | 'NamespaceExists';

/** A command document: its name and arguments. */
export interface Command {
  readonly name: string;
  readonly [arg: string]: unknown;
}

export interface RemoteRequest<C extends Command = Command> {
  readonly kind: 'request';
  /** The exchange this request belongs to (responses carry the same id). */
  readonly id: string;
  readonly from: string;
  /** The target host, or every host of a replica set that may run it ("on any"). */
  readonly to: string | { readonly anyOf: readonly string[] };
  readonly cmd: C;
  readonly gossip: Gossip;
}

export interface RemoteResponse<D = unknown> {
  readonly kind: 'response';
  readonly id: string;
  /** The host that ran the request. */
  readonly from: string;
  readonly to: string;
  readonly status: Status;
  readonly data: D;
  readonly gossip: Gossip;
}

export type Message = RemoteRequest | RemoteResponse;

/** A request to one host. */
export function request<C extends Command>(id: string, from: string, to: RemoteRequest['to'], cmd: C, gossip: Gossip): RemoteRequest<C> {
  return { kind: 'request', id, from, to, cmd, gossip };
}

/** The response to `req`, run on host `host`. */
export function respond<D>(req: RemoteRequest, host: string, status: Status, data: D, gossip: Gossip): RemoteResponse<D> {
  return { kind: 'response', id: req.id, from: host, to: req.from, status, data, gossip };
}

/** Whether `message` may be delivered to `host`. */
export function addressedTo(message: Message, host: string): boolean {
  const to = message.to;
  return typeof to === 'string' ? to === host : to.anyOf.includes(host);
}

/** The hosts a message may be delivered to. */
export function targets(message: Message): readonly string[] {
  return typeof message.to === 'string' ? [message.to] : message.to.anyOf;
}

/**
 * A total order on plain data (numbers, strings, booleans, null, arrays, objects by their sorted
 * keys): the canonical order of messages in the network.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  const ta = rank(a);
  const tb = rank(b);
  if (ta !== tb) return ta - tb;
  if (typeof a === 'number' || typeof a === 'string' || typeof a === 'boolean') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    const n = Math.min(a.length, bb.length);
    for (let i = 0; i < n; i++) {
      const c = compareValues(a[i], bb[i]);
      if (c !== 0) return c;
    }
    return a.length - bb.length;
  }
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  const c = compareValues(ka, kb);
  if (c !== 0) return c;
  for (const k of ka) {
    const d = compareValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
    if (d !== 0) return d;
  }
  return 0;
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'string':
      return 3;
    default:
      return Array.isArray(v) ? 4 : 5;
  }
}

/** The network with `message` added (a multiset: a second copy is kept). */
export function send(net: readonly Message[], message: Message): readonly Message[] {
  let at = net.length;
  while (at > 0 && compareValues(net[at - 1], message) > 0) at--;
  return [...net.slice(0, at), message, ...net.slice(at)];
}

/** The network without its `index`-th message. */
export function removeAt(net: readonly Message[], index: number): readonly Message[] {
  return [...net.slice(0, index), ...net.slice(index + 1)];
}

/** The index of the first copy of each distinct message: delivering either copy of a duplicate is the same step. */
export function distinctIndexes(net: readonly Message[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < net.length; i++) if (i === 0 || compareValues(net[i - 1], net[i]) !== 0) out.push(i);
  return out;
}
