/**
 * Replica-set initial sync (DESIGN § 4.2, seed 001): a client writing with w:"majority" to the
 * primary (the sync source) while a new member syncs from it — locate the source's oplog position
 * and start fetching, clone the collection while writes land, record the end-of-clone position,
 * apply up to it, clear the durable "initial sync in progress" flag, tail the oplog as a secondary
 * and report progress to the source. The network loses, duplicates and reorders messages; either
 * mongod may crash and restart; the source's capped oplog may roll over under the fetcher.
 *
 * @module
 */
import type { Model, ModelDefinition, Size, StepInvariant } from '../checker/model.js';
import type { ClientContext, ClientEvent, NodeContext, NodeEvent, SourceContext, SourceEvent } from '../impl/initial-sync.js';
import {
  CLIENT,
  clientImpl,
  exchangeId,
  messageEvent,
  newClient,
  newNode,
  newSource,
  NODE,
  nodeImpl,
  opId,
  recoverNode,
  recoverSource,
  SOURCE,
  sourceImpl,
} from '../impl/initial-sync.js';
import { toTimestamp, vectorTimeView } from '../impl/logical-time.js';
import type { OpTime, WriteOp } from '../impl/replication/index.js';
import { fetchAfter, lastOpTime } from '../impl/replication/index.js';
import type { InitialSyncState } from '../invariants/initial-sync.js';
import { initialSyncInvariants } from '../invariants/initial-sync.js';
import type { Message } from '../impl/world/network.js';
import { compileRole } from '../machines/compile.js';
import { clientMachine } from '../machines/initial-sync/client.js';
import { nodeMachine } from '../machines/initial-sync/node.js';
import { sourceMachine } from '../machines/initial-sync/source.js';
import type { Host, WorldAction } from './world.js';
import { describeMessage, describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';
import { closeConnections as closeConnectionsOf, inFlight, possibleKinds } from './world-helpers.js';

export type { InitialSyncState } from '../invariants/initial-sync.js';

/** The environment's steps besides the world's deliveries and faults. */
export type InitialSyncAction =
  | WorldAction
  | { readonly kind: 'Submit'; readonly write: WriteOp }
  | { readonly kind: 'Start' }
  | { readonly kind: 'Fetch' }
  | { readonly kind: 'Report' }
  | { readonly kind: 'Timeout'; readonly host: string };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'Submit', 'Start', 'Fetch', 'Report', 'Timeout'] as const;

export const INITIAL_SYNC_BUGS = [
  {
    id: 'fetch-after-clone',
    breaks: 'IS-CONVERGE',
    description: 'the syncing node starts fetching the oplog only once the clone is done, from the end-of-clone position: writes that landed on documents already cloned are never applied',
  },
  {
    id: 'no-apply-phase',
    breaks: 'IS-CONSISTENT-READS',
    description: 'initial sync skips its apply phase: the node becomes a consistent secondary as soon as the clone ends, dropping the entries it fetched during the clone',
  },
  {
    id: 'non-idempotent-apply',
    breaks: 'IS-CONVERGE',
    description: "oplog application is not idempotent: an update entry applies the client's $inc again instead of setting the value it logged, so an update already reflected in the cloned document counts twice",
  },
  {
    id: 'resume-as-finished',
    breaks: 'IS-CONSISTENT-READS',
    description: 'a node restarted during initial sync ignores the "initial sync in progress" flag and, having an oplog, resumes as a secondary as if the sync had finished',
  },
  {
    id: 'feedback-reports-fetched',
    breaks: 'IS-ACKED-DURABLE',
    description: 'sync-source feedback reports the last fetched position instead of the last applied one, during initial sync too: the primary acknowledges w:"majority" writes the node has not applied, and a restart of the sync loses them',
  },
] as const;

/**
 * The client's writes, on document `a` (cloned first): increment it, delete it. An update after the
 * delete changes nothing and logs nothing; an update logged before a delete may reach a clone that
 * no longer has the document (an update to a missing document, which application tolerates).
 */
export const CLIENT_WRITES: readonly WriteOp[] = [
  { op: 'u', id: 'a' },
  { op: 'd', id: 'a' },
];

/** The role charts compiled against their implementations for a set of bugs. */
export function initialSyncRoles(bugs: ReadonlySet<string> = new Set()) {
  return {
    client: compileRole<ClientContext, ClientEvent, Message>('client', clientMachine, clientImpl()),
    source: compileRole<SourceContext, SourceEvent, Message>('source', sourceMachine, sourceImpl()),
    node: compileRole<NodeContext, NodeEvent, Message>('node', nodeMachine, nodeImpl(bugs)),
  };
}

type S = InitialSyncState;

