/**
 * Replica-set rollback (seed 001, "Replica Set Rollback", "Background Sync Threads", "Sync Source
 * Feedback"; seed 004, the oplog-tailing connector; DESIGN § 4.3): the data and pure functions of
 * its roles — data-bearing nodes with terms and elections, an arbiter (a voter without data), a
 * client writing with w:1 and w:"majority", and an oplog-tailing consumer with a durable
 * checkpoint. The charts are in `machines/rollback/`; the composition is `protocols/rollback.ts`.
 *
 * A node's steps, and where they live here ({@link nodeImpl}):
 * - as a secondary, fetch the oplog from the primary and apply it (`requestBatch`, `applyBatch`),
 *   learning the primary's term and majority commit point; each getMore tells the primary how far
 *   it has applied (sync-source feedback);
 * - as a candidate, vote for itself in a new term and ask the other voters (`startElection`,
 *   `requestVotes`); a voter grants one vote per term, durably, and only to a candidate whose
 *   last optime is at least its own (`castVote`); a majority makes it primary, which logs a no-op;
 * - as a primary, take writes (`applyClientWrite`), advance the majority commit point from the
 *   secondaries' positions (`recordPosition`) and acknowledge w:"majority" writes behind it;
 * - when the primary's oplog does not have the fetcher's last entry (`OplogDiverged`), roll back:
 *   read the source's oplog and walk back to the common point (`findCommonPoint`, timestamp and
 *   term), refetch the documents the undone entries touched, truncate the oplog after the common
 *   point (`completeRollback`) and stay unelectable until it has applied up to the source's position
 *   at the refetch (`minValid`).
 *
 * @module
 */
import type { LogicalTime, VectorTime } from './logical-time.js';
import { advance, externalGossip, internalGossip, vectorTime } from './logical-time.js';
import type { Collection, OplogEntry, OpTime, WriteOp } from './replication/index.js';
import { applyEntry, compareOpTime, executeWrite, fetchAfter, findDoc, NULL_OPTIME, sameOpTime, upsertDoc } from './replication/index.js';
import type { OpTimeMatch } from './replication/rollback.js';
import { commonPoint, entriesAfter, refetchAffected, truncateAfter, affectedIds } from './replication/rollback.js';
import type { Message, RemoteRequest, RemoteResponse, Status } from './world/network.js';
import { request, respond } from './world/network.js';
import type { MessageEvent } from './world/events.js';
import { requestOf, responseOf } from './world/events.js';

/** Host names. */
export const CLIENT = 'client';
export const CONSUMER = 'consumer';
export const ARBITER = 'arbiter';
export const nodeName = (i: number): string => `n${i + 1}`;
/** The node the consumer follows (the primary it connected to when it started). */
export const FOLLOWED = nodeName(0);

export const OPLOG_COLLECTION = 'local.oplog.rs';
export const DATA_COLLECTION = 'test.docs';

/** The seeded bugs of rollback (descriptions in `protocols/rollback.ts`). */
export type RollbackBug =
  | 'common-point-by-timestamp'
  | 'undo-inserts-without-refetch'
  | 'vote-for-staler-log'
  | 'rollback-past-majority-commit'
  | 'consumer-keeps-rolled-back-docs'
  | 'vote-not-durable'
  | 'restart-clock-from-oplog';

type Bugs = ReadonlySet<string>;

/** The members of the replica set: data-bearing nodes and arbiters (every member votes). */
export interface Topology {
  readonly nodes: readonly string[];
  readonly arbiters: readonly string[];
}

export function topology(nodes: number, arbiters: number): Topology {
  return { nodes: Array.from({ length: nodes }, (_, i) => nodeName(i)), arbiters: arbiters > 0 ? [ARBITER] : [] };
}

/** How many members make a majority (of votes, and of data-bearing members for w:"majority"). */
export const majorityOf = (t: Topology): number => Math.floor((t.nodes.length + t.arbiters.length) / 2) + 1;

export type { MessageEvent } from './world/events.js';
export { messageEventByCommand as messageEvent } from './world/events.js';

const isResponse = (e: { readonly type: string }): e is MessageEvent => e.type === 'response' && 'msg' in e;
/** Whether the event carries a message (a bare `{ type }` of a message event changes nothing: graph traversals send those). */
const hasMsg = (e: { readonly type: string }): e is MessageEvent => 'msg' in e && (e as MessageEvent).msg !== undefined;

