/**
 * The role charts of the migration model.
 *
 * @module
 */
export { clientMachine } from './client.js';
export { configMachine } from './config.js';
export { donorMachine } from './donor.js';
export { recipientMachine } from './recipient.js';
export { routerMachine } from './router.js';
