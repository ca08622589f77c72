/**
 * The sharding core shared by the migration and range-deletion models (seed 003, "Shard versioning
 * and database versioning", "Migrations"): chunk versions, the routing table and its versioning
 * updates, the routing table caches, the shard version check with its stale-version errors, the
 * active-migrations registry, and the documents a migration persists.
 *
 * @module
 */
export * from './chunk-version.js';
export * from './routing-table.js';
export * from './versioning.js';
export * from './catalog-cache.js';
export * from './registry.js';
export * from './documents.js';
export * from './data.js';
export * from './shard-serving.js';
