/**
 * The migration the coordinators must block: its commit at the config server. Guards and actions
 * are implemented in `impl/ddl/migration.ts`.
 *
 * @module
 */
import { setup } from 'xstate';
import type { MigrationContext, MigrationEvent } from '../../impl/ddl/migration.js';
import { migrationImpl } from '../../impl/ddl/migration.js';
import { ZERO_TIME } from '../../impl/logical-time.js';
import type { RoleTypes } from '../role.js';
import { xstateActions, xstateGuards } from '../role.js';

const migration = migrationImpl(new Set());
export const migrationMachine = setup({
  types: {} as RoleTypes<MigrationContext, MigrationEvent>,
  guards: xstateGuards<MigrationContext, MigrationEvent, typeof migration.guards>(migration.guards),
  actions: xstateActions<MigrationContext, MigrationEvent, unknown, typeof migration.updates, typeof migration.effects>(migration),
}).createMachine({
  id: 'migration',
  context: ({ input }) => input ?? { clock: ZERO_TIME, outcome: null },
  initial: 'idle',
  states: {
    idle: { on: { START: { target: 'committing', actions: 'sendCommit' } } },
    committing: { on: { reply: { guard: 'isCommitReply', target: 'ended', actions: ['acceptGossip', 'recordOutcome'] } } },
    ended: {},
  },
});
