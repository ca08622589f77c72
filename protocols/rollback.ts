/**
 * Replica-set rollback (DESIGN § 4.3; seed 001 "Replica Set Rollback", seed 004 the oplog-tailing
 * connector): data-bearing nodes with terms and elections, an arbiter, a client writing with w:1
 * and w:"majority", and a consumer tailing the oplog of one node with a durable checkpoint.
 *
 * The primary of term 1 takes writes that do not replicate and is cut off (it misses the new
 * term's vote request, or steps down); another node is elected and logs its term's no-op; the old
 * primary, fetching again, finds its oplog diverged, walks back to the common point (timestamp and
 * term), refetches the documents its undone entries touched, truncates and resumes. The consumer
 * finds its checkpoint gone from the node's oplog and recovers with a new dump. The network loses,
 * duplicates and reorders messages within the size's bounds; every member and the consumer may
 * crash and restart (durable state kept).
 *
 * @module
 */
import type { Model, ModelDefinition, Size, StepInvariant } from '../checker/model.js';
import type { ArbiterContext, ArbiterEvent, ClientContext, ClientEvent, ConsumerContext, ConsumerEvent, NodeContext, NodeEvent, Topology } from '../impl/rollback.js';
import {
  arbiterImpl,
  CLIENT,
  clientImpl,
  CONSUMER,
  consumerImpl,
  fetchId,
  FOLLOWED,
  lastOf,
  messageEvent,
  newArbiter,
  newClient,
  newConsumer,
  newNode,
  nodeImpl,
  hasOpTime,
  opId,
  recoverNode,
  recoverVoter,
  refetchId,
  sourceOplogId,
  topology,
  voteId,
} from '../impl/rollback.js';
import { toTimestamp, vectorTimeView } from '../impl/logical-time.js';
import type { Collection, OplogEntry, OpTime } from '../impl/replication/index.js';
import { compareOpTime, fetchAfter, NULL_OPTIME } from '../impl/replication/index.js';
import type { Message } from '../impl/world/network.js';
import type { RollbackState } from '../invariants/rollback.js';
import { rollbackInvariants } from '../invariants/rollback.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { compileRole } from '../machines/compile.js';
import { arbiterMachine, clientMachine, consumerMachine, nodeMachine } from '../machines/rollback/index.js';
import type { Host, WorldAction } from './world.js';
import { describeMessage, describeWorldAction, FAULT_SIZE_PARAMS, faultBounds, NO_FAULTS, World, WORLD_ACTION_KINDS } from './world.js';
import { closeConnections as closeConnectionsOf, inFlight, possibleKinds, replaceAt } from './world-helpers.js';

export type { RollbackState } from '../invariants/rollback.js';

/** The environment's steps besides the world's deliveries and faults. */
export type RollbackAction =
  | WorldAction
  | { readonly kind: 'Submit'; readonly node: number }
  | { readonly kind: 'Fetch'; readonly node: number; readonly source: number }
  | { readonly kind: 'Elect'; readonly node: number }
  | { readonly kind: 'StepDown'; readonly node: number }
  | { readonly kind: 'Tail' }
  | { readonly kind: 'Timeout'; readonly host: string };

const ACTION_KINDS = [...WORLD_ACTION_KINDS, 'Submit', 'Fetch', 'Elect', 'StepDown', 'Tail', 'Timeout'] as const;

/** The size at which `vote-for-staler-log` is caught: three data-bearing nodes, no arbiter (see its description). */
export const THREE_NODES: Size = { nodes: 3, arbiters: 0, writes: 1, maxTerm: 2, consumer: 0, maxLoss: 0, maxDup: 0, maxCrashes: 0 };

