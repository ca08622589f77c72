/**
 * Lamport's TwoPhase commit, exactly as `TwoPhase.tla` of the TLA+ examples: the calibration model
 * whose state counts can be compared with TLC's and whose throughput measures the checker.
 *
 * Messages are a set that only grows; the receive actions are enabled whenever their message is in
 * `msgs`, even when they change nothing (those are self-loops, as in TLA+).
 *
 * @module
 */
import type { ActionGroup, Model, ModelDefinition, Size } from '../checker/model.js';
import type { Message, RMContext, RMEvent, TMContext, TMEvent, TwoPhaseState } from '../impl/two-phase.js';
import { ABORT, COMMIT, compareMessages, preparedMessages, RM_CONTEXT, rmImpl, rmName, TM_CONTEXT, tmImpl } from '../impl/two-phase.js';
import { replaceAt, setAdd } from '../impl/sorted-set.js';
import type { TwoPhaseNames } from '../invariants/two-phase.js';
import { tcConsistent, typeOk } from '../invariants/two-phase.js';
import { compileRole } from '../machines/compile.js';
import { rmMachine, tmMachine } from '../machines/two-phase.js';

export type TwoPhaseAction =
  | { readonly kind: 'TMCommit' }
  | { readonly kind: 'TMAbort' }
  | {
      readonly kind: 'TMRcvPrepared' | 'RMPrepare' | 'RMChooseToAbort' | 'RMRcvCommitMsg' | 'RMRcvAbortMsg';
      readonly rm: number;
    };

const ACTION_KINDS = [
  'TMRcvPrepared',
  'TMCommit',
  'TMAbort',
  'RMPrepare',
  'RMChooseToAbort',
  'RMRcvCommitMsg',
  'RMRcvAbortMsg',
] as const;

/** Seeded bugs: each a mutant that `TCConsistent` must catch. */
export const TWO_PHASE_BUGS = [
  {
    id: 'tm-commit-without-all-votes',
    breaks: 'TCConsistent',
    description: 'the TM commits as soon as one resource manager has prepared, not all of them',
  },
  {
    id: 'rm-abort-after-prepare',
    breaks: 'TCConsistent',
    description: 'a prepared resource manager may still choose to abort on its own',
  },
  {
    id: 'prepared-names-next-rm',
    breaks: 'TypeOK',
    description: 'an off-by-one: a resource manager\'s "Prepared" message names the next resource manager',
  },
] as const;

/** The role charts of TwoPhase compiled against their implementations for a set of bugs. */
export function twoPhaseRoles(rmCount: number, bugs: ReadonlySet<string> = new Set()) {
  return {
    rm: compileRole<RMContext, RMEvent, Message>('rm', rmMachine, rmImpl(bugs)),
    tm: compileRole<TMContext, TMEvent, Message>('tm', tmMachine, hashConsedContexts(tmImpl(bugs, rmCount))),
  };
}

/**
 * The transaction manager's implementation with its contexts hash-consed: `recordPrepared` runs as
 * written, and its result is replaced by the one frozen context with the same `prepared` set. The
 * role's contexts are then constants: the compiled stepper keeps one snapshot per configuration and
 * context, the checker finds them by identity, and no step allocates a context it has seen before.
 */
function hashConsedContexts(impl: ReturnType<typeof tmImpl>): ReturnType<typeof tmImpl> {
  const recordPrepared = impl.updates.recordPrepared;
  // By the bit set of the prepared resource managers (all of them small integers).
  const contexts = new Map<number, TMContext>([[0, TM_CONTEXT]]);
  const canonical = (ctx: TMContext): TMContext => {
    let bits = 0;
    for (const rm of ctx.prepared) {
      if (!Number.isInteger(rm) || rm < 0 || rm > 30) return ctx;
      bits |= 1 << rm;
    }
    let known = contexts.get(bits);
    if (known === undefined) {
      known = Object.freeze({ prepared: Object.freeze(ctx.prepared.slice()) });
      contexts.set(bits, known);
    }
    return known;
  };
  return {
    ...impl,
    updates: { recordPrepared: (ctx, event) => canonical(recordPrepared(ctx, event)) },
  };
}