/** The optime of the last entry of an oplog ({@link NULL_OPTIME} when empty). */
export function lastOf(oplog: readonly OplogEntry[]): OpTime {
  const e = oplog[oplog.length - 1];
  return e === undefined ? NULL_OPTIME : { ts: e.ts, term: e.term };
}

/** Whether the oplog has the entry at `t` (timestamp and term). */
export function hasOpTime(oplog: readonly OplogEntry[], t: OpTime): boolean {
  if (t.ts === 0 && t.term === 0) return true;
  for (const e of oplog) if (e.ts === t.ts && e.term === t.term) return true;
  return false;
}

const asOplog = (entries: readonly OplogEntry[]) => ({ entries, rolledOver: NULL_OPTIME });

// ------------------------------------------------------------------------------------------ client

/** A client write: the operation and its write concern. */
export interface ClientWrite extends WriteOp {
  readonly w: 1 | 'majority';
}

/**
 * The client's writes, in order: increment `a` with w:"majority", then insert `b` with w:1. The
 * first may be acknowledged by a majority and must then survive every rollback; either may be
 * written by a primary that is cut off, and then rolled back.
 */
export const CLIENT_WRITES: readonly ClientWrite[] = [
  { op: 'u', id: 'a', w: 'majority' },
  { op: 'i', id: 'b', w: 1 },
];

/** A client: its writes one at a time, each to the node its driver selected as primary (a stale view may pick an old primary). */
export interface ClientContext {
  readonly clusterTime: LogicalTime;
  /** How many of {@link CLIENT_WRITES} it writes. */
  readonly writes: number;
  /** How many it has sent. */
  readonly sent: number;
  /** The optimes of its w:"majority" writes that were acknowledged. */
  readonly acked: readonly OpTime[];
}

/** `SUBMIT`: the next write, to the node the driver selected as primary. */
export type ClientEvent = { readonly type: 'SUBMIT'; readonly to: string } | MessageEvent | { readonly type: 'TIMEOUT' };

export const opId = (n: number): string => `op${n}`;

/** A client with `writes` writes to make, whose earlier w:"majority" writes at `acked` were acknowledged. */
export function newClient(writes: number, acked: readonly OpTime[] = []): ClientContext {
  return { clusterTime: 0, writes, sent: 0, acked };
}

/** What a primary answers an acknowledged write: its optime. */
export interface WriteReply {
  readonly optime: OpTime;
}

export function clientImpl() {
  return {
    guards: {
      hasBudget: (ctx: ClientContext) => ctx.sent < ctx.writes,
      isCurrentReply: (ctx: ClientContext, e: ClientEvent) => isResponse(e) && e.msg.id === opId(ctx.sent),
    },
    updates: {
      startOp: (ctx: ClientContext): ClientContext => ({ ...ctx, sent: ctx.sent + 1 }),
      learnAck: (ctx: ClientContext, e: ClientEvent): ClientContext => {
        const res = responseOf(e as MessageEvent);
        const clusterTime = Math.max(ctx.clusterTime, res.gossip.$clusterTime);
        const majority = res.status === 'ok' && CLIENT_WRITES[ctx.sent - 1]!.w === 'majority';
        if (!majority) return clusterTime === ctx.clusterTime ? ctx : { ...ctx, clusterTime };
        const o = (res.data as WriteReply).optime;
        return { ...ctx, clusterTime, acked: [...ctx.acked, { ts: o.ts, term: o.term }] };
      },
    },
    effects: {
      sendWrite: (ctx: ClientContext, e: ClientEvent): readonly Message[] => {
        if (e.type !== 'SUBMIT') return [];
        const w = CLIENT_WRITES[ctx.sent - 1]!;
        return [request(opId(ctx.sent), CLIENT, (e as { readonly to: string }).to, { name: 'write', op: w.op, id: w.id, w: w.w }, externalGossip(ctx.clusterTime))];
      },
    },
  };
}

// ------------------------------------------------------------------------------------------ voting

/** What every voter keeps: its term and its last vote (both durable), and its vector time. */
export interface VoterContext {
  readonly name: string;
  readonly clock: VectorTime;
  readonly term: number;
  /** The term of its last vote, and for whom. */
  readonly votedTerm: number;
  readonly votedFor: string | null;
}