export const ROLLBACK_BUGS = [
  {
    id: 'common-point-by-timestamp',
    breaks: 'RB-PREFIX',
    description: 'the rollback walks back comparing optimes by timestamp alone: an entry of the old term with the same timestamp as one of the new primary counts as the common point, and the diverged entry is kept',
  },
  {
    id: 'undo-inserts-without-refetch',
    breaks: 'RB-CONVERGE',
    description: 'the rollback undoes the inserts after the common point (removing their documents) but refetches nothing: documents that undone updates changed keep their rolled-back values',
  },
  {
    id: 'rollback-past-majority-commit',
    breaks: 'RB-MAJORITY-DURABLE',
    description: "the rollback does not walk back to the common point: it undoes every entry after its sync source's majority commit point, which a new primary may not yet have learned — past the node's own commit point",
  },
  {
    id: 'vote-for-staler-log',
    breaks: 'RB-MAJORITY-DURABLE',
    description:
      'a member grants its vote without comparing logs: a candidate missing a majority-acknowledged write is elected. Harmless with an arbiter (it votes for anyone anyway, and a w:"majority" write is on both data-bearing nodes), so it is caught with three data-bearing nodes',
    size: THREE_NODES,
  },
  {
    id: 'vote-not-durable',
    breaks: 'RB-ONE-PRIMARY-PER-TERM',
    description: 'a member keeps its last vote in memory only: restarted, it votes again in a term it already voted in, and a second node is elected in that term',
  },
  {
    id: 'consumer-keeps-rolled-back-docs',
    breaks: 'RB-CONSUMER',
    description: 'the consumer, recovering from a checkpoint that a rollback removed, only inserts the dumped documents it lacks (ignoring duplicate key errors): documents that rolled-back entries wrote keep those versions in its target',
  },
  {
    id: 'restart-clock-from-oplog',
    breaks: 'VC-MONOTONE',
    description: "a restarted data-bearing node rebuilds its vector time from its oplog (ClusterTime = its last entry's timestamp) and loses the times it had learned from gossip",
  },
] as const;

/** The role charts compiled against their implementations for a set of bugs and a topology. */
export function rollbackRoles(bugs: ReadonlySet<string>, t: Topology) {
  return {
    client: compileRole<ClientContext, ClientEvent, Message>('client', clientMachine, clientImpl()),
    node: compileRole<NodeContext, NodeEvent, Message>('node', nodeMachine, nodeImpl(bugs, t)),
    arbiter: compileRole<ArbiterContext, ArbiterEvent, Message>('arbiter', arbiterMachine, arbiterImpl(bugs)),
    consumer: compileRole<ConsumerContext, ConsumerEvent, Message>('consumer', consumerMachine, consumerImpl(bugs)),
  };
}

/**
 * The history at the start: `n1` was elected in term 1 and logged the client's insert of `a`,
 * acknowledged w:"majority" (n1 and n2 have it; n2 has not yet learned the commit point). With a
 * third data-bearing node, it lags: its oplog is empty.
 */
export const INITIAL_OPLOG: readonly OplogEntry[] = [{ ts: 1, term: 1, op: 'i', id: 'a', v: 0 }];
export const INITIAL_DOCS: Collection = [{ id: 'a', v: 0 }];

type S = RollbackState;