/** Build TwoPhase for `rmCount` resource managers. */
export function twoPhaseModel(rmCount: number, bugs: ReadonlySet<string> = new Set()): Model<TwoPhaseState, TwoPhaseAction> {
  const roles = twoPhaseRoles(rmCount, bugs);
  const rmChart = roles.rm;
  const tmChart = roles.tm;
  const rms = Array.from({ length: rmCount }, (_, rm) => rm);
  const perRm = <K extends TwoPhaseAction['kind']>(kind: K) => rms.map((rm) => ({ kind, rm }) as TwoPhaseAction);
  const tmRcvPrepared = perRm('TMRcvPrepared');
  const rmPrepare = perRm('RMPrepare');
  const rmChooseToAbort = perRm('RMChooseToAbort');
  const rmRcvCommitMsg = perRm('RMRcvCommitMsg');
  const rmRcvAbortMsg = perRm('RMRcvAbortMsg');
  const tmCommit: TwoPhaseAction = { kind: 'TMCommit' };
  const tmAbort: TwoPhaseAction = { kind: 'TMAbort' };
  // Events are built once, like actions: stepping a role allocates nothing for them.
  const prepareEvents: readonly RMEvent[] = rms.map((rm) => ({ type: 'PREPARE', rm }));
  const preparedEvents: readonly TMEvent[] = rms.map((rm) => ({ type: 'PREPARED', rm }));
  const CHOOSE_ABORT: RMEvent = { type: 'CHOOSE_ABORT' };
  const RCV_COMMIT: RMEvent = { type: 'RCV_COMMIT' };
  const RCV_ABORT: RMEvent = { type: 'RCV_ABORT' };
  const COMMIT_EVENT: TMEvent = { type: 'COMMIT' };
  const ABORT_EVENT: TMEvent = { type: 'ABORT' };
  const prepared = preparedMessages(rmCount);
  const sent: Message[] = [];

  const msgSets = new MessageSets(rmCount);
  // Every message in `msgs` is one of the frozen constants, so membership is by identity.
  const hasMsg = (s: TwoPhaseState, m: Message, bit: number): boolean => msgSets.has(s.msgs, m, bit);
  const ABORT_BIT = msgSets.bit(ABORT);
  const COMMIT_BIT = msgSets.bit(COMMIT);
  const preparedBits = prepared.map((m) => msgSets.bit(m));
  // States are built with all fields in one order (not with spreads): one object shape for
  // every state keeps property access monomorphic in the hot loop.
  const make = (rmState: TwoPhaseState['rmState'], tm: TwoPhaseState['tm'], msgs: TwoPhaseState['msgs']): TwoPhaseState => ({ rmState, tm, msgs });
  const withSent = (msgs: TwoPhaseState['msgs']): TwoPhaseState['msgs'] => {
    // pop, not `length = 0`: truncating an array is slow in V8, and the order does not matter.
    while (sent.length > 0) msgs = msgSets.add(msgs, sent.pop()!);
    return msgs;
  };
  type RmStepper = ReturnType<typeof rmChart.stepper>;
  type TmStepper = ReturnType<typeof tmChart.stepper>;
  const rmPrepareStep = rmChart.stepper('PREPARE');
  const rmChooseAbortStep = rmChart.stepper('CHOOSE_ABORT');
  const rmRcvCommitStep = rmChart.stepper('RCV_COMMIT');
  const rmRcvAbortStep = rmChart.stepper('RCV_ABORT');
  const tmPreparedStep = tmChart.stepper('PREPARED');
  const tmCommitStep = tmChart.stepper('COMMIT');
  const tmAbortStep = tmChart.stepper('ABORT');
  const rmPrepares = rmChart.handlers('PREPARE');
  const rmAborts = rmChart.handlers('CHOOSE_ABORT');
  const tmCommits = tmChart.handlers('COMMIT');
  const tmAborts = tmChart.handlers('ABORT');
  const tmReceives = tmChart.handlers('PREPARED');
  const stepRm = (s: TwoPhaseState, rm: number, step: RmStepper, event: RMEvent): TwoPhaseState | undefined => {
    const before = s.rmState[rm]!;
    const after = step(before, event, sent);
    if (after === undefined) return undefined;
    if (sent.length === 0) return after === before ? s : make(replaceAt(s.rmState, rm, after), s.tm, s.msgs);
    return make(replaceAt(s.rmState, rm, after), s.tm, withSent(s.msgs));
  };
  const stepTm = (s: TwoPhaseState, step: TmStepper, event: TMEvent): TwoPhaseState | undefined => {
    const after = step(s.tm, event, sent);
    if (after === undefined) return undefined;
    if (sent.length === 0) return after === s.tm ? s : make(s.rmState, after, s.msgs);
    return make(s.rmState, after, withSent(s.msgs));
  };
  const names = stateNames(roles);

  // The steps grouped by what they touch: the TM (its snapshot and the messages), and each
  // resource manager (its snapshot and the messages). `actions` is the groups' actions in order.
  const tmGroup: ActionGroup<TwoPhaseState, TwoPhaseAction> = {
    footprint: ['tm', 'msgs'],
    actions(s, out) {
      const tmAt = s.tm.at;
      if (tmCommits[tmAt]) out.push(tmCommit);
      if (tmAborts[tmAt]) out.push(tmAbort);
      if (tmReceives[tmAt]) {
        const msgs = s.msgs;
        for (let i = 0; i < msgs.length; i++) {
          const m = msgs[i]!;
          // A message naming no resource manager (only under a seeded bug) has no receive step.
          const receive = m.type === 'Prepared' ? tmRcvPrepared[m.rm] : undefined;
          if (receive !== undefined) out.push(receive);
        }
      }
    },
  };
  const rmGroup = (rm: number): ActionGroup<TwoPhaseState, TwoPhaseAction> => ({
    footprint: [['rmState', rm], 'msgs'],
    actions(s, out) {
      const at = s.rmState[rm]!.at;
      if (rmPrepares[at]) out.push(rmPrepare[rm]!);
      if (rmAborts[at]) out.push(rmChooseToAbort[rm]!);
      if (hasMsg(s, COMMIT, COMMIT_BIT)) out.push(rmRcvCommitMsg[rm]!);
      if (hasMsg(s, ABORT, ABORT_BIT)) out.push(rmRcvAbortMsg[rm]!);
    },
  });
  const groups = [tmGroup, ...rms.map(rmGroup)];

  return {
    actionKinds: ACTION_KINDS,
    invariants: [typeOk(rmCount, names), tcConsistent(names)],
    stepInvariants: [],

    init: () => [make(rms.map(() => rmChart.initial(RM_CONTEXT)), tmChart.initial(TM_CONTEXT), msgSets.empty)],

    actions(s, out) {
      for (const group of groups) group.actions(s, out);
    },

    groups,

    next(s, a) {
      // The most frequent kinds first (at rm = 8, 73 % of the transitions are RMRcvAbortMsg).
      switch (a.kind) {
        case 'RMRcvAbortMsg':
          return hasMsg(s, ABORT, ABORT_BIT) ? stepRm(s, a.rm, rmRcvAbortStep, RCV_ABORT) : undefined;
        case 'RMChooseToAbort':
          return stepRm(s, a.rm, rmChooseAbortStep, CHOOSE_ABORT);
        case 'RMPrepare':
          return stepRm(s, a.rm, rmPrepareStep, prepareEvents[a.rm]!);
        case 'TMRcvPrepared':
          return hasMsg(s, prepared[a.rm]!, preparedBits[a.rm]!) ? stepTm(s, tmPreparedStep, preparedEvents[a.rm]!) : undefined;
        case 'TMAbort':
          return stepTm(s, tmAbortStep, ABORT_EVENT);
        case 'TMCommit':
          return stepTm(s, tmCommitStep, COMMIT_EVENT);
        case 'RMRcvCommitMsg':
          return hasMsg(s, COMMIT, COMMIT_BIT) ? stepRm(s, a.rm, rmRcvCommitStep, RCV_COMMIT) : undefined;
      }
    },

    describe: (a) => ('rm' in a ? `${a.kind}(${rmName(a.rm)})` : a.kind),

    view: (s) => {
      const view: Record<string, unknown> = {
        tm: { state: names.tm[s.tm.at], prepared: s.tm.ctx.prepared.map(rmName) },
      };
      s.rmState.forEach((r, rm) => (view[rmName(rm)] = names.rm[r.at]));
      view['msgs'] = s.msgs.map((m) => (m.type === 'Prepared' ? `Prepared(${rmName(m.rm)})` : m.type));
      return view;
    },
  };
}