/** A `replSetRequestVotes` command. */
export interface VoteRequest {
  readonly name: 'replSetRequestVotes';
  readonly term: number;
  readonly candidate: string;
  /** The candidate's last optime. */
  readonly last: OpTime;
  readonly [arg: string]: unknown;
}

/** The answer to a vote request. */
export interface VoteReply {
  readonly term: number;
  readonly granted: boolean;
}

/** The term a message carries (a request's `term`, a response's `data.term`), or 0. */
export function termOf(msg: Message): number {
  if (msg.kind === 'request') return typeof msg.cmd['term'] === 'number' ? (msg.cmd['term'] as number) : 0;
  const d = msg.data as { term?: unknown } | null;
  return d !== null && typeof d === 'object' && typeof d.term === 'number' ? d.term : 0;
}

/**
 * A voter's answer to a vote request: a newer term is adopted; one vote per term; with `checkLog`,
 * only for a candidate whose last optime is at least `myLast` (the candidate's log is at least as
 * up to date).
 */
export function castVote<C extends VoterContext>(ctx: C, req: VoteRequest, myLast: OpTime, checkLog: boolean): C {
  let c = ctx;
  if (req.term > c.term) c = { ...c, term: req.term };
  if (req.term < c.term || c.votedTerm >= req.term) return c;
  if (checkLog && compareOpTime(req.last, myLast) < 0) return c;
  return { ...c, votedTerm: req.term, votedFor: req.candidate };
}

function voterImpl<C extends VoterContext>(myLast: (ctx: C) => OpTime, bugs: Bugs) {
  const checkLog = !bugs.has('vote-for-staler-log');
  return {
    acceptGossip: (ctx: C, e: { readonly type: string }): C => {
      if (!hasMsg(e)) return ctx;
      const clock = advance(ctx.clock, (e as MessageEvent).msg.gossip);
      return clock === ctx.clock ? ctx : { ...ctx, clock };
    },
    castVote: (ctx: C, e: { readonly type: string }): C => (!hasMsg(e) ? ctx : castVote(ctx, requestOf(e).cmd as VoteRequest, myLast(ctx), checkLog)),
    replyVote: (ctx: C, e: { readonly type: string }): readonly Message[] => {
      if (!hasMsg(e)) return [];
      const req = requestOf(e as MessageEvent);
      const cmd = req.cmd as VoteRequest;
      const granted = ctx.votedTerm === cmd.term && ctx.votedFor === cmd.candidate;
      return [respond(req, ctx.name, 'ok', { term: ctx.term, granted } satisfies VoteReply, internalGossip(ctx.clock))];
    },
  };
}

/** A voter after a restart: its term and last vote are durable; under `vote-not-durable` the vote is forgotten. */
export function recoverVoter<C extends VoterContext>(ctx: C, bugs: Bugs): C {
  return bugs.has('vote-not-durable') && ctx.votedTerm !== 0 ? { ...ctx, votedTerm: 0, votedFor: null } : ctx;
}

// ----------------------------------------------------------------------------------------- arbiter

/** An arbiter: a voter with no data (its last optime is the null optime: it votes for any candidate). */
export type ArbiterContext = VoterContext;
export type ArbiterEvent = MessageEvent;

export function newArbiter(clock: VectorTime, term: number, votedFor: string | null): ArbiterContext {
  return { name: ARBITER, clock, term, votedTerm: votedFor === null ? 0 : term, votedFor };
}

export function arbiterImpl(bugs: Bugs) {
  const v = voterImpl<ArbiterContext>(() => NULL_OPTIME, bugs);
  return {
    guards: {},
    updates: { acceptGossip: v.acceptGossip, castVote: v.castVote },
    effects: { replyVote: v.replyVote },
  };
}

// ------------------------------------------------------------------------------------ data node

/** A secondary's last position as its primary knows it (sync-source feedback). */
export interface Position {
  readonly node: string;
  readonly optime: OpTime;
}

/** A w:"majority" write waiting for the commit point, and whom to answer. */
export interface AwaitingAck {
  readonly id: string;
  readonly to: string;
  readonly optime: OpTime;
}

/** A rollback between its two reads from the sync source: the common point and the entries to undo. */
export interface RollbackProgress {
  readonly point: OpTime;
  readonly undone: readonly OplogEntry[];
}

