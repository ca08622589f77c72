/**
 * The roles of the cross-shard transaction model with their implementations, initial contexts and
 * pools of events, for the differential and model-based tests (`protocols/role-samples.ts`).
 *
 * @module
 */
import type { Gossip } from '../impl/logical-time.js';
import type { ClientEvent } from '../impl/transactions/client.js';
import type { ClientContext } from '../impl/transactions/client.js';
import { clientImpl, newClient, opId } from '../impl/transactions/client.js';
import { DECISION_ID, messageEvent, PREPARE_ID, retryableWriteCommand, statementCommand } from '../impl/transactions/common.js';
import type { RouterEvent } from '../impl/transactions/router.js';
import { newRouter, routerImpl } from '../impl/transactions/router.js';
import type { ShardContext, ShardEvent } from '../impl/transactions/shard.js';
import { newShard, recoverShard, shardImpl } from '../impl/transactions/shard.js';
import type { Command, Message, Status } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { clientMachine } from '../machines/two-phase-commit/client.js';
import { routerMachine } from '../machines/two-phase-commit/router.js';
import { shardMachine } from '../machines/two-phase-commit/shard.js';
import type { RoleCase } from './role-samples.js';
import { TWO_PHASE_COMMIT_BUGS } from './two-phase-commit.js';

const g: Gossip = { $clusterTime: 2, $configTime: 0, $topologyTime: 0 };
const response = (id: string, from: string, to: string, status: Status, data: unknown = null): Message => ({ kind: 'response', id, from, to, status, data, gossip: g });
const txn = (name: string, extra: Record<string, unknown> = {}): Command => ({ name, txnNumber: 2, ...extra });

const clientEvents: ClientEvent[] = [
  { type: 'RETRYABLE_WRITE', shard: 'shard0' },
  { type: 'STATEMENT', shard: 'shard0', write: false },
  { type: 'STATEMENT', shard: 'shard1', write: true },
  { type: 'COMMIT' },
  { type: 'ABORT' },
  { type: 'RETRY' },
  { type: 'RECOVER_COMMIT' },
  { type: 'TIMEOUT' },
  ...(['op1', 'op2', 'op3'] as const).flatMap((id) =>
    (['ok', 'NoSuchTransaction', 'NetworkError'] as const).map((status): ClientEvent => ({ type: 'response', msg: response(id, 'router', 'client', status, { recoveryToken: { recoveryShardId: 'shard1' } }) })),
  ),
];

/**
 * The client's paths: its own events, and the router's answers to its current request (`ok`,
 * `NoSuchTransaction`, a network error), each with the recovery token; an answer to an earlier
 * request is in the pool of the differential test.
 */
const clientPathEvents = (ctx: ClientContext): ClientEvent[] => [
  ...clientEvents.filter((e) => e.type !== 'response'),
  ...(['ok', 'NoSuchTransaction', 'NetworkError'] as const).map((status): ClientEvent => ({ type: 'response', msg: response(opId(ctx.opCount), 'router', 'client', status, { recoveryToken: { recoveryShardId: 'shard1' } }) })),
];

const routerEvents: RouterEvent[] = [
  messageEvent(request('op1', 'client', 'router', retryableWriteCommand('shard0'), { $clusterTime: 1 })),
  messageEvent(request('op2', 'client', 'router', statementCommand('shard0', false, true), { $clusterTime: 1 })),
  messageEvent(request('op3', 'client', 'router', statementCommand('shard1', true, false), { $clusterTime: 1 })),
  messageEvent(request('op4', 'client', 'router', txn('commitTransaction'), { $clusterTime: 1 })),
  messageEvent(request('op5', 'client', 'router', txn('commitTransaction', { recoveryToken: { recoveryShardId: 'shard1' } }), { $clusterTime: 1 })),
  messageEvent(request('op4', 'client', 'router', txn('abortTransaction'), { $clusterTime: 1 })),
  ...(['op1', 'op2', 'op3', 'op4'] as const).flatMap((id) => [
    messageEvent(response(id, 'shard0', 'router', 'ok', { readOnly: true })),
    messageEvent(response(id, 'shard1', 'router', 'ok', { readOnly: false })),
    messageEvent(response(id, 'shard1', 'router', 'NoSuchTransaction')),
  ]),
  { type: 'TIMEOUT' },
];