/**
 * The message sets of one model, hash-consed: every set the model builds is one frozen, sorted
 * array per combination of messages, so `msgs' = msgs \\cup {m}` is a table lookup instead of a
 * sorted insertion into a new array, and the checker finds each set by identity. A message is a
 * bit; a set's bits are remembered by identity. Arrays that did not come from here (a test's own
 * state) and messages that are not the frozen constants fall back to the sorted-set functions.
 */
class MessageSets {
  readonly empty: readonly Message[] = Object.freeze([]);
  private readonly bitOf = new Map<Message, number>();
  private readonly bitsOf = new Map<readonly Message[], number>([[this.empty, 0]]);
  private readonly byBits = new Map<number, readonly Message[]>([[0, this.empty]]);
  private lastSet: readonly Message[] = this.empty;
  private lastBits = 0;

  constructor(rmCount: number) {
    // Under a seeded bug a resource manager announces the next one's vote: one more message.
    const messages = [ABORT, COMMIT, ...preparedMessages(rmCount + 1)];
    messages.forEach((m, i) => this.bitOf.set(m, 2 ** i));
  }

  /** The bit of message `m`, or 0 when it is not one of the frozen constants. */
  bit(m: Message): number {
    return this.bitOf.get(m) ?? 0;
  }

  /** The bits of `set`, or -1 when it is not one of ours. */
  bits(set: readonly Message[]): number {
    if (set === this.lastSet) return this.lastBits;
    const bits = this.bitsOf.get(set);
    if (bits === undefined) return -1;
    this.lastSet = set;
    this.lastBits = bits;
    return bits;
  }

