/**
 * The syncing node of the initial-sync model. Guards and actions are in `impl/initial-sync.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { NodeContext, NodeEvent } from '../../impl/initial-sync.js';
import { newNode, nodeImpl } from '../../impl/initial-sync.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const node = nodeImpl(new Set());
/**
 * The syncing node: when it starts (`START`, also after a restart), an initial sync if its oplog is empty or the "initial sync in
 * progress" flag is set, else a secondary. Initial sync locates the source's oplog position and
 * starts fetching from it, clones the collection while the fetcher buffers, records the end-of-clone
 * position (`minValid`), applies until it, then clears the flag. A request whose reply is lost is
 * sent again (`TIMEOUT`); an attempt that fails — an error, or a source that restarted — starts a
 * new one from scratch (`retrying`). A secondary tails the oplog, applies each batch and
 * reports its position; if its position rolled over at the source it is too stale (`stale`).
 */
export const nodeMachine = setup({
  types: {} as RoleTypes<NodeContext, NodeEvent>,
  guards: xstateGuards<NodeContext, NodeEvent, typeof node.guards>(node.guards),
  actions: xstateActions<NodeContext, NodeEvent, unknown, typeof node.updates, typeof node.effects>(node),
}).createMachine({
  id: 'node',
  context: ({ input }) => input ?? newNode(),
  initial: 'startup',
  states: {
    startup: {
      on: { START: [{ guard: 'needsInitialSync', target: 'initialSync' }, { target: 'secondary' }] },
    },
    initialSync: {
      entry: ['beginAttempt', 'requestBeginPosition'],
      initial: 'locating',
      on: {
        response: [
          { guard: 'isAttemptFailure', target: 'retrying', actions: 'acceptGossip' },
          { guard: 'isNextBatch', actions: ['acceptGossip', 'bufferBatch', 'reportProgress'] },
        ],
        FETCH: { guard: 'isFetching', actions: 'requestBatch' },
      },
      states: {
        locating: {
          on: {
            response: { guard: 'isBeginPosition', target: 'cloning', actions: ['acceptGossip', 'recordBeginFetch', 'requestNextDoc'] },
            TIMEOUT: { actions: 'requestBeginPosition' },
          },
        },
        cloning: {
          on: {
            response: [
              { guard: 'isCloneDoc', actions: ['acceptGossip', 'storeDoc', 'requestNextDoc'] },
              { guard: 'isCloneEnd', target: 'endingClone', actions: ['acceptGossip', 'requestEndPosition'] },
            ],
            TIMEOUT: { actions: 'requestNextDoc' },
          },
        },
        endingClone: {
          on: {
            response: { guard: 'isEndPosition', target: 'applying', actions: ['acceptGossip', 'recordMinValid'] },
            TIMEOUT: { actions: 'requestEndPosition' },
          },
        },
        applying: {
          entry: 'applyBuffered',
          always: { guard: 'reachedMinValid', target: '#node.secondary', actions: 'clearFlag' },
          on: { response: { guard: 'isNextBatch', actions: ['acceptGossip', 'applyBatch'] } },
        },
      },
    },
    retrying: {
      always: { target: 'initialSync' },
    },
    secondary: {
      entry: ['resumeTailing', 'reportProgress'],
      on: {
        response: [
          { guard: 'isOplogStartMissing', target: 'stale', actions: 'acceptGossip' },
          { guard: 'isNextBatch', actions: ['acceptGossip', 'applyBatch', 'reportProgress'] },
        ],
        FETCH: { guard: 'isFetching', actions: 'requestBatch' },
        REPORT: { actions: 'reportProgress' },
      },
    },
    stale: {},
  },
});
