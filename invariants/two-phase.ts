/**
 * The invariants of Lamport's TwoPhase commit (`TwoPhase.tla`): `TPTypeOK` and `TCConsistent`.
 *
 * @module
 */
import type { Invariant } from '../checker/model.js';
import type { TwoPhaseState } from '../impl/two-phase.js';
import type { RMState, TMState } from '../impl/two-phase.js';
import { RM_STATES, TM_STATES, isMessage } from '../impl/two-phase.js';

/** How the invariants read the roles' control states, as their charts name them. */
export interface TwoPhaseNames {
  /** The name of each configuration of the resource manager's chart, by index. */
  readonly rm: readonly string[];
  /** The name of each configuration of the transaction manager's chart, by index. */
  readonly tm: readonly string[];
}

/** `TPTypeOK`: every variable holds a value of its type. */
export function typeOk(rmCount: number, names: TwoPhaseNames): Invariant<TwoPhaseState> {
  const rmOk = names.rm.map((name) => RM_STATES.includes(name as RMState));
  const tmOk = names.tm.map((name) => TM_STATES.includes(name as TMState));
  // States are immutable and share their `prepared` and `msgs` arrays with many others: the arrays
  // found well-typed are remembered (weakly), and an array is walked only the first time it comes.
  // The last array found well-typed is compared first: consecutive states mostly share it, and an
  // identity comparison is much cheaper than a WeakSet lookup.
  const preparedOk = new WeakSet<readonly number[]>();
  const msgsOk = new WeakSet<TwoPhaseState['msgs']>();
  let lastPrepared: readonly number[] | undefined;
  let lastMsgs: TwoPhaseState['msgs'] | undefined;
  return {
    id: 'TypeOK',
    description: 'rmState, tmState, tmPrepared and msgs hold values of their types (TPTypeOK)',
    holds: (s) => {
      const rmState = s.rmState;
      if (rmState.length !== rmCount || !tmOk[s.tm.at]) return false;
      for (let i = 0; i < rmCount; i++) if (!rmOk[rmState[i]!.at]) return false;
      const prepared = s.tm.ctx.prepared;
      if (prepared !== lastPrepared) {
        if (!preparedOk.has(prepared)) {
          for (const rm of prepared) if (!Number.isInteger(rm) || rm < 0 || rm >= rmCount) return false;
          preparedOk.add(prepared);
        }
        lastPrepared = prepared;
      }
      const msgs = s.msgs;
      if (msgs !== lastMsgs) {
        if (!msgsOk.has(msgs)) {
          for (const m of msgs) if (!isMessage(m, rmCount)) return false;
          msgsOk.add(msgs);
        }
        lastMsgs = msgs;
      }
      return true;
    },
  };
}

/** `TCConsistent`: no resource manager has committed while another has aborted. */
export function tcConsistent(names: TwoPhaseNames): Invariant<TwoPhaseState> {
  const isCommitted = names.rm.map((name) => name === 'committed');
  const isAborted = names.rm.map((name) => name === 'aborted');
  return {
    id: 'TCConsistent',
    description: 'no resource manager has committed while another has aborted',
    holds: (s) => {
      let committed = false;
      let aborted = false;
      const rmState = s.rmState;
      for (let i = 0; i < rmState.length; i++) {
        const at = rmState[i]!.at;
        if (isCommitted[at]) committed = true;
        else if (isAborted[at]) aborted = true;
      }
      return !(committed && aborted);
    },
  };
}
