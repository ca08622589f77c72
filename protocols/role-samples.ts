/**
 * Every role chart of every model with its implementation, initial contexts and a pool of events
 * (with payloads): the material of the differential and model-based tests and of the stepper
 * benchmark.
 */
import type { AnyStateMachine } from 'xstate';
import type { Gossip } from '../impl/logical-time.js';
import { ZERO_TIME } from '../impl/logical-time.js';
import type { RMEvent, TMEvent } from '../impl/two-phase.js';
import { RM_CONTEXT, rmImpl, TM_CONTEXT, tmImpl } from '../impl/two-phase.js';
import type { ClientEvent, ConfigEvent, RouterEvent, ShardEvent } from '../impl/vector-clock.js';
import { clientImpl, configImpl, messageEvent, newConfigServer, newShard, routerImpl, shardImpl } from '../impl/vector-clock.js';
import type { Message } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import type { RoleImpl } from '../machines/role.js';
import { rmMachine, tmMachine } from '../machines/two-phase.js';
import { clientMachine, configMachine, routerMachine, shardMachine } from '../machines/vector-clock.js';
import { CLIENT_COMMANDS, VECTOR_CLOCK_BUGS } from './vector-clock.js';
import { TWO_PHASE_BUGS } from './two-phase.js';
import { INITIAL_SYNC_ROLE_CASES } from './initial-sync-samples.js';
import { TWO_PHASE_COMMIT_ROLE_CASES } from './two-phase-commit-samples.js';
import { WRITEBACK_ROLE_CASES } from './writeback-samples.js';
import { ROLLBACK_ROLE_CASES } from './rollback-samples.js';
import { RANGE_DELETION_ROLE_CASES } from './range-deletion-samples.js';
import { MIGRATION_ROLE_CASES } from './migration-samples.js';
import { DDL_ROLE_CASES } from './ddl-coordinator-samples.js';

export interface RoleCase {
  readonly model: string;
  readonly role: string;
  readonly machine: AnyStateMachine;
  readonly implement: (bugs: ReadonlySet<string>) => RoleImpl<any, any, any>;
  readonly bugs: readonly string[];
  readonly initialContexts: readonly object[];
  readonly events: readonly { type: string }[];
  /**
   * Key the chart's test-model states by snapshot alone, not also by the transition that entered
   * them: for a long chain of configurations, where ignored events double every state and the
   * simple paths explode.
   */
  readonly keyStatesBySnapshot?: boolean;
  /**
   * The events the chart's paths are made of, given a snapshot's context (by default
   * `pathEvents(events)` in `protocols/role-test-model.ts`): for roles whose events must answer
   * the request the context names, or whose configurations need several payloads of one type.
   */
  readonly pathEventsOf?: (context: any) => readonly { type: string }[];
  /**
   * The chart's paths start from every initial context, not only the first: for roles with
   * configurations that only a restarted node's context reaches.
   */
  readonly pathsFromEveryContext?: boolean;
  /**
   * The chart's simple paths are simple in its configurations, not in its snapshots: each visits a
   * configuration at most once (`protocols/role-test-model.ts`). For a parallel chart whose
   * regions' interleavings and growing contexts leave far too many snapshot-simple paths.
   */
  readonly simplePathsOverConfigurations?: boolean;
  /**
   * Paths use the whole event pool, not one event of each type: for a chart whose many responses
   * share one event type and are told apart by their exchange ids.
   */
  readonly allEventsInPaths?: boolean;
}

const gossips: Gossip[] = [
  { $clusterTime: 0 },
  { $clusterTime: 3 },
  { $clusterTime: 2, $configTime: 2, $topologyTime: 1 },
  { $clusterTime: 5, $configTime: 4, $topologyTime: 4 },
];
const response = (id: string, from: string, to: string, g: Gossip, data: unknown = null): Message => ({ kind: 'response', id, from, to, status: 'ok', data, gossip: g });

