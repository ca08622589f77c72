/**
 * The migration that the DDL coordinator must block: one attempt to move the collection's chunk
 * from its owner (`shard1`) to the primary shard. The live migration itself (cloning, transferring
 * modifications, the critical section) is the migration protocol's; here only its end matters,
 * the donor's `_configsvrCommitChunkMigration`, which the config server refuses while the
 * collection's migrations are blocked (`allowMigrations: false`) or once the collection is gone.
 * The commit names the version it moves from, so a repeated commit cannot move the chunk twice.
 * The request and its answer are one step of the model (`MigrationCommit`).
 *
 * The migration runs on the donor shard: its context is the donor's clock plus its own outcome.
 *
 * @module
 */
import type { VectorTime } from '../logical-time.js';
import { internalGossip } from '../logical-time.js';
import type { Message, Status } from '../world/network.js';
import { request } from '../world/network.js';
import type { Bugs, MessageEvent } from './common.js';
import { CONFIG, INITIAL_UUID, MIGRATION, PRIMARY, responseOf, SOURCE, receiveGossip } from './common.js';

export interface MigrationContext {
  /** The donor shard's clock. */
  readonly clock: VectorTime;
  /** The config server's answer to the commit, `null` until then. */
  readonly outcome: Status | null;
}

export type MigrationEvent = MessageEvent | { readonly type: 'START' };

export const MIGRATION_COMMIT_ID = `${MIGRATION}/commit`;

export function migrationImpl(bugs: Bugs) {
  return {
    guards: {
      isCommitReply: (_ctx: MigrationContext, e: MigrationEvent) => 'msg' in e && e.msg.id === MIGRATION_COMMIT_ID,
    },
    updates: {
      acceptGossip: (ctx: MigrationContext, e: MigrationEvent): MigrationContext => {
        if (!('msg' in e)) return ctx;
        const clock = receiveGossip(ctx.clock, e.msg.gossip, bugs);
        return clock === ctx.clock ? ctx : { ...ctx, clock };
      },
      recordOutcome: (ctx: MigrationContext, e: MigrationEvent): MigrationContext => ({ ...ctx, outcome: responseOf(e as MessageEvent).status }),
    },
    effects: {
      sendCommit: (ctx: MigrationContext): readonly Message[] => [
        request(MIGRATION_COMMIT_ID, MIGRATION, CONFIG, { name: '_configsvrCommitChunkMigration', ns: SOURCE, uuid: INITIAL_UUID, fromVersion: 1, to: PRIMARY }, internalGossip(ctx.clock)),
      ],
    },
  };
}
