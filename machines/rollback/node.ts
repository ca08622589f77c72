/**
 * A data-bearing node of the rollback model. Guards and actions are in `impl/rollback.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { NodeContext, NodeEvent } from '../../impl/rollback.js';
import { newNode, nodeImpl, topology } from '../../impl/rollback.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const node = nodeImpl(new Set(), topology(2, 1));
/**
 * A data-bearing member. Every state serves the oplog and the collection (`getMore`, `find`),
 * answers vote requests and turns writes away unless primary. A secondary fetches from its sync
 * source (`FETCH`) and applies each batch (each getMore tells the source its position); when the source no longer has
 * its last entry it rolls back: it reads the source's oplog to find the common point, refetches the
 * documents its undone entries touched and truncates its oplog. On an election timeout (`ELECT`)
 * a consistent secondary stands for election; a majority of votes makes it primary. A primary takes
 * writes and acknowledges w:"majority" ones once a majority has them; it steps down on a newer
 * term, or when it loses touch with the majority (`STEP_DOWN`). A restarted node is a secondary.
 */
export const nodeMachine = setup({
  types: {} as RoleTypes<NodeContext, NodeEvent>,
  guards: xstateGuards<NodeContext, NodeEvent, typeof node.guards>(node.guards),
  actions: xstateActions<NodeContext, NodeEvent, unknown, typeof node.updates, typeof node.effects>(node),
}).createMachine({
  id: 'node',
  context: ({ input }) => input ?? newNode('n1', [], [], 0, null),
  initial: 'secondary',
  on: {
    getMore: { actions: ['acceptGossip', 'serveOplog'] },
    find: { actions: ['acceptGossip', 'serveFind'] },
    write: { actions: ['acceptGossip', 'replyNotPrimary'] },
    replSetRequestVotes: { actions: ['acceptGossip', 'castVote', 'replyVote'] },
  },
  states: {
    secondary: {
      on: {
        FETCH: { actions: ['chooseSource', 'requestBatch'] },
        ELECT: { guard: 'isConsistent', target: 'candidate' },
        response: [
          { guard: 'isBatch', actions: ['acceptGossip', 'applyBatch'] },
          { guard: 'isDiverged', target: 'rollback', actions: ['acceptGossip', 'adoptTerm'] },
        ],
      },
    },
    rollback: {
      initial: 'findingCommonPoint',
      on: { TIMEOUT: { target: 'secondary', actions: 'abandonRollback' } },
      states: {
        findingCommonPoint: {
          entry: 'requestSourceOplog',
          on: { response: { guard: 'isSourceOplog', target: 'refetching', actions: ['acceptGossip', 'findCommonPoint', 'requestRefetch'] } },
        },
        refetching: {
          on: { response: { guard: 'isRefetched', target: '#node.secondary', actions: ['acceptGossip', 'completeRollback'] } },
        },
      },
    },
    candidate: {
      entry: ['startElection', 'requestVotes'],
      always: { guard: 'hasMajority', target: 'primary' },
      on: {
        response: [
          { guard: 'isNewerTerm', target: 'secondary', actions: ['acceptGossip', 'adoptTerm', 'loseElection'] },
          { guard: 'isVote', actions: ['acceptGossip', 'countVote'] },
        ],
        replSetRequestVotes: [
          { guard: 'isNewerTerm', target: 'secondary', actions: ['acceptGossip', 'loseElection', 'castVote', 'replyVote'] },
          { actions: ['acceptGossip', 'castVote', 'replyVote'] },
        ],
        TIMEOUT: { target: 'secondary', actions: 'loseElection' },
      },
    },
    primary: {
      entry: 'stepUp',
      on: {
        write: { actions: ['acceptGossip', 'applyClientWrite', 'replyWrite', 'replyAcknowledged', 'forgetAcknowledged'] },
        replSetRequestVotes: [
          { guard: 'isNewerTerm', target: 'secondary', actions: ['acceptGossip', 'stepDown', 'castVote', 'replyVote'] },
          { actions: ['acceptGossip', 'castVote', 'replyVote'] },
        ],
        getMore: [
          { guard: 'isNewerTerm', target: 'secondary', actions: ['acceptGossip', 'adoptTerm', 'stepDown', 'serveOplog'] },
          { actions: ['acceptGossip', 'recordPosition', 'serveOplog', 'replyAcknowledged', 'forgetAcknowledged'] },
        ],
        STEP_DOWN: { target: 'secondary', actions: 'stepDown' },
      },
    },
  },
});
