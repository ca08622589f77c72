/**
 * The oplog-tailing consumer of the rollback model (seed 004's connector). Guards and actions are
 * in `impl/rollback.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ConsumerContext, ConsumerEvent } from '../../impl/rollback.js';
import { consumerImpl, newConsumer } from '../../impl/rollback.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const consumer = consumerImpl(new Set());
/**
 * The consumer: at start, a collection dump unless it has a checkpoint; then it tails the oplog of
 * the node it follows from its checkpoint (`TAIL`: the tailable cursor's next getMore), applying
 * each entry to its target. When the node no longer has the checkpoint's entry (a rollback removed
 * it), it recovers with a new dump.
 */
export const consumerMachine = setup({
  types: {} as RoleTypes<ConsumerContext, ConsumerEvent>,
  guards: xstateGuards<ConsumerContext, ConsumerEvent, typeof consumer.guards>(consumer.guards),
  actions: xstateActions<ConsumerContext, ConsumerEvent, unknown, typeof consumer.updates, typeof consumer.effects>(consumer),
}).createMachine({
  id: 'consumer',
  context: ({ input }) => input ?? newConsumer(null, []),
  initial: 'startup',
  states: {
    startup: { always: [{ guard: 'hasCheckpoint', target: 'tailing' }, { target: 'dumping' }] },
    dumping: {
      entry: 'requestDump',
      on: {
        response: { guard: 'isDump', target: 'tailing', actions: ['learnTime', 'storeDump'] },
      },
    },
    tailing: {
      on: {
        TAIL: { actions: 'requestEntries' },
        response: [
          { guard: 'isEntries', actions: ['learnTime', 'applyEntries'] },
          { guard: 'isCheckpointGone', target: 'dumping', actions: 'learnTime' },
        ],
      },
    },
  },
});
