/**
 * The config server: the sharded catalog and the distributed locks. Guards and actions are
 * implemented in `impl/ddl/config.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ConfigContext, ConfigEvent } from '../../impl/ddl/config.js';
import { configImpl, newConfigServer } from '../../impl/ddl/config.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const config = configImpl(new Set());
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
        _configsvrAcquireLock: [{ guard: 'lockFree', actions: ['acceptGossip', 'takeLock', 'replyOk'] }, { actions: ['acceptGossip', 'replyLockBusy'] }],
        _configsvrReleaseLock: { actions: ['acceptGossip', 'releaseLock', 'replyOk'] },
        _configsvrReleaseStaleLocks: { actions: ['acceptGossip', 'releaseStaleLocks', 'replyOk'] },
        _configsvrGetCollections: { actions: ['acceptGossip', 'replyCollections'] },
        _configsvrSetAllowMigrations: { actions: ['acceptGossip', 'setAllowMigrations', 'replyOk'] },
        _configsvrRemoveCollection: { actions: ['acceptGossip', 'removeCollection', 'replyOk'] },
        _configsvrRenameCollectionMetadata: { actions: ['acceptGossip', 'renameMetadata', 'replyOk'] },
        _configsvrCommitChunkMigration: [{ guard: 'migrationAllowed', actions: ['acceptGossip', 'commitMigration', 'replyOk'] }, { actions: ['acceptGossip', 'replyMigrationRefused'] }],
      },
    },
  },
});
