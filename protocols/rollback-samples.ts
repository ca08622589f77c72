/**
 * The rollback roles for the differential and model-based tests: each chart with its
 * implementation factory, initial contexts and a pool of events with payloads.
 *
 * @module
 */
import type { Gossip } from '../impl/logical-time.js';
import type { ArbiterEvent, ClientEvent, ConsumerEvent, NodeContext, NodeEvent } from '../impl/rollback.js';
import {
  arbiterImpl,
  clientImpl,
  consumerImpl,
  DUMP_ID,
  fetchId,
  messageEvent,
  newArbiter,
  newClient,
  newConsumer,
  newNode,
  nodeImpl,
  refetchId,
  sourceOplogId,
  TAIL_ID,
  topology,
  voteId,
} from '../impl/rollback.js';
import type { OplogEntry } from '../impl/replication/index.js';
import type { Message, Status } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { arbiterMachine, clientMachine, consumerMachine, nodeMachine } from '../machines/rollback/index.js';
import type { RoleCase } from './role-samples.js';
import { INITIAL_DOCS, INITIAL_OPLOG, ROLLBACK_BUGS } from './rollback.js';

const bugs = ROLLBACK_BUGS.map((b) => b.id);
const TOPOLOGY = topology(2, 1);
const g = (t: number): Gossip => ({ $clusterTime: t, $configTime: 0, $topologyTime: 0 });
const reply = (id: string, from: string, to: string, data: unknown, status: Status = 'ok', t = 2): Message => ({ kind: 'response', id, from, to, status, data, gossip: g(t) });

const a1: OplogEntry = INITIAL_OPLOG[0]!;
const u2: OplogEntry = { ts: 2, term: 1, op: 'u', id: 'a', v: 1 };
const noop2: OplogEntry = { ts: 2, term: 2, op: 'n', id: '', v: 0 };
const t11 = { ts: 1, term: 1 };
const t21 = { ts: 2, term: 1 };

const clientEvents: ClientEvent[] = [
  { type: 'SUBMIT', to: 'n1' },
  { type: 'response', msg: reply('op1', 'n1', 'client', { optime: t21 }, 'ok', 2) },
  { type: 'TIMEOUT' },
];

const arbiterEvents: ArbiterEvent[] = [
  messageEvent(request(voteId('n2', 2), 'n2', 'arbiter', { name: 'replSetRequestVotes', term: 2, candidate: 'n2', last: t11 }, g(1))),
  messageEvent(request(voteId('n1', 2), 'n1', 'arbiter', { name: 'replSetRequestVotes', term: 2, candidate: 'n1', last: t21 }, g(2))),
  messageEvent(request(voteId('n1', 3), 'n1', 'arbiter', { name: 'replSetRequestVotes', term: 3, candidate: 'n1', last: t21 }, g(3))),
];

/** n1 after writing `u a` at (2, 1) as the primary of term 1, now a secondary (it missed term 2). */
export const divergedNode: NodeContext = { ...newNode('n1', [a1, u2], [{ id: 'a', v: 1 }], 1, 'n1'), clock: { cluster: 2, config: 0, topology: 0 } };

// Six events (the model-based tests then use them all): enough to reach every configuration —
// an election won, a step-down, and a rollback from the diverged fetch to the refetch.
export const nodeEvents: NodeEvent[] = [
  { type: 'ELECT' },
  messageEvent(reply(voteId('n1', 2), 'arbiter', 'n1', { term: 2, granted: true })),
  { type: 'STEP_DOWN' },
  messageEvent(reply(fetchId('n1'), 'n2', 'n1', { after: t21, entries: [], term: 2, commit: t11 }, 'OplogDiverged')),
  messageEvent(reply(sourceOplogId('n1'), 'n2', 'n1', { entries: [a1, noop2], term: 2, commit: t11 })),
  messageEvent(reply(refetchId('n1'), 'n2', 'n1', { docs: INITIAL_DOCS, last: { ts: 2, term: 2 } })),
];