  /** `m ∈ set`, where `bit` is `m`'s bit (see {@link bit}). */
  has(set: readonly Message[], m: Message, bit: number): boolean {
    const bits = this.bits(set);
    if (bits < 0 || bit === 0) return set.includes(m);
    return (bits & bit) !== 0;
  }

  /** `set ∪ {m}`; the same array when `m` is already a member. */
  add(set: readonly Message[], m: Message): readonly Message[] {
    const bits = this.bits(set);
    const bit = this.bitOf.get(m);
    if (bits < 0 || bit === undefined) return setAdd(set, m, compareMessages);
    if ((bits & bit) !== 0) return set;
    const union = bits | bit;
    let known = this.byBits.get(union);
    if (known === undefined) {
      known = Object.freeze(setAdd(set, m, compareMessages));
      this.byBits.set(union, known);
      this.bitsOf.set(known, union);
    }
    return known;
  }
}

/** The control state of each role's configurations as the chart names them (`working`, `init`, ...). */
export function stateNames(roles: ReturnType<typeof twoPhaseRoles>): TwoPhaseNames {
  return { rm: roles.rm.configs.map((c) => c.name), tm: roles.tm.configs.map((c) => c.name) };
}

export const twoPhase: ModelDefinition = {
  name: 'two-phase',
  summary: "Lamport's TwoPhase commit (TwoPhase.tla): the calibration model",
  sizeParams: { rm: { description: 'number of resource managers', min: 1, max: 16 } },
  sizes: { default: { rm: 3 }, large: { rm: 8 } },
  invariants: twoPhaseModel(1).invariants.map(({ id, description }) => ({ id, description })),
  roles: [
    { name: 'rm', summary: 'a resource manager: prepares or aborts, then learns the decision', machine: rmMachine, viewKeys: (key) => /^r\d+$/.test(key) },
    { name: 'tm', summary: 'the transaction manager: collects votes, decides commit or abort', machine: tmMachine },
  ],
  bugs: TWO_PHASE_BUGS,
  build: (size: Size, bugs) => twoPhaseModel(size['rm']!, bugs) as unknown as Model,
};