/** Build the model for a size (`nodes`, `arbiters`, `writes`, `maxTerm`, `consumer`, `maxLoss`, `maxDup`, `maxCrashes`). */
export function rollbackModel(size: Size, bugs: ReadonlySet<string> = new Set()): Model<S, RollbackAction> {
  const t = topology(size['nodes'] ?? 2, size['arbiters'] ?? 1);
  const roles = rollbackRoles(bugs, t);
  const maxTerm = size['maxTerm'] ?? 2;
  const withConsumer = (size['consumer'] ?? 1) > 0;
  const make = (s: S, patch: Partial<S>): S => ({
    client: patch.client ?? s.client,
    nodes: patch.nodes ?? s.nodes,
    arbiters: patch.arbiters ?? s.arbiters,
    consumer: patch.consumer ?? s.consumer,
    net: patch.net ?? s.net,
    faults: patch.faults ?? s.faults,
    primaries: patch.primaries ?? s.primaries,
  });
  const hosts: Host<S>[] = [
    { name: CLIENT, chart: roles.client, get: (s) => s.client, set: (s, snap) => make(s, { client: snap }) },
    ...t.nodes.map(
      (name, i): Host<S, NodeContext, NodeEvent> => ({
        name,
        chart: roles.node,
        get: (s) => s.nodes[i]!,
        set: (s, snap) => make(s, { nodes: replaceAt(s.nodes, i, snap) }),
        recover: (ctx) => recoverNode(ctx, bugs),
      }),
    ),
    ...t.arbiters.map(
      (name, i): Host<S, ArbiterContext, ArbiterEvent> => ({
        name,
        chart: roles.arbiter,
        get: (s) => s.arbiters[i]!,
        set: (s, snap) => make(s, { arbiters: replaceAt(s.arbiters, i, snap) }),
        recover: (ctx) => recoverVoter(ctx, bugs),
      }),
    ),
    ...(withConsumer
      ? // Not crashed: every part of its state is durable and its reads are atomic, so a restart would change nothing.
        [{ name: CONSUMER, chart: roles.consumer, get: (s: S) => s.consumer, set: (s: S, snap: RoleSnapshot<ConsumerContext>) => make(s, { consumer: snap }) } as Host<S, ConsumerContext, ConsumerEvent>]
      : []),
  ];
  const world = new World<S>(hosts, faultBounds(size), (s, net, faults) => make(s, { net, faults }));

  const primary = roles.node.indexOf('primary');
  const secondary = roles.node.indexOf('secondary');
  const candidate = roles.node.indexOf('candidate');
  const refetching = roles.node.indexOf('rollback.refetching');
  const finding = roles.node.indexOf('rollback.findingCommonPoint');
  const clientWaiting = roles.client.indexOf('waiting');
  const tailing = roles.consumer.indexOf('tailing');
  const nodeIndex = new Map(t.nodes.map((n, i) => [n, i]));

  const submits = t.nodes.map((_, node): RollbackAction => ({ kind: 'Submit', node }));
  const fetches = t.nodes.map((_, i) => t.nodes.map((_s, j): RollbackAction => ({ kind: 'Fetch', node: i, source: j })));
  const elects = t.nodes.map((_, node): RollbackAction => ({ kind: 'Elect', node }));
  const stepDowns = t.nodes.map((_, node): RollbackAction => ({ kind: 'StepDown', node }));
  const tail: RollbackAction = { kind: 'Tail' };
  const timeouts = [CLIENT, ...t.nodes].map((host): RollbackAction => ({ kind: 'Timeout', host }));
  const submitEvents = t.nodes.map((to): ClientEvent => ({ type: 'SUBMIT', to }));
  const fetchEvents = t.nodes.map((source): NodeEvent => ({ type: 'FETCH', source }));
  const ELECT: NodeEvent = { type: 'ELECT' };
  const STEP_DOWN: NodeEvent = { type: 'STEP_DOWN' };
  const TAIL: ConsumerEvent = { type: 'TAIL' };
  const TIMEOUT = { type: 'TIMEOUT' } as const;


  /**
   * The fetcher's next getMore, once its previous one is answered (or lost): a secondary fetches
   * from a primary (chaining is off) whose last optime is newer than its own; or, when that primary
   * does not know how far it has applied, to tell it (the getMore names its position). The cursor
   * awaits data: a getMore that would find nothing new and tell nothing is not sent.
   */
  const fetchEnabled = (s: S, i: number, j: number): boolean => {
    if (i === j) return false;
    const n = s.nodes[i]!;
    const src = s.nodes[j]!;
    if (n.at !== secondary || src.at !== primary || inFlight(s.net, fetchId(n.ctx.name))) return false;
    const last = lastOf(n.ctx.oplog);
    if (compareOpTime(lastOf(src.ctx.oplog), last) > 0) return true;
    if (!hasOpTime(src.ctx.oplog, last)) return false;
    const known = src.ctx.positions.find((p) => p.node === n.ctx.name);
    return known === undefined || compareOpTime(known.optime, last) < 0;
  };
  /**
   * A primary cut off from the majority steps down (its heartbeats to the members fail): the
   * members have moved on to a newer term without it. It keeps its own term (it has not heard the
   * new one).
   */
  const stepDownEnabled = (s: S, i: number): boolean => {
    const n = s.nodes[i]!;
    if (n.at !== primary) return false;
    for (const m of s.nodes) if (m.ctx.term > n.ctx.term) return true;
    for (const m of s.arbiters) if (m.ctx.term > n.ctx.term) return true;
    return false;
  };
  const electEnabled = (s: S, i: number): boolean => {
    const n = s.nodes[i]!;
    return n.at === secondary && n.ctx.minValid === null && n.ctx.term < maxTerm;
  };
  /** The consumer's tailable cursor answers when the node has entries after the checkpoint (or no longer has it). */
  const tailEnabled = (s: S): boolean => {
    const k = s.consumer;
    if (!withConsumer || k.at !== tailing || k.ctx.checkpoint === null) return false;
    const got = fetchAfter({ entries: s.nodes[0]!.ctx.oplog, rolledOver: NULL_OPTIME }, k.ctx.checkpoint);
    return typeof got === 'string' || got.length > 0;
  };
  /** A timeout fires only when what its host waits for has nothing left in flight. */
  const timeoutEnabled = (s: S, host: string): boolean => {
    if (host === CLIENT) return s.client.at === clientWaiting && !inFlight(s.net, opId(s.client.ctx.sent));
    const n = s.nodes[nodeIndex.get(host)!]!;
    if (n.at === candidate) return !inFlight(s.net, voteId(host, n.ctx.term));
    if (n.at === finding) return !inFlight(s.net, sourceOplogId(host));
    if (n.at === refetching) return !inFlight(s.net, refetchId(host));
    return false;
  };

  /** Record the elections a step won. */
  const recordElections = (before: S, after: S | undefined): S | undefined => {
    if (after === undefined || after.nodes === before.nodes) return after;
    let primaries = after.primaries;
    for (let i = 0; i < after.nodes.length; i++) {
      const n = after.nodes[i]!;
      if (n.at === primary && before.nodes[i]!.at !== primary) primaries = [...primaries, `${n.ctx.term}:${n.ctx.name}`].sort();
    }
    return primaries === after.primaries ? after : make(after, { primaries });
  };
  /**
   * Deliver at once, in this step, the messages `now` picks, and those they provoke that it picks
   * too: the client's write reaches the node its driver selected without delay; the consumer's
   * reads of the node it follows are point-in-time reads, request and reply in one step.
   */
  const deliverNow = (s: S, now: (m: Message) => boolean): S => {
    let out = s;
    for (;;) {
      const index = out.net.findIndex(now);
      if (index < 0) return out;
      const m = out.net[index]!;
      out = world.next(out, { kind: 'Deliver', index, host: m.to as string, message: m }, messageEvent)!;
    }
  };
  /** A crash closes the host's connections: what is in flight to it or from it is gone. */
  const closeConnections = (s: S, host: string): S => closeConnectionsOf(s, host, (s, net) => make(s, { net }));

  const initial: S = (() => {
    const member = (name: string, i: number): NodeContext => {
      if (i === 0) return newNode(name, INITIAL_OPLOG, INITIAL_DOCS, 1, name);
      const n = newNode(name, i === 1 ? INITIAL_OPLOG : [], i === 1 ? INITIAL_DOCS : [], 1, t.nodes[0]!);
      return { ...n, commit: NULL_OPTIME };
    };
    const nodes = t.nodes.map((name, i): RoleSnapshot<NodeContext> => (i === 0 ? { at: primary, ctx: member(name, i) } : roles.node.initial(member(name, i))));
    const clock = nodes[0]!.ctx.clock;
    return {
      client: roles.client.initial(newClient(size['writes'] ?? 1, [lastOf(INITIAL_OPLOG)])),
      nodes,
      arbiters: t.arbiters.map(() => roles.arbiter.initial(newArbiter(clock, 1, t.nodes[0]!))),
      // The consumer has done its first dump already: it tails from the last entry.
      consumer: roles.consumer.initial(newConsumer(withConsumer ? lastOf(INITIAL_OPLOG) : null, withConsumer ? INITIAL_DOCS : [])),
      net: [],
      faults: NO_FAULTS,
      primaries: [`1:${t.nodes[0]!}`],
    };
  })();
  if (!withConsumer && initial.net.length > 0) throw new Error('a model without a consumer must not start with its dump in flight');

  const inv = rollbackInvariants({
    isPrimary: (at) => at === primary,
    isRefetching: (at) => at === refetching,
    isSecondary: (at) => at === secondary,
    isTailing: (at) => at === tailing,
  });

  return {
    actionKinds: possibleKinds(ACTION_KINDS, world.bounds).filter((k) => k !== 'Tail' || withConsumer),
    invariants: [inv.converge, inv.onePrimaryPerTerm, inv.consumer, inv.vcOrder],
    stepInvariants: [inv.prefix, inv.majorityDurable, inv.vcMonotone] as StepInvariant<S, RollbackAction>[],
    init: () => [initial],

    actions(s, out) {
      world.actions(s, out as WorldAction[]);
      const mayWrite = s.client.at !== clientWaiting && s.client.ctx.sent < s.client.ctx.writes;
      for (let i = 0; i < s.nodes.length; i++) {
        if (mayWrite && s.nodes[i]!.at === primary) out.push(submits[i]!);
        for (let j = 0; j < s.nodes.length; j++) if (fetchEnabled(s, i, j)) out.push(fetches[i]![j]!);
        if (electEnabled(s, i)) out.push(elects[i]!);
        if (stepDownEnabled(s, i)) out.push(stepDowns[i]!);
      }
      if (tailEnabled(s)) out.push(tail);
      for (const a of timeouts) if (timeoutEnabled(s, (a as { host: string }).host)) out.push(a);
    },

    next(s, a) {
      switch (a.kind) {
        case 'Deliver':
        case 'Lose':
        case 'Duplicate':
          return recordElections(s, world.next(s, a, messageEvent));
        case 'Crash':
          return world.next(closeConnections(s, a.host), a, messageEvent);
        case 'Submit': {
          if (s.client.at === clientWaiting || s.nodes[a.node]!.at !== primary) return undefined;
          const sent = world.step(s, CLIENT, submitEvents[a.node]!);
          return sent === undefined ? undefined : recordElections(s, deliverNow(sent, (m) => m.kind === 'request' && m.from === CLIENT));
        }
        case 'Fetch':
          return fetchEnabled(s, a.node, a.source) ? world.step(s, t.nodes[a.node]!, fetchEvents[a.source]!) : undefined;
        case 'Elect':
          return electEnabled(s, a.node) ? recordElections(s, world.step(s, t.nodes[a.node]!, ELECT)) : undefined;
        case 'StepDown':
          return stepDownEnabled(s, a.node) ? world.step(s, t.nodes[a.node]!, STEP_DOWN) : undefined;
        case 'Tail': {
          if (!tailEnabled(s)) return undefined;
          const asked = world.step(s, CONSUMER, TAIL);
          return asked === undefined ? undefined : deliverNow(asked, (m) => m.from === CONSUMER || m.to === CONSUMER);
        }
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
        case 'Fetch':
          return `Fetch(${t.nodes[a.node]}←${t.nodes[a.source]})`;
        case 'Submit':
          return `Submit(${t.nodes[a.node]})`;
        case 'Elect':
        case 'StepDown':
          return `${a.kind}(${t.nodes[a.node]})`;
        case 'Timeout':
          return `Timeout(${a.host})`;
        default:
          return a.kind;
      }
    },

    view: (s) => viewOf(s, roles, withConsumer),

    message: (a) => (a.kind === 'Deliver' ? a.message : null),
  };
}

