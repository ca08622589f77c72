/**
 * A shard as a DDL participant: its local catalog. Guards and actions are implemented in
 * `impl/ddl/shard.ts`.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { ShardContext, ShardEvent } from '../../impl/ddl/shard.js';
import { newShard, shardImpl } from '../../impl/ddl/shard.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const shard = shardImpl(new Set());
const participant = {
  _shardsvrDropCollectionParticipant: { actions: ['acceptGossip', 'dropLocal', 'replyOk'] },
  _shardsvrRenameCollectionParticipant: [
    { guard: and(['sourceGone', 'failsWhenAlreadyDone']), actions: ['acceptGossip', 'replyNamespaceNotFound'] },
    { actions: ['acceptGossip', 'renameLocal', 'replyOk'] },
  ],
} as const;
export const shardMachine = setup({
  types: {} as RoleTypes<ShardContext, ShardEvent>,
  guards: xstateGuards<ShardContext, ShardEvent, typeof shard.guards>(shard.guards),
  actions: xstateActions<ShardContext, ShardEvent, unknown, typeof shard.updates, typeof shard.effects>(shard),
}).createMachine({
  id: 'shard',
  context: ({ input }) => input ?? newShard('shard1'),
  initial: 'starting',
  states: {
    // After a step-up, the lock manager first releases the distributed locks of earlier terms.
    starting: { always: [{ guard: 'steppedUp', target: 'recoveringLocks', actions: 'sendReleaseStaleLocks' }, { target: 'serving' }] },
    recoveringLocks: {
      on: {
        ...participant,
        reply: { guard: 'isRecoveryReply', target: 'serving', actions: 'acceptGossip' },
        TIMEOUT: { actions: 'sendReleaseStaleLocks' },
      },
    },
    serving: { on: participant },
  },
});
