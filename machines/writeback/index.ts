/**
 * The role charts of the writeback model.
 *
 * @module
 */
export { clientMachine } from './client.js';
export { configMachine } from './config.js';
export { listenerMachine } from './listener.js';
export { commandRouterMachine, routerMachine } from './router.js';
export { shardMachine } from './shard.js';
