/**
 * The sync source of the initial-sync model: the primary. Guards and actions are in
 * `impl/initial-sync.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { SourceContext, SourceEvent } from '../../impl/initial-sync.js';
import { newSource, sourceImpl } from '../../impl/initial-sync.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const source = sourceImpl();
/**
 * The primary: takes client writes (logging each in its capped oplog and acknowledging it once the
 * syncing node reports it applied), answers the oplog and collection queries and `getMore`s of the
 * syncing node, and records its replSetUpdatePosition reports.
 */
export const sourceMachine = setup({
  types: {} as RoleTypes<SourceContext, SourceEvent>,
  guards: xstateGuards<SourceContext, SourceEvent, typeof source.guards>(source.guards),
  actions: xstateActions<SourceContext, SourceEvent, unknown, typeof source.updates, typeof source.effects>(source),
}).createMachine({
  id: 'source',
  context: ({ input }) => input ?? newSource(1, 2),
  initial: 'primary',
  states: {
    primary: {
      on: {
        write: { actions: ['acceptGossip', 'applyClientWrite', 'replyAcknowledged', 'forgetAcknowledged'] },
        find: [{ guard: 'isOplogQuery', actions: ['acceptGossip', 'replyLastOpTime'] }, { actions: ['acceptGossip', 'replyNextDoc'] }],
        getMore: { actions: ['acceptGossip', 'replyBatch'] },
        replSetUpdatePosition: { actions: ['acceptGossip', 'recordPosition', 'replyAcknowledged', 'forgetAcknowledged'] },
      },
    },
  },
});