const rmEvents: RMEvent[] = [{ type: 'PREPARE', rm: 0 }, { type: 'PREPARE', rm: 2 }, { type: 'CHOOSE_ABORT' }, { type: 'RCV_COMMIT' }, { type: 'RCV_ABORT' }];
const tmEvents: TMEvent[] = [{ type: 'PREPARED', rm: 0 }, { type: 'PREPARED', rm: 1 }, { type: 'PREPARED', rm: 2 }, { type: 'COMMIT' }, { type: 'ABORT' }];
const clientEvents: ClientEvent[] = [
  ...CLIENT_COMMANDS.map((cmd): ClientEvent => ({ type: 'SUBMIT', cmd })),
  ...gossips.flatMap((g) => ['op1', 'op2'].map((id): ClientEvent => ({ type: 'response', msg: response(id, 'router', 'client', { $clusterTime: g.$clusterTime }) }))),
  { type: 'TIMEOUT' },
];
const routerEvents: RouterEvent[] = [
  ...CLIENT_COMMANDS.flatMap((cmd) => ['op1', 'op2'].map((id) => messageEvent(request(id, 'client', 'router', cmd, { $clusterTime: 2 })))),
  ...gossips.flatMap((g) => ['op1', 'op2'].map((id) => messageEvent(response(id, 'shard0', 'router', g)))),
  { type: 'TIMEOUT' },
];
const shardEvents: ShardEvent[] = [
  ...gossips.map((g) => messageEvent(request('op1', 'router', 'shard0', { name: 'write', shard: 'shard0' }, g))),
  ...gossips.map((g) => messageEvent(response('refresh-shard0', 'config', 'shard0', g, { shards: ['shard0'], topologyTime: g.$topologyTime ?? 0 }))),
  messageEvent(response('op1', 'config', 'shard0', gossips[3]!)),
  { type: 'REFRESH' },
  { type: 'TIMEOUT' },
];
const configEvents: ConfigEvent[] = [
  ...gossips.flatMap((g) =>
    ['_configsvrAddShard', '_configsvrRemoveShard'].map((name) => messageEvent(request('op1', 'router', { anyOf: ['config'] }, { name, shard: 'shard1' }, g))),
  ),
  messageEvent(request('refresh-shard0', 'shard0', { anyOf: ['config'] }, { name: 'find', collection: 'config.shards', afterOpTime: 0 }, gossips[2]!)),
  { type: 'BALANCER_ROUND' },
  { type: 'MAJORITY_COMMIT' },
];

const twoPhaseBugs = TWO_PHASE_BUGS.map((b) => b.id);
const vcBugs = VECTOR_CLOCK_BUGS.map((b) => b.id);

export const ROLE_CASES: readonly RoleCase[] = [
  { model: 'two-phase', role: 'rm', machine: rmMachine, implement: rmImpl, bugs: twoPhaseBugs, initialContexts: [RM_CONTEXT], events: rmEvents },
  { model: 'two-phase', role: 'tm', machine: tmMachine, implement: (bugs) => tmImpl(bugs, 3), bugs: twoPhaseBugs, initialContexts: [TM_CONTEXT], events: tmEvents },
  { model: 'vector-clock', role: 'client', machine: clientMachine, implement: () => clientImpl(), bugs: vcBugs, initialContexts: [{ clusterTime: 0, opsLeft: 2, opCount: 0 }], events: clientEvents },
  { model: 'vector-clock', role: 'router', machine: routerMachine, implement: routerImpl, bugs: vcBugs, initialContexts: [{ clock: ZERO_TIME, pending: null }], events: routerEvents },
  { model: 'vector-clock', role: 'shard', machine: shardMachine, implement: shardImpl, bugs: vcBugs, initialContexts: [newShard('shard0')], events: shardEvents },
  {
    model: 'vector-clock',
    role: 'config',
    machine: configMachine,
    implement: configImpl,
    bugs: vcBugs,
    initialContexts: [newConfigServer(['shard0'], 1), newConfigServer(['shard0', 'shard1'], 2)],
    events: configEvents,
  },
  ...INITIAL_SYNC_ROLE_CASES,
  ...TWO_PHASE_COMMIT_ROLE_CASES,
  ...WRITEBACK_ROLE_CASES,
  ...ROLLBACK_ROLE_CASES,
  ...RANGE_DELETION_ROLE_CASES,
  ...MIGRATION_ROLE_CASES,
  ...DDL_ROLE_CASES,
];