/**
 * A data-bearing node. Durable: its vector time, term and last vote, oplog, documents, majority
 * commit point and `minValid` (the source's position at a rollback's refetch: the node is
 * inconsistent, and unelectable, until it has applied up to it). Volatile: whether it is primary
 * (a restarted node is a secondary), its sync source, what it knows of the secondaries'
 * positions, the writes waiting for w:"majority", the votes it collected, a rollback in progress.
 */
export interface NodeContext extends VoterContext {
  readonly oplog: readonly OplogEntry[];
  readonly docs: Collection;
  readonly commit: OpTime;
  readonly minValid: OpTime | null;
  readonly source: string | null;
  readonly positions: readonly Position[];
  readonly waiting: readonly AwaitingAck[];
  readonly votes: readonly string[];
  readonly rollback: RollbackProgress | null;
}

export type NodeEvent =
  | MessageEvent
  | { readonly type: 'FETCH'; readonly source: string }
  | { readonly type: 'ELECT' }
  | { readonly type: 'STEP_DOWN' }
  | { readonly type: 'TIMEOUT' };

/** A node of a set whose history so far is `oplog` (written in `term`, every member voted for `votedFor`). */
export function newNode(name: string, oplog: readonly OplogEntry[], docs: Collection, term: number, votedFor: string | null): NodeContext {
  const last = lastOf(oplog);
  return {
    name,
    clock: vectorTime(last.ts, 0, 0),
    term,
    votedTerm: votedFor === null ? 0 : term,
    votedFor,
    oplog,
    docs,
    commit: last,
    minValid: null,
    source: null,
    positions: [],
    waiting: [],
    votes: [],
    rollback: null,
  };
}

/**
 * A restarted node: durable state kept, volatile state lost (it comes back a secondary). Under
 * `restart-clock-from-oplog` its vector time is rebuilt from its oplog (ClusterTime = its last
 * entry's timestamp): the times it had only learned from gossip are lost.
 */
export function recoverNode(ctx: NodeContext, bugs: Bugs): NodeContext {
  const c = recoverVoter(ctx, bugs);
  const clock = bugs.has('restart-clock-from-oplog') ? vectorTime(lastOf(c.oplog).ts, 0, 0) : c.clock;
  return { ...c, clock, source: null, positions: [], waiting: [], votes: [], rollback: null };
}

/** The exchange ids of a node: one per kind of request. */
export const fetchId = (node: string): string => `${node}:fetch`;
export const sourceOplogId = (node: string): string => `${node}:rb-oplog`;
export const refetchId = (node: string): string => `${node}:rb-refetch`;
export const voteId = (node: string, term: number): string => `${node}:vote${term}`;

/** The data of a `getMore` reply: the entries after `after`, the source's term and majority commit point. */
export interface BatchReply {
  readonly after: OpTime;
  readonly entries: readonly OplogEntry[];
  readonly term: number;
  readonly commit: OpTime;
}
/** The data of the reply to the rollback's read of the source's oplog (newest first, in MongoDB; oldest first here). */
export interface SourceOplogReply {
  readonly entries: readonly OplogEntry[];
  readonly term: number;
  readonly commit: OpTime;
}
/** The data of a `find` on the collection: the documents (those asked for, or all) and the source's last optime at the read. */
export interface DocsReply {
  readonly docs: Collection;
  readonly last: OpTime;
}

function insertSorted<T>(xs: readonly T[], x: T, key: (t: T) => string): readonly T[] {
  const k = key(x);
  const out = xs.filter((y) => key(y) !== k);
  out.push(x);
  out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return out;
}

