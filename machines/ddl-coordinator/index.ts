/**
 * The role charts of the DDL coordinator model.
 *
 * @module
 */
export { configMachine } from './config.js';
export { dropCoordinatorMachine, renameCoordinatorMachine } from './coordinator.js';
export { migrationMachine } from './migration.js';
export { routerMachine } from './router.js';
export { shardMachine } from './shard.js';
