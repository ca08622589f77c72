/**
 * The invariants of the cross-shard transaction model (DESIGN § 4.6): `TC-ATOMIC`,
 * `TC-DECISION-STABLE`, `TC-PREPARED-WAITS`, `TC-ACK-DURABLE`, `TC-TERMINATES` and the
 * retryable-write bookkeeping `RW-APPLIED-ONCE`; the vector-clock invariants come from
 * `invariants/clock.ts`.
 *
 * The invariants read the participants' control states through the shard chart's configurations:
 * {@link ParticipantStates} gives, for each configuration index, the participant region's state.
 *
 * @module
 */
import type { Invariant, StepInvariant } from '../checker/model.js';
import type { ClientContext } from '../impl/transactions/client.js';
import { TXN_NUMBER } from '../impl/transactions/common.js';
import type { RouterContext } from '../impl/transactions/router.js';
import type { ShardContext } from '../impl/transactions/shard.js';
import type { Faults } from '../impl/world/faults.js';
import type { Message } from '../impl/world/network.js';
import type { RoleSnapshot } from '../machines/compile.js';

/** The first decision ever majority committed in a coordinator document (a history variable). */
export type DecidedGhost = 'none' | 'commit' | 'abort';

/** The state of the cross-shard transaction model. */
export interface TwoPhaseCommitState {
  readonly client: RoleSnapshot<ClientContext>;
  /** The router the transaction runs on, then the second router. */
  readonly routers: readonly RoleSnapshot<RouterContext>[];
  readonly shards: readonly RoleSnapshot<ShardContext>[];
  readonly net: readonly Message[];
  readonly faults: Faults;
  readonly decided: DecidedGhost;
}

export type ParticipantState = 'starting' | 'idle' | 'active' | 'prepared' | 'committed' | 'aborted';

/** The participant region's state of each configuration of the shard chart, by index. */
export type ParticipantStates = readonly ParticipantState[];

const wrote = (ctx: ShardContext): boolean => ctx.txn?.wrote ?? (ctx.record?.txnNumber === TXN_NUMBER && ctx.record.wrote);

/** `TC-ATOMIC`: no participant that wrote has committed while another that wrote has aborted. */
export function tcAtomic(states: ParticipantStates): Invariant<TwoPhaseCommitState> {
  return {
    id: 'TC-ATOMIC',
    description: 'no participant that wrote commits while another that wrote aborts',
    holds: (s) => {
      let committed = false;
      let aborted = false;
      for (const sh of s.shards) {
        const p = states[sh.at]!;
        if (p === 'committed' && wrote(sh.ctx)) committed = true;
        else if (p === 'aborted' && wrote(sh.ctx)) aborted = true;
      }
      return !(committed && aborted);
    },
  };
}

/**
 * `TC-DECISION-STABLE`: every majority-committed decision in a coordinator document is the first one
 * ever persisted (so it never changes), and every participant that prepared and then left prepare
 * has the outcome of that persisted decision.
 */
export const tcDecisionStable: Invariant<TwoPhaseCommitState> = {
  id: 'TC-DECISION-STABLE',
  description: 'a persisted decision never changes, and every participant that prepared ends with the persisted decision',
  holds: (s) => {
    for (const sh of s.shards) {
      const d = sh.ctx.coordDoc?.decision;
      if (d != null && (d.commit ? 'commit' : 'abort') !== s.decided) return false;
      const r = sh.ctx.record;
      if (r !== null && r.txnNumber === TXN_NUMBER && r.prepareTs > 0 && (r.state === 'committed' || r.state === 'aborted')) {
        if ((r.state === 'committed' ? 'commit' : 'abort') !== s.decided) return false;
      }
    }
    return true;
  },
};

/**
 * `TC-PREPARED-WAITS`: a prepared participant leaves prepare only when the coordinator's decision
 * (`commitTransaction` or `abortTransaction` from a shard) is delivered to it.
 */
export function tcPreparedWaits(states: ParticipantStates): StepInvariant<TwoPhaseCommitState, { kind: string; host?: string; message?: Message }> {
  return {
    id: 'TC-PREPARED-WAITS',
    description: "a prepared participant leaves prepare only on the coordinator's decision",
    holds: (before, a, after) => {
      for (let i = 0; i < before.shards.length; i++) {
        if (states[before.shards[i]!.at] !== 'prepared') continue;
        const now = states[after.shards[i]!.at];
        if (now !== 'committed' && now !== 'aborted') continue;
        const m = a.kind === 'Deliver' && a.host === before.shards[i]!.ctx.host ? a.message : undefined;
        const decision = m?.kind === 'request' && (m.cmd.name === 'commitTransaction' || m.cmd.name === 'abortTransaction') && m.from.startsWith('shard');
        if (!decision) return false;
      }
      return true;
    },
  };
}

/**
 * `TC-ACK-DURABLE`: the client hears "committed" for a transaction that wrote only once a commit
 * decision is durable: majority committed in a coordinator document, or a participant's commit in
 * its `config.transactions`.
 */
export const tcAckDurable: Invariant<TwoPhaseCommitState> = {
  id: 'TC-ACK-DURABLE',
  description: 'the client is told "committed" only after a commit decision is durable',
  holds: (s) => {
    const c = s.client.ctx;
    if (c.outcome !== 'committed' || !c.wrote || s.decided === 'commit') return true;
    return s.shards.some((sh) => sh.ctx.record?.txnNumber === TXN_NUMBER && sh.ctx.record.state === 'committed');
  },
};

/** `RW-APPLIED-ONCE`: the retryable write's statement is applied at most once, whatever retries and duplicates arrive. */
export const rwAppliedOnce: Invariant<TwoPhaseCommitState> = {
  id: 'RW-APPLIED-ONCE',
  description: 'a retried (or duplicated) retryable write statement is not applied twice',
  holds: (s) => s.shards.every((sh) => sh.ctx.applied <= 1),
};

/**
 * `TC-TERMINATES`: at quiescence no participant is left prepared. A state is quiescent when no step
 * but a fault (a loss, a duplication, a crash) is enabled: every message delivered, every client,
 * router, coordinator and timer done.
 */
export function tcTerminates(states: ParticipantStates, quiescent: (s: TwoPhaseCommitState) => boolean): Invariant<TwoPhaseCommitState> {
  return {
    id: 'TC-TERMINATES',
    description: 'at quiescence (no step enabled but faults) no participant is left prepared',
    holds: (s) => !s.shards.some((sh) => states[sh.at] === 'prepared') || !quiescent(s),
  };
}
