/**
 * The two roles of Lamport's TwoPhase commit as statecharts: the resource manager and the
 * transaction manager. Their guards and actions are implemented in `impl/two-phase.ts`.
 *
 * @module
 */
import type { RMContext, RMEvent, TMContext, TMEvent } from '../impl/two-phase.js';
import { RM_CONTEXT, rmImpl, TM_CONTEXT, tmImpl } from '../impl/two-phase.js';
import { setup } from 'xstate';
import type { RoleTypes } from './role.js';
import { xstateActions, xstateGuards } from './role.js';

const NO_BUGS: ReadonlySet<string> = new Set();

/**
 * A resource manager: works, then prepares (announcing it) or chooses to abort; whatever it is
 * doing, a Commit or Abort message in the network moves it to committed or aborted (TwoPhase.tla's
 * receive steps are enabled in every state).
 */
const rm = rmImpl(NO_BUGS);
export const rmMachine = setup({
  types: {} as RoleTypes<RMContext, RMEvent>,
  guards: xstateGuards<RMContext, RMEvent, typeof rm.guards>(rm.guards),
  actions: xstateActions<RMContext, RMEvent, unknown, typeof rm.updates, typeof rm.effects>(rm),
}).createMachine({
  id: 'rm',
  context: ({ input }) => input ?? RM_CONTEXT,
  initial: 'working',
  on: {
    RCV_COMMIT: { target: '.committed' },
    RCV_ABORT: { target: '.aborted' },
  },
  states: {
    working: {
      on: {
        PREPARE: { target: 'prepared', actions: 'sendPrepared' },
        CHOOSE_ABORT: { target: 'aborted' },
      },
    },
    prepared: {
      on: {
        CHOOSE_ABORT: { guard: 'mayAbortWhenPrepared', target: 'aborted' },
      },
    },
    committed: {},
    aborted: {},
  },
});

/**
 * The transaction manager: collects "Prepared" votes while in `init`, then commits (only with every
 * vote) or aborts (at any time), announcing its decision.
 */
const tm = tmImpl(NO_BUGS, 1);
export const tmMachine = setup({
  types: {} as RoleTypes<TMContext, TMEvent>,
  guards: xstateGuards<TMContext, TMEvent, typeof tm.guards>(tm.guards),
  actions: xstateActions<TMContext, TMEvent, unknown, typeof tm.updates, typeof tm.effects>(tm),
}).createMachine({
  id: 'tm',
  context: ({ input }) => input ?? TM_CONTEXT,
  initial: 'init',
  states: {
    init: {
      on: {
        PREPARED: { actions: 'recordPrepared' },
        COMMIT: { guard: 'allPrepared', target: 'committed', actions: 'sendCommit' },
        ABORT: { target: 'aborted', actions: 'sendAbort' },
      },
    },
    committed: {},
    aborted: {},
  },
});
