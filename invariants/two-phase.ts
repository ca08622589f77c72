/**
 * The invariants of Lamport's TwoPhase commit (`TwoPhase.tla`): `TPTypeOK` and `TCConsistent`.
 *
 * @module
 */
import type { Invariant } from '../checker/model.js';
import type { TwoPhaseState } from '../impl/two-phase.js';
import { TM_STATES, isMessage } from '../impl/two-phase.js';

/** `TPTypeOK`: every variable holds a value of its type. */
export function typeOk(rmCount: number): Invariant<TwoPhaseState> {
  return {
    id: 'TypeOK',
    description: 'rmState, tmState, tmPrepared and msgs hold values of their types (TPTypeOK)',
    holds: (s) => {
      if (s.rmState.length !== rmCount || !TM_STATES.includes(s.tmState)) return false;
      for (const r of s.rmState) {
        if (r !== 'working' && r !== 'prepared' && r !== 'committed' && r !== 'aborted') return false;
      }
      for (const rm of s.tmPrepared) if (!Number.isInteger(rm) || rm < 0 || rm >= rmCount) return false;
      for (const m of s.msgs) if (!isMessage(m, rmCount)) return false;
      return true;
    },
  };
}

/** `TCConsistent`: no resource manager has committed while another has aborted. */
export const tcConsistent: Invariant<TwoPhaseState> = {
  id: 'TCConsistent',
  description: 'no resource manager has committed while another has aborted',
  holds: (s) => {
    let committed = false;
    let aborted = false;
    for (const r of s.rmState) {
      if (r === 'committed') committed = true;
      else if (r === 'aborted') aborted = true;
    }
    return !(committed && aborted);
  },
};
