/**
 * The data of Lamport's TwoPhase commit (`TwoPhase.tla`): resource-manager and transaction-manager
 * states, and messages. Plain data and pure functions; the model lives in `protocols/two-phase.ts`.
 *
 * @module
 */
import { compareNatural } from './sorted-set.js';

export type RMState = 'working' | 'prepared' | 'committed' | 'aborted';
export type TMState = 'init' | 'committed' | 'aborted';
export const RM_STATES: readonly RMState[] = ['working', 'prepared', 'committed', 'aborted'];
export const TM_STATES: readonly TMState[] = ['init', 'committed', 'aborted'];

/** `[type |-> "Prepared", rm |-> rm]`, `[type |-> "Commit"]` or `[type |-> "Abort"]`. */
export type Message =
  | { readonly type: 'Prepared'; readonly rm: number }
  | { readonly type: 'Commit' }
  | { readonly type: 'Abort' };

export interface TwoPhaseState {
  /** `rmState[rm]`: the state of each resource manager, indexed 0..N-1. */
  readonly rmState: readonly RMState[];
  readonly tmState: TMState;
  /** The resource managers the TM has received "Prepared" from: a sorted set. */
  readonly tmPrepared: readonly number[];
  /** Every message ever sent: a set (sorted by {@link compareMessages}) that only grows. */
  readonly msgs: readonly Message[];
}

// Messages are frozen constants: the checker interns a frozen value once, by identity.
export const COMMIT: Message = Object.freeze({ type: 'Commit' });
export const ABORT: Message = Object.freeze({ type: 'Abort' });

/** The canonical order of messages in `msgs`: by type, then by resource manager. */
export function compareMessages(a: Message, b: Message): number {
  if (a.type !== b.type) return compareNatural(a.type, b.type);
  return a.type === 'Prepared' && b.type === 'Prepared' ? a.rm - b.rm : 0;
}

/** The "Prepared" message of each resource manager, built once. */
export function preparedMessages(rmCount: number): readonly Message[] {
  return Array.from({ length: rmCount }, (_, rm) => Object.freeze({ type: 'Prepared', rm }) as Message);
}

export function isMessage(m: Message, rmCount: number): boolean {
  if (m.type === 'Prepared') return Number.isInteger(m.rm) && m.rm >= 0 && m.rm < rmCount;
  return m.type === 'Commit' || m.type === 'Abort';
}

/** The name of resource manager `rm` in traces: `r1`, `r2`, ... */
export function rmName(rm: number): string {
  return `r${rm + 1}`;
}