export function nodeImpl(bugs: Bugs, t: Topology) {
  const match: OpTimeMatch = bugs.has('common-point-by-timestamp') ? 'timestamp-only' : 'timestamp-and-term';
  const refetchUpdates = !bugs.has('undo-inserts-without-refetch');
  const toSourceCommit = bugs.has('rollback-past-majority-commit');
  const majority = majorityOf(t);
  const v = voterImpl<NodeContext>((ctx) => lastOf(ctx.oplog), bugs);
  const send = (ctx: NodeContext, id: string, to: string, cmd: RemoteRequest['cmd']): Message => request(id, ctx.name, to, cmd, internalGossip(ctx.clock));
  const reply = (ctx: NodeContext, e: NodeEvent, data: unknown, status: Status = 'ok'): Message => respond(requestOf(e as MessageEvent), ctx.name, status, data, internalGossip(ctx.clock));
  const okResponse = (e: NodeEvent, id: string): RemoteResponse | null => {
    if (!isResponse(e)) return null;
    const res = responseOf(e);
    return res.id === id ? res : null;
  };
  const batchResponse = (ctx: NodeContext, e: NodeEvent, status: Status): boolean => {
    const res = okResponse(e, fetchId(ctx.name));
    return res !== null && res.status === status && sameOpTime((res.data as BatchReply).after, lastOf(ctx.oplog));
  };
  /** The newest entry of the primary's term that a majority of data-bearing members has (the primary itself included). */
  const majorityCommit = (ctx: NodeContext): OpTime => {
    for (let i = ctx.oplog.length - 1; i >= 0; i--) {
      const e = ctx.oplog[i]!;
      if (compareOpTime(e, ctx.commit) <= 0) break;
      if (e.term !== ctx.term) continue;
      let have = 1;
      for (const p of ctx.positions) if (compareOpTime(p.optime, e) >= 0) have++;
      if (have >= majority) return { ts: e.ts, term: e.term };
    }
    return ctx.commit;
  };
  const tick = (ctx: NodeContext): number => ctx.clock.cluster + 1;

  return {
    guards: {
      isNewerTerm: (ctx: NodeContext, e: NodeEvent) => 'msg' in e && termOf(e.msg) > ctx.term,
      isConsistent: (ctx: NodeContext) => ctx.minValid === null,
      /** The reply to the fetcher's last getMore: the entries after its last applied one. */
      isBatch: (ctx: NodeContext, e: NodeEvent) => batchResponse(ctx, e, 'ok'),
      /** The source has no entry with the fetcher's last optime: our oplog diverged from it. */
      isDiverged: (ctx: NodeContext, e: NodeEvent) => batchResponse(ctx, e, 'OplogDiverged'),
      isSourceOplog: (ctx: NodeContext, e: NodeEvent) => okResponse(e, sourceOplogId(ctx.name))?.status === 'ok',
      isRefetched: (ctx: NodeContext, e: NodeEvent) => ctx.rollback !== null && okResponse(e, refetchId(ctx.name))?.status === 'ok',
      isVote: (ctx: NodeContext, e: NodeEvent) => {
        const res = okResponse(e, voteId(ctx.name, ctx.term));
        return res !== null && (res.data as VoteReply).term === ctx.term && (res.data as VoteReply).granted;
      },
      hasMajority: (ctx: NodeContext) => ctx.votes.length >= majority,
    },
    updates: {
      acceptGossip: v.acceptGossip,
      castVote: v.castVote,
      adoptTerm: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const term = 'msg' in e ? termOf(e.msg) : 0;
        return term > ctx.term ? { ...ctx, term } : ctx;
      },
      chooseSource: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const source = (e as { source: string }).source;
        return ctx.source === source ? ctx : { ...ctx, source };
      },
      /** Apply a fetched batch; learn the source's term and, when our oplog has it, its commit point. */
      applyBatch: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const b = responseOf(e as MessageEvent).data as BatchReply;
        const oplog = b.entries.length === 0 ? ctx.oplog : [...ctx.oplog, ...b.entries];
        const docs = b.entries.reduce(applyEntry, ctx.docs);
        const last = lastOf(oplog);
        const commit = compareOpTime(b.commit, ctx.commit) > 0 && hasOpTime(oplog, b.commit) ? b.commit : ctx.commit;
        const minValid = ctx.minValid !== null && compareOpTime(last, ctx.minValid) >= 0 ? null : ctx.minValid;
        const term = Math.max(ctx.term, b.term);
        if (oplog === ctx.oplog && commit === ctx.commit && minValid === ctx.minValid && term === ctx.term) return ctx;
        return { ...ctx, oplog, docs, commit, minValid, term };
      },
      /** Walk back over our oplog to the newest entry the source also has (timestamp and term). */
      findCommonPoint: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const r = responseOf(e as MessageEvent).data as SourceOplogReply;
        const point = toSourceCommit ? r.commit : (commonPoint(ctx.oplog, asOplog(r.entries), match) ?? NULL_OPTIME);
        return { ...ctx, term: Math.max(ctx.term, r.term), rollback: { point, undone: entriesAfter(ctx.oplog, point) } };
      },
      /** Undo: each affected document takes the source's version; truncate after the common point; inconsistent until minValid. */
      completeRollback: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const r = responseOf(e as MessageEvent).data as DocsReply;
        const rb = ctx.rollback!;
        const oplog = truncateAfter(ctx.oplog, rb.point);
        const last = lastOf(oplog);
        return {
          ...ctx,
          docs: refetchAffected(ctx.docs, rb.undone, r.docs, refetchUpdates),
          oplog,
          commit: hasOpTime(oplog, ctx.commit) ? ctx.commit : last,
          minValid: compareOpTime(r.last, last) > 0 ? r.last : null,
          rollback: null,
        };
      },
      abandonRollback: (ctx: NodeContext): NodeContext => (ctx.rollback === null ? ctx : { ...ctx, rollback: null }),
      /** A new term: vote for itself (durably). */
      startElection: (ctx: NodeContext): NodeContext => ({ ...ctx, term: ctx.term + 1, votedTerm: ctx.term + 1, votedFor: ctx.name, votes: [ctx.name], source: null }),
      countVote: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        const from = (e as MessageEvent).msg.from;
        return ctx.votes.includes(from) ? ctx : { ...ctx, votes: [...ctx.votes, from].sort() };
      },
      loseElection: (ctx: NodeContext): NodeContext => (ctx.votes.length === 0 ? ctx : { ...ctx, votes: [] }),
      /** A new primary logs a no-op in its term (so that its term has an entry to commit). */
      stepUp: (ctx: NodeContext): NodeContext => {
        const ts = tick(ctx);
        const noop: OplogEntry = { ts, term: ctx.term, op: 'n', id: '', v: 0 };
        return { ...ctx, clock: vectorTime(ts, ctx.clock.config, ctx.clock.topology), oplog: [...ctx.oplog, noop], positions: [], waiting: [], votes: [], source: null };
      },
      stepDown: (ctx: NodeContext): NodeContext => (ctx.positions.length === 0 && ctx.waiting.length === 0 && ctx.votes.length === 0 ? ctx : { ...ctx, positions: [], waiting: [], votes: [] }),
      /** Run a client write: a change ticks ClusterTime and is logged at it; a w:"majority" write waits for the commit point. */
      applyClientWrite: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        if (!hasMsg(e)) return ctx;
        const req = requestOf(e as MessageEvent);
        const ts = tick(ctx);
        const done = executeWrite(ctx.docs, { op: req.cmd['op'] as WriteOp['op'], id: req.cmd['id'] as string }, { ts, term: ctx.term });
        const c: NodeContext = done === null ? ctx : { ...ctx, clock: vectorTime(ts, ctx.clock.config, ctx.clock.topology), docs: done.docs, oplog: [...ctx.oplog, done.entry] };
        if (req.cmd['w'] !== 'majority' || c.waiting.some((w) => w.id === req.id)) return c;
        return { ...c, waiting: [...c.waiting, { id: req.id, to: req.from, optime: lastOf(c.oplog) }] };
      },
      /**
       * Sync-source feedback: a member's getMore names the last entry it applied (the position of
       * its oplog cursor, advanced only once a batch is applied: the seed's "ghost cursor"); on our
       * branch it is that member's position, and the commit point follows the majority.
       */
      recordPosition: (ctx: NodeContext, e: NodeEvent): NodeContext => {
        if (!hasMsg(e)) return ctx;
        const req = requestOf(e as MessageEvent);
        const applied = req.cmd['after'] as OpTime;
        if (!t.nodes.includes(req.from) || !hasOpTime(ctx.oplog, applied)) return ctx;
        const known = ctx.positions.find((p) => p.node === req.from);
        if (known !== undefined && compareOpTime(known.optime, applied) >= 0) return ctx;
        const c = { ...ctx, positions: insertSorted(ctx.positions, { node: req.from, optime: applied }, (p) => p.node) };
        const commit = majorityCommit(c);
        return commit === c.commit ? c : { ...c, commit };
      },
      forgetAcknowledged: (ctx: NodeContext): NodeContext => {
        const waiting = ctx.waiting.filter((w) => compareOpTime(w.optime, ctx.commit) > 0);
        return waiting.length === ctx.waiting.length ? ctx : { ...ctx, waiting };
      },
    },
    effects: {
      replyVote: v.replyVote,
      requestVotes: (ctx: NodeContext): readonly Message[] => {
        const last = lastOf(ctx.oplog);
        return [...t.nodes.filter((n) => n !== ctx.name), ...t.arbiters].map((to) =>
          send(ctx, voteId(ctx.name, ctx.term), to, { name: 'replSetRequestVotes', term: ctx.term, candidate: ctx.name, last } satisfies VoteRequest),
        );
      },
      requestBatch: (ctx: NodeContext): readonly Message[] =>
        ctx.source === null ? [] : [send(ctx, fetchId(ctx.name), ctx.source, { name: 'getMore', collection: OPLOG_COLLECTION, after: lastOf(ctx.oplog), term: ctx.term })],
      requestSourceOplog: (ctx: NodeContext): readonly Message[] =>
        ctx.source === null ? [] : [send(ctx, sourceOplogId(ctx.name), ctx.source, { name: 'find', collection: OPLOG_COLLECTION, sort: { $natural: -1 } })],
      requestRefetch: (ctx: NodeContext): readonly Message[] =>
        ctx.source === null || ctx.rollback === null ? [] : [send(ctx, refetchId(ctx.name), ctx.source, { name: 'find', collection: DATA_COLLECTION, ids: affectedIds(ctx.rollback.undone) })],
      /** A getMore on the oplog (a secondary's fetcher, the consumer's tailable cursor): the entries after `after`, or why not. */
      serveOplog: (ctx: NodeContext, e: NodeEvent): readonly Message[] => {
        if (!hasMsg(e)) return [];
        const after = requestOf(e as MessageEvent).cmd['after'] as OpTime;
        const got = fetchAfter(asOplog(ctx.oplog), after);
        const status: Status = typeof got === 'string' ? got : 'ok';
        return [reply(ctx, e, { after, entries: typeof got === 'string' ? [] : got, term: ctx.term, commit: ctx.commit } satisfies BatchReply, status)];
      },
      /** A find: on the oplog (a rollback reads the source's), or on the collection (some documents by `_id`, or all of them). */
      serveFind: (ctx: NodeContext, e: NodeEvent): readonly Message[] => {
        if (!hasMsg(e)) return [];
        const cmd = requestOf(e as MessageEvent).cmd;
        if (cmd['collection'] === OPLOG_COLLECTION) return [reply(ctx, e, { entries: ctx.oplog, term: ctx.term, commit: ctx.commit } satisfies SourceOplogReply)];
        const ids = cmd['ids'] as readonly string[] | undefined;
        const docs = ids === undefined ? ctx.docs : ctx.docs.filter((d) => ids.includes(d.id));
        return [reply(ctx, e, { docs, last: lastOf(ctx.oplog) } satisfies DocsReply)];
      },
      replyNotPrimary: (ctx: NodeContext, e: NodeEvent): readonly Message[] => (!hasMsg(e) ? [] : [respond(requestOf(e as MessageEvent), ctx.name, 'NotPrimary', null, externalGossip(ctx.clock.cluster))]),
      /** A w:1 write is acknowledged at once. */
      replyWrite: (ctx: NodeContext, e: NodeEvent): readonly Message[] => {
        if (!hasMsg(e)) return [];
        const req = requestOf(e as MessageEvent);
        if (req.cmd['w'] === 'majority') return [];
        return [respond(req, ctx.name, 'ok', { optime: lastOf(ctx.oplog) } satisfies WriteReply, externalGossip(ctx.clock.cluster))];
      },
      /** Answer every w:"majority" write the commit point has reached. */
      replyAcknowledged: (ctx: NodeContext): readonly Message[] =>
        ctx.waiting
          .filter((w) => compareOpTime(w.optime, ctx.commit) <= 0)
          .map((w): Message => ({ kind: 'response', id: w.id, from: ctx.name, to: w.to, status: 'ok', data: { optime: w.optime } satisfies WriteReply, gossip: externalGossip(ctx.clock.cluster) })),
    },
  };
}