const shardEvents: ShardEvent[] = [
  { type: 'STEP_UP' },
  messageEvent(request('op1', 'router', 'shard0', { name: 'insert', txnNumber: 1, stmtId: 0 }, g)),
  messageEvent(request('op2', 'router', 'shard0', txn('find', { autocommit: false, startTransaction: true, coordinator: true }), g)),
  messageEvent(request('op2', 'router', 'shard0', txn('find', { autocommit: false, startTransaction: true }), g)),
  messageEvent(request('op3', 'router', 'shard0', txn('insert', { autocommit: false }), g)),
  messageEvent(request('op4', 'router', 'shard0', txn('coordinateCommitTransaction', { participants: ['shard0', 'shard1'] }), g)),
  messageEvent(request('op5', 'router2', 'shard0', txn('coordinateCommitTransaction', { participants: [] }), g)),
  messageEvent(request(PREPARE_ID, 'shard0', 'shard0', txn('prepareTransaction'), g)),
  messageEvent(request(DECISION_ID, 'shard0', 'shard0', txn('commitTransaction', { commitTimestamp: 3 }), g)),
  messageEvent(request('op4', 'router', 'shard0', txn('commitTransaction'), g)),
  messageEvent(request(DECISION_ID, 'shard0', 'shard0', txn('abortTransaction'), g)),
  messageEvent(response(PREPARE_ID, 'shard0', 'shard0', 'ok', { prepareTimestamp: 3 })),
  messageEvent(response(PREPARE_ID, 'shard1', 'shard0', 'ok', { prepareTimestamp: 2 })),
  messageEvent(response(PREPARE_ID, 'shard1', 'shard0', 'NoSuchTransaction')),
  messageEvent(response(DECISION_ID, 'shard0', 'shard0', 'ok')),
  messageEvent(response(DECISION_ID, 'shard1', 'shard0', 'ok')),
  { type: 'EXPIRE' },
  { type: 'TIMEOUT' },
  { type: 'MAJORITY_COMMIT' },
];

const continuedWrite = shardEvents[4]!;
const recoveryAsk = shardEvents[6]!;

/**
 * The shard's paths: the whole pool, every payload (`pathEvents` would keep one event of each type
 * and miss most configurations), except where an event would only multiply the snapshots: the
 * transaction's second statement (a write) is offered until the participant has written (whether
 * it wrote is all the shard keeps of its statements), and the recovery router's
 * `coordinateCommitTransaction` (an empty participant list) only where it is not answered as the
 * router's is: at a shard with no coordinator (the participant answers it), or before the
 * coordinator has its participant list. The retryable write stays, so every state that takes
 * `insert` has one.
 */
const shardPathEvents = (ctx: ShardContext): ShardEvent[] =>
  shardEvents.filter(
    (e) =>
      (e !== continuedWrite || ctx.txn?.wrote !== true) &&
      (e !== recoveryAsk || ctx.coordinator === null || ctx.coordinator.participants.length === 0),
  );

/** A shard whose coordinator document holds the participant list, restarted: recovery resumes the prepare phase. */
const recovered: ShardContext = recoverShard({ ...newShard('shard0'), coordDoc: { participants: ['shard0', 'shard1'], decision: null } }, new Set());

const bugs = TWO_PHASE_COMMIT_BUGS.map((b) => b.id);

export const TWO_PHASE_COMMIT_ROLE_CASES: readonly RoleCase[] = [
  {
    model: 'two-phase-commit',
    role: 'client',
    machine: clientMachine,
    implement: () => clientImpl(),
    bugs,
    initialContexts: [newClient(1, 2, 1), newClient(0, 2, 2)],
    events: clientEvents,
    pathEventsOf: clientPathEvents,
    keyStatesBySnapshot: true,
  },
  { model: 'two-phase-commit', role: 'router', machine: routerMachine, implement: routerImpl, bugs, initialContexts: [newRouter('router')], events: routerEvents },
  {
    model: 'two-phase-commit',
    role: 'shard',
    machine: shardMachine,
    implement: shardImpl,
    bugs,
    initialContexts: [newShard('shard0'), recovered],
    events: shardEvents,
    pathEventsOf: shardPathEvents,
    pathsFromEveryContext: true,
    keyStatesBySnapshot: true,
    simplePathsOverConfigurations: true,
  },
];
