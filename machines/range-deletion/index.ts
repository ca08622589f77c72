/**
 * The role charts of the range-deletion model.
 *
 * @module
 */
export { clientMachine } from './client.js';
export { configMachine } from './config.js';
export { donorMachine } from './donor.js';
export { recipientMachine } from './recipient.js';
