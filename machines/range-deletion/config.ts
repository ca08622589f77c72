/**
 * The config server of the range-deletion model. Guards and actions are in
 * `impl/range-deletion/config.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ConfigContext, ConfigEvent } from '../../impl/range-deletion/config.js';
import { configImpl, newConfigServer } from '../../impl/range-deletion/config.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const config = configImpl(new Set());

/** Serves `config.chunks` to refreshing shards and commits the migration (a retried commit of a moved chunk succeeds). */
export const configMachine = setup({
  types: {} as RoleTypes<ConfigContext, ConfigEvent>,
  guards: xstateGuards<ConfigContext, ConfigEvent, typeof config.guards>(config.guards),
  actions: xstateActions<ConfigContext, ConfigEvent, unknown, typeof config.updates, typeof config.effects>(config),
}).createMachine({
  id: 'config',
  context: ({ input }) => input ?? newConfigServer(),
  initial: 'primary',
  states: {
    primary: {
      on: {
        find: { actions: ['acceptGossip', 'replyTable'] },
        _configsvrCommitChunkMigration: [
          { guard: 'donorOwnsChunk', actions: ['acceptGossip', 'commitMigration', 'replyTable'] },
          { guard: 'alreadyCommitted', actions: ['acceptGossip', 'replyTable'] },
          { actions: ['acceptGossip', 'replyCommitFailed'] },
        ],
      },
    },
  },
});
