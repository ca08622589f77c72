/**
 * The replication core shared by the replica-set protocols (initial sync, rollback): optimes,
 * the capped oplog and its fetching, collections of documents and the application of entries.
 *
 * @module
 */
export * from './optime.js';
export * from './collection.js';
export * from './oplog.js';
