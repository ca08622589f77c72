/**
 * A shard of the writeback model: `handlePossibleShardedMessage` (d_logic.cpp) on every write,
 * `getLastError`, the writeback queues and `writebacklisten` (d_writeback.cpp), and the two ends of
 * a chunk migration. Guards and actions are implemented in `impl/writeback/shard.ts`.
 *
 * @module
 */
import { and, setup } from 'xstate';
import type { ShardContext, ShardEvent } from '../../impl/writeback/shard.js';
import { newShard, shardImpl } from '../../impl/writeback/shard.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const shard = shardImpl(new Set());
export const shardMachine = setup({
  types: {} as RoleTypes<ShardContext, ShardEvent>,
  guards: xstateGuards<ShardContext, ShardEvent, typeof shard.guards>(shard.guards),
  actions: xstateActions<ShardContext, ShardEvent, unknown, typeof shard.updates, typeof shard.effects>(shard),
}).createMachine({
  id: 'shard',
  context: ({ input }) => input ?? newShard('shard0', 1),
  initial: 'primary',
  states: {
    primary: {
      on: {
        write: [
          { guard: and(['versionMatches', 'getsResponse']), actions: ['acceptGossip', 'applyWrite', 'replyOk'] },
          { guard: 'versionMatches', actions: ['acceptGossip', 'applyWrite'] },
          // A stale version: an operation that gets a response is answered with the error...
          { guard: 'getsResponse', actions: ['acceptGossip', 'replyStale'] },
          // ...a fire-and-forget write goes to its router's writeback queue.
          { actions: ['acceptGossip', 'queueWriteback', 'replyWithParkedPoll', 'popForParkedPoll'] },
        ],
        getLastError: { actions: ['acceptGossip', 'replyLastError'] },
        writebacklisten: [
          { guard: 'hasWriteback', actions: ['acceptGossip', 'replyWriteback', 'popWriteback'] },
          { actions: ['acceptGossip', 'parkPoll'] },
        ],
        MIGRATE_OUT: { actions: ['acceptGossip', 'migrateOut'] },
        MIGRATE_IN: { actions: ['acceptGossip', 'migrateIn'] },
      },
    },
  },
});
