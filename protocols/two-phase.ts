/**
 * Lamport's TwoPhase commit, exactly as `TwoPhase.tla` of the TLA+ examples: the calibration model
 * whose state counts can be compared with TLC's and whose throughput measures the checker.
 *
 * Messages are a set that only grows; the receive actions are enabled whenever their message is in
 * `msgs`, even when they change nothing (those are self-loops, as in TLA+).
 *
 * @module
 */
import type { Model, ModelDefinition, Size } from '../checker/model.js';
import type { Message, RMState, TwoPhaseState } from '../impl/two-phase.js';
import { ABORT, COMMIT, compareMessages, preparedMessages, rmName } from '../impl/two-phase.js';
import { compareNatural, replaceAt, setAdd } from '../impl/sorted-set.js';
import { tcConsistent, typeOk } from '../invariants/two-phase.js';

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

/** Build TwoPhase for `rmCount` resource managers. */
export function twoPhaseModel(rmCount: number, bugs: ReadonlySet<string> = new Set()): Model<TwoPhaseState, TwoPhaseAction> {
  const commitOnOneVote = bugs.has('tm-commit-without-all-votes');
  const abortAfterPrepare = bugs.has('rm-abort-after-prepare');
  const offByOne = bugs.has('prepared-names-next-rm');
  const prepared = preparedMessages(rmCount);
  // The bug's messages: r(i) announces r(i+1); the last one names a resource manager that does not exist.
  const sentPrepared = offByOne
    ? prepared.map((_, rm) => prepared[rm + 1] ?? (Object.freeze({ type: 'Prepared', rm: rm + 1 }) as Message))
    : prepared;
  const rms = Array.from({ length: rmCount }, (_, rm) => rm);
  const perRm = <K extends TwoPhaseAction['kind']>(kind: K) => rms.map((rm) => ({ kind, rm }) as TwoPhaseAction);
  const tmRcvPrepared = perRm('TMRcvPrepared');
  const rmPrepare = perRm('RMPrepare');
  const rmChooseToAbort = perRm('RMChooseToAbort');
  const rmRcvCommitMsg = perRm('RMRcvCommitMsg');
  const rmRcvAbortMsg = perRm('RMRcvAbortMsg');
  const tmCommit: TwoPhaseAction = { kind: 'TMCommit' };
  const tmAbort: TwoPhaseAction = { kind: 'TMAbort' };

  // Every message in `msgs` is one of the frozen constants, so membership is by identity.
  const hasMsg = (s: TwoPhaseState, m: Message): boolean => s.msgs.includes(m);
  // States are built with all four fields in one order (not with spreads): one object shape
  // for every state keeps property access monomorphic in the hot loop.
  const make = (
    rmState: TwoPhaseState['rmState'],
    tmState: TwoPhaseState['tmState'],
    tmPrepared: TwoPhaseState['tmPrepared'],
    msgs: TwoPhaseState['msgs'],
  ): TwoPhaseState => ({ rmState, tmState, tmPrepared, msgs });
  const setRm = (s: TwoPhaseState, rm: number, to: RMState): TwoPhaseState => {
    const rmState = replaceAt(s.rmState, rm, to);
    return rmState === s.rmState ? s : make(rmState, s.tmState, s.tmPrepared, s.msgs);
  };
  const canAbort = (r: RMState): boolean => r === 'working' || (abortAfterPrepare && r === 'prepared');

  return {
    actionKinds: ACTION_KINDS,
    invariants: [typeOk(rmCount), tcConsistent],
    stepInvariants: [],

    init: () => [make(rms.map((): RMState => 'working'), 'init', [], [])],

    actions(s, out) {
      if (s.tmState === 'init') {
        out.push(tmCommit, tmAbort);
        for (const m of s.msgs) {
          // A message naming no resource manager (only under a seeded bug) has no receive step.
          const receive = m.type === 'Prepared' ? tmRcvPrepared[m.rm] : undefined;
          if (receive !== undefined) out.push(receive);
        }
      }
      const commit = hasMsg(s, COMMIT);
      const abort = hasMsg(s, ABORT);
      for (let rm = 0; rm < rmCount; rm++) {
        const r = s.rmState[rm]!;
        if (r === 'working') out.push(rmPrepare[rm]!);
        if (canAbort(r)) out.push(rmChooseToAbort[rm]!);
        if (commit) out.push(rmRcvCommitMsg[rm]!);
        if (abort) out.push(rmRcvAbortMsg[rm]!);
      }
    },

    next(s, a) {
      switch (a.kind) {
        case 'TMRcvPrepared': {
          if (s.tmState !== 'init' || !hasMsg(s, prepared[a.rm]!)) return undefined;
          const tmPrepared = setAdd(s.tmPrepared, a.rm, compareNatural);
          return tmPrepared === s.tmPrepared ? s : make(s.rmState, s.tmState, tmPrepared, s.msgs);
        }
        case 'TMCommit': {
          const enough = commitOnOneVote ? s.tmPrepared.length > 0 : s.tmPrepared.length === rmCount;
          if (s.tmState !== 'init' || !enough) return undefined;
          return make(s.rmState, 'committed', s.tmPrepared, setAdd(s.msgs, COMMIT, compareMessages));
        }
        case 'TMAbort':
          if (s.tmState !== 'init') return undefined;
          return make(s.rmState, 'aborted', s.tmPrepared, setAdd(s.msgs, ABORT, compareMessages));
        case 'RMPrepare':
          if (s.rmState[a.rm] !== 'working') return undefined;
          return make(
            replaceAt(s.rmState, a.rm, 'prepared'),
            s.tmState,
            s.tmPrepared,
            setAdd(s.msgs, sentPrepared[a.rm]!, compareMessages),
          );
        case 'RMChooseToAbort':
          if (!canAbort(s.rmState[a.rm]!)) return undefined;
          return setRm(s, a.rm, 'aborted');
        case 'RMRcvCommitMsg':
          return hasMsg(s, COMMIT) ? setRm(s, a.rm, 'committed') : undefined;
        case 'RMRcvAbortMsg':
          return hasMsg(s, ABORT) ? setRm(s, a.rm, 'aborted') : undefined;
      }
    },

    describe: (a) => ('rm' in a ? `${a.kind}(${rmName(a.rm)})` : a.kind),

    view: (s) => {
      const view: Record<string, unknown> = {
        tm: { state: s.tmState, prepared: s.tmPrepared.map(rmName) },
      };
      s.rmState.forEach((r, rm) => (view[rmName(rm)] = r));
      view['msgs'] = s.msgs.map((m) => (m.type === 'Prepared' ? `Prepared(${rmName(m.rm)})` : m.type));
      return view;
    },
  };
}

export const twoPhase: ModelDefinition = {
  name: 'two-phase',
  summary: "Lamport's TwoPhase commit (TwoPhase.tla): the calibration model",
  sizeParams: { rm: { description: 'number of resource managers', min: 1, max: 16 } },
  sizes: { default: { rm: 3 }, large: { rm: 8 } },
  invariants: [typeOk(1), tcConsistent].map(({ id, description }) => ({ id, description })),
  bugs: TWO_PHASE_BUGS,
  build: (size: Size, bugs) => twoPhaseModel(size['rm']!, bugs) as unknown as Model,
};