// ---------------------------------------------------------------------------------------- consumer

/**
 * The oplog-tailing consumer (seed 004's connector): it dumps the collection into its target,
 * then tails the oplog of the node it follows with a tailable cursor, applying each entry to the
 * target and saving the entry's optime as its checkpoint. The checkpoint and the target are
 * durable (the progress file, the target system); its ClusterTime is its driver's, in memory.
 */
export interface ConsumerContext {
  readonly clusterTime: LogicalTime;
  readonly checkpoint: OpTime | null;
  readonly target: Collection;
}

export type ConsumerEvent = MessageEvent | { readonly type: 'TAIL' };

export const TAIL_ID = `${CONSUMER}:tail`;
export const DUMP_ID = `${CONSUMER}:dump`;

export function newConsumer(checkpoint: OpTime | null, target: Collection): ConsumerContext {
  return { clusterTime: 0, checkpoint, target };
}

export function consumerImpl(bugs: Bugs) {
  const keepDocs = bugs.has('consumer-keeps-rolled-back-docs');
  const tailResponse = (ctx: ConsumerContext, e: ConsumerEvent, status: Status): boolean => {
    if (!isResponse(e) || e.msg.id !== TAIL_ID || ctx.checkpoint === null) return false;
    const res = responseOf(e);
    return res.status === status && sameOpTime((res.data as BatchReply).after, ctx.checkpoint);
  };
  const send = (ctx: ConsumerContext, id: string, cmd: RemoteRequest['cmd']): Message => request(id, CONSUMER, FOLLOWED, cmd, externalGossip(ctx.clusterTime));
  return {
    guards: {
      hasCheckpoint: (ctx: ConsumerContext) => ctx.checkpoint !== null,
      isDump: (_ctx: ConsumerContext, e: ConsumerEvent) => isResponse(e) && e.msg.id === DUMP_ID && (e.msg as RemoteResponse).status === 'ok',
      isEntries: (ctx: ConsumerContext, e: ConsumerEvent) => tailResponse(ctx, e, 'ok'),
      /** The node no longer has the checkpoint's entry: it was rolled back. */
      isCheckpointGone: (ctx: ConsumerContext, e: ConsumerEvent) => tailResponse(ctx, e, 'OplogDiverged'),
    },
    updates: {
      learnTime: (ctx: ConsumerContext, e: ConsumerEvent): ConsumerContext => {
        const clusterTime = Math.max(ctx.clusterTime, (e as MessageEvent).msg.gossip.$clusterTime);
        return clusterTime === ctx.clusterTime ? ctx : { ...ctx, clusterTime };
      },
      /**
       * The dump's documents replace the target, and its position becomes the checkpoint. Under
       * `consumer-keeps-rolled-back-docs` the dump only inserts (a duplicate key error is ignored):
       * documents the target has keep their version, and those the dump no longer has stay.
       */
      storeDump: (ctx: ConsumerContext, e: ConsumerEvent): ConsumerContext => {
        const r = responseOf(e as MessageEvent).data as DocsReply;
        const target = keepDocs ? r.docs.reduce((t, d) => (findDoc(t, d.id) === undefined ? upsertDoc(t, d) : t), ctx.target) : r.docs;
        return { ...ctx, target, checkpoint: r.last };
      },
      applyEntries: (ctx: ConsumerContext, e: ConsumerEvent): ConsumerContext => {
        const b = responseOf(e as MessageEvent).data as BatchReply;
        if (b.entries.length === 0) return ctx;
        return { ...ctx, target: b.entries.reduce(applyEntry, ctx.target), checkpoint: lastOf(b.entries) };
      },
    },
    effects: {
      requestDump: (ctx: ConsumerContext): readonly Message[] => [send(ctx, DUMP_ID, { name: 'find', collection: DATA_COLLECTION })],
      requestEntries: (ctx: ConsumerContext): readonly Message[] =>
        ctx.checkpoint === null ? [] : [send(ctx, TAIL_ID, { name: 'getMore', collection: OPLOG_COLLECTION, after: ctx.checkpoint, tailable: true, awaitData: true })],
    },
  };
}

/** Whether the target has exactly the documents of `docs`. */
export const targetMatches = (target: Collection, docs: Collection): boolean =>
  target.length === docs.length && target.every((d) => findDoc(docs, d.id)?.v === d.v);

export type ClientImpl = ReturnType<typeof clientImpl>;
export type NodeImpl = ReturnType<typeof nodeImpl>;
export type ArbiterImpl = ReturnType<typeof arbiterImpl>;
export type ConsumerImpl = ReturnType<typeof consumerImpl>;