const opTimeView = (o: OpTime | null) => (o === null ? null : { ts: toTimestamp(o.ts), t: o.term });
const entryView = (e: OplogEntry) => (e.op === 'n' ? `noop @${e.ts}/t${e.term}` : `${e.op} ${e.id}=${e.v} @${e.ts}/t${e.term}`);

/** The per-role view of a state in traces, with timestamps as BSON Timestamps. */
function viewOf(s: S, roles: ReturnType<typeof rollbackRoles>, withConsumer: boolean): Record<string, unknown> {
  const view: Record<string, unknown> = {
    client: { state: roles.client.configs[s.client.at]!.name, clusterTime: toTimestamp(s.client.ctx.clusterTime), sent: s.client.ctx.sent, acked: s.client.ctx.acked.map(opTimeView) },
  };
  for (const n of s.nodes) {
    const c = n.ctx;
    view[c.name] = {
      state: roles.node.configs[n.at]!.name,
      ...vectorTimeView(c.clock),
      term: c.term,
      lastVote: { term: c.votedTerm, for: c.votedFor },
      oplog: c.oplog.map(entryView),
      docs: c.docs,
      commitPoint: opTimeView(c.commit),
      minValid: opTimeView(c.minValid),
      syncSource: c.source,
      ...(c.positions.length > 0 ? { positions: c.positions.map((p) => ({ node: p.node, optime: opTimeView(p.optime) })) } : {}),
      ...(c.rollback !== null ? { rollback: { commonPoint: opTimeView(c.rollback.point), undo: c.rollback.undone.map(entryView) } } : {}),
    };
  }
  for (const x of s.arbiters) view[x.ctx.name] = { state: roles.arbiter.configs[x.at]!.name, ...vectorTimeView(x.ctx.clock), term: x.ctx.term, lastVote: { term: x.ctx.votedTerm, for: x.ctx.votedFor } };
  if (withConsumer) view[CONSUMER] = { state: roles.consumer.configs[s.consumer.at]!.name, follows: FOLLOWED, checkpoint: opTimeView(s.consumer.ctx.checkpoint), target: s.consumer.ctx.target };
  view['elected'] = s.primaries;
  view['network'] = s.net.map(describeMessage);
  return view;
}

