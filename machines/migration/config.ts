/**
 * The config server of the migration model. Guards and actions are in `impl/migration/config.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ConfigContext, ConfigEvent } from '../../impl/migration/config.js';
import { configImpl, newConfigServer } from '../../impl/migration/config.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const config = configImpl(new Set());

/** Serves `config.chunks`, commits migrations (idempotently: a retried commit of a moved chunk succeeds), and its balancer asks the donor to move the chunk. */
export const configMachine = setup({
  types: {} as RoleTypes<ConfigContext, ConfigEvent>,
  guards: xstateGuards<ConfigContext, ConfigEvent, typeof config.guards>(config.guards),
  actions: xstateActions<ConfigContext, ConfigEvent, unknown, typeof config.updates, typeof config.effects>(config),
}).createMachine({
  id: 'config',
  context: ({ input }) => input ?? newConfigServer(1),
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
        move: { actions: 'acceptGossip' },
        BALANCE: { guard: 'hasMoves', actions: ['sendMoveChunk', 'countMove'] },
      },
    },
  },
});