/** The rest of the node's events, for the differential test in `test/rollback.test.ts` (the shared tests keep six). */
export const MORE_NODE_EVENTS: readonly NodeEvent[] = [
  { type: 'FETCH', source: 'n2' },
  { type: 'TIMEOUT' },
  messageEvent(reply(fetchId('n1'), 'n2', 'n1', { after: t11, entries: [noop2], term: 2, commit: { ts: 2, term: 2 } })),
  messageEvent(reply(fetchId('n1'), 'n2', 'n1', { after: { ts: 2, term: 2 }, entries: [], term: 2, commit: { ts: 2, term: 2 } })),
  messageEvent(reply(voteId('n1', 2), 'n2', 'n1', { term: 3, granted: false })),
  messageEvent(request(fetchId('n2'), 'n2', 'n1', { name: 'getMore', collection: 'local.oplog.rs', after: t11, term: 1 }, g(1))),
  messageEvent(request(fetchId('n2'), 'n2', 'n1', { name: 'getMore', collection: 'local.oplog.rs', after: { ts: 3, term: 1 }, term: 1 }, g(1))),
  messageEvent(request(fetchId('n2'), 'n2', 'n1', { name: 'getMore', collection: 'local.oplog.rs', after: t11, term: 3 }, g(1))),
  messageEvent(request(sourceOplogId('n2'), 'n2', 'n1', { name: 'find', collection: 'local.oplog.rs', sort: { $natural: -1 } }, g(2))),
  messageEvent(request(refetchId('n2'), 'n2', 'n1', { name: 'find', collection: 'test.docs', ids: ['a'] }, g(2))),
  messageEvent(request(DUMP_ID, 'consumer', 'n1', { name: 'find', collection: 'test.docs' }, { $clusterTime: 0 })),
  messageEvent(request('op1', 'client', 'n1', { name: 'write', op: 'u', id: 'a', w: 'majority' }, { $clusterTime: 1 })),
  messageEvent(request('op2', 'client', 'n1', { name: 'write', op: 'i', id: 'b', w: 1 }, { $clusterTime: 1 })),
  messageEvent(request(voteId('n2', 2), 'n2', 'n1', { name: 'replSetRequestVotes', term: 2, candidate: 'n2', last: t11 }, g(1))),
  messageEvent(request(voteId('n2', 3), 'n2', 'n1', { name: 'replSetRequestVotes', term: 3, candidate: 'n2', last: { ts: 3, term: 2 } }, g(3))),
];

const consumerEvents: ConsumerEvent[] = [
  { type: 'TAIL' },
  messageEvent(reply(DUMP_ID, 'n1', 'consumer', { docs: INITIAL_DOCS, last: t11 })),
  messageEvent(reply(TAIL_ID, 'n1', 'consumer', { after: t11, entries: [u2], term: 1, commit: t11 })),
  messageEvent(reply(TAIL_ID, 'n1', 'consumer', { after: t11, entries: [], term: 2, commit: t11 }, 'OplogDiverged')),
];

export const ROLLBACK_ROLE_CASES: readonly RoleCase[] = [
  { model: 'rollback', role: 'client', machine: clientMachine, implement: () => clientImpl(), bugs, initialContexts: [newClient(2), newClient(1, [t11])], events: clientEvents },
  {
    model: 'rollback',
    role: 'node',
    machine: nodeMachine,
    implement: (b) => nodeImpl(b, TOPOLOGY),
    bugs,
    initialContexts: [divergedNode, newNode('n2', INITIAL_OPLOG, INITIAL_DOCS, 1, 'n1')],
    events: nodeEvents,
    keyStatesBySnapshot: true,
  },
  {
    model: 'rollback',
    role: 'arbiter',
    machine: arbiterMachine,
    implement: arbiterImpl,
    bugs,
    initialContexts: [newArbiter({ cluster: 1, config: 0, topology: 0 }, 1, 'n1'), newArbiter({ cluster: 0, config: 0, topology: 0 }, 0, null)],
    events: arbiterEvents,
  },
  { model: 'rollback', role: 'consumer', machine: consumerMachine, implement: consumerImpl, bugs, initialContexts: [newConsumer(null, []), newConsumer(t11, INITIAL_DOCS)], events: consumerEvents },
];