export const rollback: ModelDefinition = {
  name: 'rollback',
  summary: 'a primary cut off with unreplicated writes rolls them back to the common point after a new primary is elected; an oplog consumer recovers',
  sizeParams: {
    nodes: { description: 'data-bearing members (n1, n2, n3)', min: 2, max: 3 },
    arbiters: { description: 'arbiters (voting members without data)', min: 0, max: 1 },
    writes: { description: 'client writes (increment a w:"majority", then insert b w:1)', min: 0, max: 2 },
    maxTerm: { description: 'the highest term an election may reach (n1 is primary of term 1 at the start)', min: 1, max: 4 },
    consumer: { description: "1: an oplog-tailing consumer follows n1's oplog", min: 0, max: 1 },
    ...FAULT_SIZE_PARAMS,
  },
  sizes: {
    default: { nodes: 2, arbiters: 1, writes: 1, maxTerm: 2, consumer: 1, maxLoss: 1, maxDup: 0, maxCrashes: 1 },
    large: { nodes: 2, arbiters: 1, writes: 2, maxTerm: 2, consumer: 1, maxLoss: 0, maxDup: 0, maxCrashes: 1 },
  },
  invariants: (() => {
    const inv = rollbackInvariants({ isPrimary: () => false, isRefetching: () => false, isSecondary: () => false, isTailing: () => false });
    return [inv.prefix, inv.converge, inv.majorityDurable, inv.onePrimaryPerTerm, inv.consumer, inv.vcOrder, inv.vcMonotone].map(({ id, description }) => ({ id, description }));
  })(),
  bugs: ROLLBACK_BUGS,
  roles: [
    { name: 'node', summary: 'a data-bearing member: secondary (fetch, apply, report), rollback (common point, refetch, truncate), candidate, primary (writes, commit point)', machine: nodeMachine, viewKeys: (k) => /^n\d+$/.test(k) },
    { name: 'arbiter', summary: 'a voting member without data: one durable vote per term', machine: arbiterMachine },
    { name: 'client', summary: 'a client: one write at a time, w:1 or w:"majority"', machine: clientMachine },
    { name: 'consumer', summary: 'an oplog-tailing consumer with a durable checkpoint: dump, tail, re-dump when its checkpoint is rolled back', machine: consumerMachine },
  ],
  build: (size, bugs) => rollbackModel(size, bugs) as unknown as Model,
};
