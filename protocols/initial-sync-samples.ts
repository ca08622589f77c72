/**
 * The initial-sync roles for the differential and model-based tests: each chart with its
 * implementation factory, initial contexts and a pool of events with payloads.
 *
 * @module
 */
import type { ClientEvent, NodeContext, NodeEvent, SourceEvent } from '../impl/initial-sync.js';
import { clientImpl, exchangeId, messageEvent, newClient, newNode, newSource, nodeImpl, sourceImpl } from '../impl/initial-sync.js';
import type { Gossip } from '../impl/logical-time.js';
import type { Message, Status } from '../impl/world/network.js';
import { request } from '../impl/world/network.js';
import { clientMachine } from '../machines/initial-sync/client.js';
import { nodeMachine } from '../machines/initial-sync/node.js';
import { sourceMachine } from '../machines/initial-sync/source.js';
import { CLIENT_WRITES, INITIAL_SYNC_BUGS } from './initial-sync.js';
import type { RoleCase } from './role-samples.js';

const g = (t: number): Gossip => ({ $clusterTime: t, $configTime: 0, $topologyTime: 0 });
const reply = (id: string, data: unknown, t = 3, status: Status = 'ok'): Message => ({ kind: 'response', id, from: 'source', to: 'node', status, data, gossip: g(t) });
const bugs = INITIAL_SYNC_BUGS.map((b) => b.id);

const clientEvents: ClientEvent[] = [
  ...CLIENT_WRITES.map((write): ClientEvent => ({ type: 'SUBMIT', write })),
  { type: 'response', msg: { kind: 'response', id: 'op1', from: 'source', to: 'client', status: 'ok', data: { ts: 3 }, gossip: { $clusterTime: 3 } } },
  { type: 'TIMEOUT' },
];

const sourceEvents: SourceEvent[] = [
  ...[...CLIENT_WRITES].reverse().map((w) => messageEvent(request('op1', 'client', 'source', { name: 'write', op: w.op, id: w.id, w: 'majority' }, { $clusterTime: 1 }))),
  messageEvent(request('pos1', 'node', 'source', { name: 'find', collection: 'local.oplog.rs', sort: { $natural: -1 }, limit: 1 }, g(0))),
  messageEvent(request('clone1', 'node', 'source', { name: 'find', collection: 'test.docs', after: '', limit: 1 }, g(2))),
  messageEvent(request('fetch1', 'node', 'source', { name: 'getMore', collection: 'local.oplog.rs', after: { ts: 2, term: 1 } }, g(2))),
  messageEvent(request('fetch1', 'node', 'source', { name: 'getMore', collection: 'local.oplog.rs', after: { ts: 0, term: 0 } }, g(2))),
  messageEvent(request('feedback1', 'node', 'source', { name: 'replSetUpdatePosition', applied: { ts: 3, term: 1 } }, g(3))),
];

const u3 = { ts: 3, term: 1, op: 'u', id: 'a', v: 1 } as const;
// Six events (the model-based tests then use them all): enough to reach every configuration.
export const nodeEvents: NodeEvent[] = [
  { type: 'START' },
  messageEvent(reply(exchangeId('pos', 1), { boot: 0, optime: { ts: 2, term: 1 } })),
  messageEvent(reply(exchangeId('clone', 1), { boot: 0, after: '', doc: null })),
  messageEvent(reply(exchangeId('end', 1), { boot: 0, optime: { ts: 3, term: 1 } })),
  messageEvent(reply(exchangeId('fetch', 1), { boot: 0, after: { ts: 2, term: 1 }, entries: [u3] })),
  messageEvent(reply(exchangeId('fetch', 1), { boot: 0, after: { ts: 3, term: 1 }, entries: [] }, 3, 'OplogStartMissing')),
];

/** The rest of the node's events, for the differential test in `test/initial-sync.test.ts` (the shared tests keep six). */
export const MORE_NODE_EVENTS: readonly NodeEvent[] = [
  messageEvent(reply(exchangeId('clone', 1), { boot: 0, after: '', doc: { id: 'a', v: 1 } })),
  messageEvent(reply(exchangeId('clone', 1), { boot: 0, after: 'a', doc: null })),
  messageEvent(reply(exchangeId('fetch', 1), { boot: 1, after: { ts: 3, term: 1 }, entries: [] })),
  { type: 'FETCH' },
  { type: 'REPORT' },
  { type: 'TIMEOUT' },
];

/** A node restarted after finishing initial sync: a secondary at position 3. */
export const syncedNode: NodeContext = { ...newNode(), docs: [{ id: 'a', v: 1 }, { id: 'b', v: 0 }], lastApplied: { ts: 3, term: 1 }, minValid: { ts: 3, term: 1 }, attempt: 1 };

export const INITIAL_SYNC_ROLE_CASES: readonly RoleCase[] = [
  { model: 'initial-sync', role: 'client', machine: clientMachine, implement: () => clientImpl(), bugs, initialContexts: [newClient(2)], events: clientEvents },
  { model: 'initial-sync', role: 'source', machine: sourceMachine, implement: () => sourceImpl(), bugs, initialContexts: [newSource(2, 2), newSource(1, 1)], events: sourceEvents },
  { model: 'initial-sync', role: 'node', machine: nodeMachine, implement: nodeImpl, bugs, initialContexts: [newNode(), syncedNode], events: nodeEvents, keyStatesBySnapshot: true },
];