/** Build the model for a size (`docs`, `writes`, `oplogSize`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function initialSyncModel(size: Size, bugs: ReadonlySet<string> = new Set()): Model<S, InitialSyncAction> {
  const roles = initialSyncRoles(bugs);
  const make = (s: S, patch: Partial<S>): S => ({
    client: patch.client ?? s.client,
    source: patch.source ?? s.source,
    node: patch.node ?? s.node,
    net: patch.net ?? s.net,
    faults: patch.faults ?? s.faults,
  });
  const hosts: Host<S>[] = [
    { name: CLIENT, chart: roles.client, get: (s) => s.client, set: (s, snap) => make(s, { client: snap }) },
    { name: SOURCE, chart: roles.source, get: (s) => s.source, set: (s, snap) => make(s, { source: snap }), recover: recoverSource },
    { name: NODE, chart: roles.node, get: (s) => s.node, set: (s, snap) => make(s, { node: snap }), recover: recoverNode },
  ];
  const world = new World<S>(hosts, faultBounds(size), (s, net, faults) => make(s, { net, faults }));

  const submits = CLIENT_WRITES.map((write): InitialSyncAction => ({ kind: 'Submit', write }));
  const submitEvents = CLIENT_WRITES.map((write): ClientEvent => ({ type: 'SUBMIT', write }));
  const start: InitialSyncAction = { kind: 'Start' };
  const fetch: InitialSyncAction = { kind: 'Fetch' };
  const startup = roles.node.indexOf('startup');
  const report: InitialSyncAction = { kind: 'Report' };
  const timeouts = [CLIENT, NODE].map((host): InitialSyncAction => ({ kind: 'Timeout', host }));
  const TIMEOUT = { type: 'TIMEOUT' } as const;
  const clientWaiting = roles.client.indexOf('waiting');
  const secondary = roles.node.indexOf('secondary');
  const waitingExchange: ReadonlyMap<number, 'pos' | 'clone' | 'end'> = new Map([
    [roles.node.indexOf('initialSync.locating'), 'pos'],
    [roles.node.indexOf('initialSync.cloning'), 'clone'],
    [roles.node.indexOf('initialSync.endingClone'), 'end'],
  ]);
  const behind = (reported: OpTime, applied: OpTime | null): boolean => applied !== null && applied.ts > reported.ts;

  /**
   * A crash closes the host's connections: every message in flight on them, to it or from it, is
   * gone (its peers see a network error: their timeouts are enabled).
   */
  const closeConnections = (s: S, host: string): S => closeConnectionsOf(s, host, (s, net) => make(s, { net }));
  /** A timeout fires only when the exchange it waits for has nothing left in flight (a lost message). */
  const timeoutEnabled = (s: S, host: string): boolean => {
    if (host === CLIENT) {
      // The client gives up on a write whose request or reply was lost, or whose w:"majority"
      // acknowledgement is slow to come (wtimeout: the write itself stays); not while a message of it is in flight.
      return s.client.at === clientWaiting && !inFlight(s.net, opId(s.client.ctx.opCount));
    }
    const kind = waitingExchange.get(s.node.at);
    return kind !== undefined && !inFlight(s.net, exchangeId(kind, s.node.ctx.attempt));
  };
  /**
   * The fetcher's next getMore, once the previous one is answered (or lost). The oplog cursor is
   * tailable with awaitData: the source answers when it has entries after the fetcher's position
   * (or no longer has that position), so a getMore is only sent then.
   */
  const fetchEnabled = (s: S): boolean => {
    const from = s.node.ctx.lastFetched;
    if (from === null || !roles.node.handles(s.node.at, 'FETCH') || inFlight(s.net, exchangeId('fetch', s.node.ctx.attempt))) return false;
    const got = fetchAfter(s.source.ctx.oplog, from);
    return typeof got === 'string' || got.length > 0;
  };
  /** The periodic replSetUpdatePosition: only when the source does not know the secondary's position and no report is in flight. */
  const reportEnabled = (s: S): boolean =>
    s.node.at === secondary && behind(s.source.ctx.reported, s.node.ctx.lastApplied) && !inFlight(s.net, exchangeId('feedback', s.node.ctx.attempt));

  const initial: S = {
    client: roles.client.initial(newClient(size['writes']!)),
    source: roles.source.initial(newSource(size['docs']!, size['oplogSize']!)),
    node: roles.node.initial(newNode()),
    net: [],
    faults: NO_FAULTS,
  };

  const inv = initialSyncInvariants((at) => at === secondary);

  return {
    // A fault the size rules out (bound 0) is not a kind of step of this model: coverage does not list it.
    actionKinds: possibleKinds(ACTION_KINDS, world.bounds),
    invariants: [inv.consistentReads, inv.converge, inv.ackedDurable, inv.vcOrder],
    stepInvariants: [inv.vcMonotone as StepInvariant<S, InitialSyncAction>],
    init: () => [initial],

    actions(s, out) {
      world.actions(s, out as WorldAction[]);
      if (s.client.at !== clientWaiting && s.client.ctx.opsLeft > 0) out.push(...submits);
      if (s.node.at === startup) out.push(start);
      if (fetchEnabled(s)) out.push(fetch);
      if (reportEnabled(s)) out.push(report);
      for (const t of timeouts) if (timeoutEnabled(s, (t as { host: string }).host)) out.push(t);
    },

    next(s, a) {
      switch (a.kind) {
        case 'Deliver':
        case 'Lose':
        case 'Duplicate':
          return world.next(s, a, messageEvent);
        case 'Crash': {
          const t = world.next(s, a, messageEvent);
          return t === undefined ? undefined : closeConnections(t, a.host);
        }
        case 'Submit':
          return world.step(s, CLIENT, submitEvents[CLIENT_WRITES.indexOf(a.write)]!);
        case 'Start':
          return world.step(s, NODE, { type: 'START' });
        case 'Fetch':
          return fetchEnabled(s) ? world.step(s, NODE, { type: 'FETCH' }) : undefined;
        case 'Report':
          return reportEnabled(s) ? world.step(s, NODE, { type: 'REPORT' }) : undefined;
        case 'Timeout':
          return timeoutEnabled(s, a.host) ? world.step(s, a.host, TIMEOUT) : undefined;
      }
    },

    describe(a) {
      switch (a.kind) {
        case 'Deliver':
        case 'Lose':
        case 'Duplicate':
        case 'Crash':
          return describeWorldAction(a);
        case 'Submit':
          return `Submit(${a.write.op} ${a.write.id})`;
        case 'Timeout':
          return `Timeout(${a.host})`;
        default:
          return a.kind;
      }
    },

    view: (s) => viewOf(s, roles),

    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

const opTimeView = (t: OpTime | null) => (t === null ? null : { ts: toTimestamp(t.ts), t: t.term });

/** The per-role view of a state in traces, with timestamps as BSON Timestamps. */
function viewOf(s: S, roles: ReturnType<typeof initialSyncRoles>): Record<string, unknown> {
  const name = (chart: { configs: readonly { name: string }[] }, at: number) => chart.configs[at]!.name;
  const src = s.source.ctx;
  const n = s.node.ctx;
  return {
    client: { state: name(roles.client, s.client.at), clusterTime: toTimestamp(s.client.ctx.clusterTime), opsLeft: s.client.ctx.opsLeft, acked: toTimestamp(s.client.ctx.acked) },
    source: {
      state: name(roles.source, s.source.at),
      ...vectorTimeView(src.clock),
      boot: src.boot,
      docs: src.docs,
      oplog: src.oplog.entries.map((e) => `${e.op} ${e.id}=${e.v} @${e.ts}`),
      lastOpTime: opTimeView(lastOpTime(src.oplog)),
      reported: opTimeView(src.reported),
      waiting: src.waiting.map((w) => w.id),
    },
    node: {
      state: name(roles.node, s.node.at),
      ...vectorTimeView(n.clock),
      initialSyncFlag: n.flag,
      attempt: n.attempt,
      docs: n.docs,
      lastApplied: opTimeView(n.lastApplied),
      minValid: opTimeView(n.minValid),
      lastFetched: opTimeView(n.lastFetched),
      buffer: n.buffer.map((e) => `${e.op} ${e.id}=${e.v} @${e.ts}`),
    },
    network: s.net.map(describeMessage),
  };
}

export const initialSync: ModelDefinition = {
  name: 'initial-sync',
  summary: 'a new replica-set member clones and catches up from the primary while writes continue',
  sizeParams: {
    docs: { description: 'documents in the collection at the start (a, b, …)', min: 1, max: 3 },
    writes: { description: "the client's w:\"majority\" writes", min: 0, max: 4 },
    oplogSize: { description: "entries the source's capped oplog holds", min: 1, max: 6 },
    ...FAULT_SIZE_PARAMS,
  },
  sizes: {
    default: { docs: 2, writes: 2, oplogSize: 1, maxLoss: 1, maxDup: 0, maxCrashes: 1 },
    large: { docs: 3, writes: 2, oplogSize: 1, maxLoss: 1, maxDup: 0, maxCrashes: 1 },
  },
  invariants: (() => {
    const inv = initialSyncInvariants(() => false);
    return [inv.consistentReads, inv.converge, inv.ackedDurable, inv.vcOrder, inv.vcMonotone].map(({ id, description }) => ({ id, description }));
  })(),
  bugs: INITIAL_SYNC_BUGS,
  roles: [
    { name: 'client', summary: 'a client: one w:"majority" write at a time', machine: clientMachine },
    { name: 'source', summary: 'the sync source, the primary: takes writes into its capped oplog, serves the clone and the oplog fetcher, acknowledges writes on feedback', machine: sourceMachine },
    { name: 'node', summary: 'the syncing node: initial sync (fetch, clone, apply to minValid) under a durable flag, then a secondary tailing the oplog', machine: nodeMachine },
  ],
  build: (size, bugs) => initialSyncModel(size, bugs) as unknown as Model,
};
