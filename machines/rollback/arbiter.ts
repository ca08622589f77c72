/**
 * The arbiter of the rollback model: a member that votes and holds no data. Guards and actions
 * are in `impl/rollback.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ArbiterContext, ArbiterEvent } from '../../impl/rollback.js';
import { arbiterImpl, newArbiter } from '../../impl/rollback.js';
import { ZERO_TIME } from '../../impl/logical-time.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const arbiter = arbiterImpl(new Set());
/** An arbiter: answers vote requests, one vote per term (durably); with no oplog, any candidate's log is as up to date as its own. */
export const arbiterMachine = setup({
  types: {} as RoleTypes<ArbiterContext, ArbiterEvent>,
  guards: xstateGuards<ArbiterContext, ArbiterEvent, typeof arbiter.guards>(arbiter.guards),
  actions: xstateActions<ArbiterContext, ArbiterEvent, unknown, typeof arbiter.updates, typeof arbiter.effects>(arbiter),
}).createMachine({
  id: 'arbiter',
  context: ({ input }) => input ?? newArbiter(ZERO_TIME, 0, null),
  initial: 'arbiter',
  states: {
    arbiter: { on: { replSetRequestVotes: { actions: ['acceptGossip', 'castVote', 'replyVote'] } } },
  },
});
