/**
 * The data of Lamport's TwoPhase commit (`TwoPhase.tla`): resource-manager and transaction-manager
 * states, and messages. Plain data and pure functions; the model lives in `protocols/two-phase.ts`.
 *
 * @module
 */
import { compareNatural, setAdd } from './sorted-set.js';

export type RMState = 'working' | 'prepared' | 'committed' | 'aborted';
export type TMState = 'init' | 'committed' | 'aborted';
export const RM_STATES: readonly RMState[] = ['working', 'prepared', 'committed', 'aborted'];
export const TM_STATES: readonly TMState[] = ['init', 'committed', 'aborted'];

/** `[type |-> "Prepared", rm |-> rm]`, `[type |-> "Commit"]` or `[type |-> "Abort"]`. */
export type Message =
  | { readonly type: 'Prepared'; readonly rm: number }
  | { readonly type: 'Commit' }
  | { readonly type: 'Abort' };

/** A role's local state: its chart's configuration (an index) and its context. */
export interface RoleState<C> {
  readonly at: number;
  readonly ctx: C;
}

/**
 * TwoPhase.tla's variables: `rmState` is each resource manager's chart state; `tmState` and
 * `tmPrepared` are the transaction manager's chart state and context.
 */
export interface TwoPhaseState {
  /** `rmState[rm]`: the state of each resource manager, indexed 0..N-1. */
  readonly rmState: readonly RoleState<RMContext>[];
  /** `tmState` (its configuration) and `tmPrepared` (its context). */
  readonly tm: RoleState<TMContext>;
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
  return Array.from({ length: rmCount }, (_, rm) => preparedAnnouncement(rm)[0]!);
}

export function isMessage(m: Message, rmCount: number): boolean {
  if (m.type === 'Prepared') return Number.isInteger(m.rm) && m.rm >= 0 && m.rm < rmCount;
  return m.type === 'Commit' || m.type === 'Abort';
}

/** The name of resource manager `rm` in traces: `r1`, `r2`, ... */
export function rmName(rm: number): string {
  return `r${rm + 1}`;
}

// ---------------------------------------------------------------------------------------------
// The two roles as implementations of their statecharts (machines/two-phase.ts).

/** A resource manager has no data beyond its control state (the chart's configuration). */
export type RMContext = Readonly<Record<string, never>>;
export const RM_CONTEXT: RMContext = Object.freeze({});

export type RMEvent =
  | { readonly type: 'PREPARE'; readonly rm: number }
  | { readonly type: 'CHOOSE_ABORT' }
  | { readonly type: 'RCV_COMMIT' }
  | { readonly type: 'RCV_ABORT' };

/** The transaction manager's data: `tmPrepared`, a sorted set of resource managers. */
export interface TMContext {
  readonly prepared: readonly number[];
}
export const TM_CONTEXT: TMContext = Object.freeze({ prepared: Object.freeze([]) as readonly number[] });

export type TMEvent = { readonly type: 'PREPARED'; readonly rm: number } | { readonly type: 'COMMIT' } | { readonly type: 'ABORT' };

// One-message arrays, built once: effects return them without allocating.
const ONLY_COMMIT: readonly Message[] = Object.freeze([COMMIT]);
const ONLY_ABORT: readonly Message[] = Object.freeze([ABORT]);
const onlyPrepared: (readonly Message[])[] = [];
function preparedAnnouncement(rm: number): readonly Message[] {
  return (onlyPrepared[rm] ??= Object.freeze([Object.freeze({ type: 'Prepared', rm }) as Message]));
}

/** The resource manager's guards and actions; `bugs` switches seeded mutants on. */
export function rmImpl(bugs: ReadonlySet<string>) {
  const offByOne = bugs.has('prepared-names-next-rm');
  const abortAfterPrepare = bugs.has('rm-abort-after-prepare');
  return {
    guards: {
      /** Only under the seeded bug `rm-abort-after-prepare`: a prepared RM may still abort. */
      mayAbortWhenPrepared: () => abortAfterPrepare,
    },
    updates: {},
    effects: {
      /** `msgs' = msgs \cup {[type |-> "Prepared", rm |-> rm]}` (off by one under a seeded bug). */
      sendPrepared: (_ctx: RMContext, event: RMEvent): readonly Message[] =>
        event.type === 'PREPARE' ? preparedAnnouncement(offByOne ? event.rm + 1 : event.rm) : [],
    },
  };
}

/** The transaction manager's guards and actions for `rmCount` resource managers. */
export function tmImpl(bugs: ReadonlySet<string>, rmCount: number) {
  const commitOnOneVote = bugs.has('tm-commit-without-all-votes');
  return {
    guards: {
      /** `tmPrepared = RM` (a single vote under the seeded bug `tm-commit-without-all-votes`). */
      allPrepared: (ctx: TMContext): boolean => (commitOnOneVote ? ctx.prepared.length > 0 : ctx.prepared.length === rmCount),
    },
    updates: {
      /** `tmPrepared' = tmPrepared \cup {rm}`; the same context when it is already there. */
      recordPrepared: (ctx: TMContext, event: TMEvent): TMContext => {
        if (event.type !== 'PREPARED') return ctx;
        const prepared = setAdd(ctx.prepared, event.rm, compareNatural);
        return prepared === ctx.prepared ? ctx : { prepared };
      },
    },
    effects: {
      sendCommit: (): readonly Message[] => ONLY_COMMIT,
      sendAbort: (): readonly Message[] => ONLY_ABORT,
    },
  };
}
