/**
 * What the roles of the cross-shard transaction model share (seed 003, "Transactions" and
 * "Retryable writes"): host names, the session's transaction numbers, the commands they exchange,
 * and how a delivered message becomes a chart event.
 *
 * One logical session runs, in order, an optional retryable write (`txnNumber` 1, `stmtId` 0) and
 * one transaction (`txnNumber` 2). Both are named by the constants below; every command carries its
 * `txnNumber` as the real ones do.
 *
 * @module
 */
import type { Gossip, LogicalTime, VectorTime } from '../logical-time.js';
import { advance, externalGossip, internalGossip } from '../logical-time.js';
import type { Command } from '../world/network.js';

/** Host names. */
export const CLIENT = 'client';
/** The router (mongos) the transaction runs on. */
export const ROUTER = 'router';
/** A second router the client may turn to with the recovery token. */
export const ROUTER2 = 'router2';
export const shardName = (i: number): string => `shard${i}`;

/** The session's retryable write runs as `txnNumber` 1; the transaction as `txnNumber` 2. */
export const RETRYABLE_TXN_NUMBER = 1;
export const TXN_NUMBER = 2;
/** The `stmtId` of the retryable write (a one-statement batch). */
export const RETRYABLE_STMT_ID = 0;

/** Exchange ids of the coordinator's requests to the participants (one transaction). */
export const PREPARE_ID = 'prepare';
export const DECISION_ID = 'decision';

/** The seeded bugs of the model (ids; descriptions are in `protocols/two-phase-commit.ts`). */
export type TwoPhaseCommitBug =
  | 'decision-sent-before-persisted'
  | 'participant-list-not-persisted'
  | 'prepared-aborts-on-timeout'
  | 'multi-writer-single-shard-commit'
  | 'ack-before-decision-durable'
  | 'retryable-write-not-deduplicated';

export type Bugs = ReadonlySet<string>;

export type { MessageEvent } from '../world/events.js';
export { messageEventByCommand as messageEvent, requestOf, responseOf } from '../world/events.js';

/** A request that waits at a host for an answer (the id and sender to answer). */
export interface Waiter {
  readonly id: string;
  readonly to: string;
}

/** The recovery token the router returns with every transaction response: the recovery shard, if any. */
export interface RecoveryToken {
  readonly recoveryShardId: string | null;
}

/** The command of a statement of the transaction, as the client sends it to the router. */
export function statementCommand(shard: string, write: boolean, first: boolean): Command {
  return statementCommands(`${shard}|${write}|${first}`);
}
const statementCommands = memo((key: string): Command => {
  const [shard, write, first] = key.split('|') as [string, string, string];
  const name = write === 'true' ? 'insert' : 'find';
  return first === 'true' ? { name, shard, txnNumber: TXN_NUMBER, autocommit: false, startTransaction: true } : { name, shard, txnNumber: TXN_NUMBER, autocommit: false };
});

/** The retryable write, as the client sends it (and re-sends it, same `stmtId`, on a retry). */
export const retryableWriteCommand = memo((shard: string): Command => ({ name: 'insert', shard, txnNumber: RETRYABLE_TXN_NUMBER, stmtId: RETRYABLE_STMT_ID }));

/** Whether a command belongs to a transaction (`autocommit: false`) rather than a retryable write. */
export const inTransaction = (cmd: Command): boolean => cmd['autocommit'] === false;

/** Advance a node's vector time with a message's gossip; the same object when nothing grows. */
export function gossiped(clock: VectorTime, g: Gossip): VectorTime {
  return advance(clock, g);
}

// Messages are built in the checker's hot loop and interned by it: equal parts are shared values.
const internalCache = new WeakMap<VectorTime, Gossip>();
const externalCache: Gossip[] = [];

/** The gossip of a node's vector time to another node of the cluster (one frozen value per clock). */
export function gossipOf(clock: VectorTime): Gossip {
  let g = internalCache.get(clock);
  if (g === undefined) internalCache.set(clock, (g = Object.freeze(internalGossip(clock))));
  return g;
}

/** The gossip to or from the driver: ClusterTime only (one frozen value per time). */
export function clientGossip(t: LogicalTime): Gossip {
  return (externalCache[t] ??= Object.freeze(externalGossip(t)));
}

/** One frozen copy of each distinct value made by `make` for a key. */
export function memo<K, V>(make: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = Object.freeze(make(key))));
    return v;
  };
}
