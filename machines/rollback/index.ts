/**
 * The role charts of the rollback model.
 *
 * @module
 */
export { arbiterMachine } from './arbiter.js';
export { clientMachine } from './client.js';
export { consumerMachine } from './consumer.js';
export { nodeMachine } from './node.js';
