/**
 * The config server of the writeback model: serves the routing table (`find` on `config.chunks`)
 * and commits chunk moves (the balancer). Guards and actions are implemented in
 * `impl/writeback/config.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { ConfigContext, ConfigEvent } from '../../impl/writeback/config.js';
import { configImpl, newConfigServer } from '../../impl/writeback/config.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const config = configImpl(new Set());
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
        MOVE_CHUNK: { guard: 'hasMoves', actions: 'commitMove' },
      },
    },
  },
});
