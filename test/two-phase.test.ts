/**
 * TwoPhase (TwoPhase.tla) as the calibration model: state counts and depths pinned to TLC's and
 * cross-checked against a naive reference search; coverage; the seeded bugs and their shortest
 * counterexamples.
 */
import { describe, expect, it } from 'vitest';
import { check } from '../checker/check.js';
import type { TwoPhaseState } from '../impl/two-phase.js';
import { tcConsistent, typeOk } from '../invariants/two-phase.js';
import { stateNames, TWO_PHASE_BUGS, twoPhaseModel, twoPhaseRoles } from '../protocols/two-phase.js';

const roles3 = twoPhaseRoles(3);
const names = stateNames(roles3);
const tcConsistentInv = tcConsistent(names);
/** The resource managers' chart states, e.g. `['committed', 'aborted', 'working']`. */
const rmStates = (s: TwoPhaseState): string[] => s.rmState.map((r) => names.rm[r.at]!);
/** A state of three resource managers in the given chart states, the TM in `init`, no messages. */
function stateOf(rms: readonly string[], prepared: readonly number[] = []): TwoPhaseState {
  const rmAt = (name: string) => ({ at: roles3.rm.indexOf(name), ctx: {} });
  return { rmState: rms.map(rmAt), tm: { at: roles3.tm.indexOf('init'), ctx: { prepared } }, msgs: [] };
}
import { referenceBfs } from './support/reference.js';

/** Distinct states and depth (longest shortest path) per number of resource managers; TLC's counts. */
const PINNED: readonly (readonly [rm: number, states: number, depth: number])[] = [
  [3, 288, 10],
  [4, 1568, 13],
  [5, 8832, 16],
];

describe('TwoPhase state space', () => {
  for (const [rm, states, depth] of PINNED) {
    it(`rm=${rm}: ${states} distinct states, depth ${depth}, pass`, () => {
      const result = check(twoPhaseModel(rm));
      expect(result.result).toBe('pass');
      expect(result.incompleteReason).toBeNull();
      expect(result.violation).toBeNull();
      expect(result.distinctStates).toBe(states);
      expect(result.depth).toBe(depth);
      expect(check(twoPhaseModel(rm), { strategy: 'dfs' }).distinctStates).toBe(states);
    });
  }

  for (const rm of [3, 4]) {
    it(`rm=${rm}: the checker agrees with a naive reference BFS (JSON visited set)`, () => {
      const reference = referenceBfs(twoPhaseModel(rm));
      const result = check(twoPhaseModel(rm));
      expect(reference.states.length).toBe(PINNED.find(([r]) => r === rm)![1]);
      expect(result.distinctStates).toBe(reference.states.length);
      expect(result.depth).toBe(reference.depth);
      // Every enabled action of every reachable state fires once, self-loops included.
      expect(result.transitions).toBe(reference.transitions);
    });

    it(`rm=${rm}: TypeOK and TCConsistent hold in every reachable state`, () => {
      const reference = referenceBfs(twoPhaseModel(rm));
      const typeOkRm = typeOk(rm, names);
      for (const s of reference.states) {
        expect(typeOkRm.holds(s)).toBe(true);
        expect(tcConsistentInv.holds(s)).toBe(true);
      }
      expect(twoPhaseModel(rm).invariants.map((i) => i.id)).toEqual(['TypeOK', 'TCConsistent']);
    });
  }

  it('the invariants are not vacuous', () => {
    const base = stateOf(['working', 'working', 'working']);
    expect(typeOk(3, names).holds(base)).toBe(true);
    expect(typeOk(3, names).holds(stateOf(['working', 'working']))).toBe(false);
    expect(typeOk(3, names).holds(stateOf(['working', 'working', 'working'], [3]))).toBe(false);
    expect(tcConsistentInv.holds(stateOf(['committed', 'prepared', 'committed']))).toBe(true);
    expect(tcConsistentInv.holds(stateOf(['committed', 'aborted', 'working']))).toBe(false);
  });
});

describe('TwoPhase coverage', () => {
  it('rm=3: every action kind fires, and the counts add up to the transitions', () => {
    const model = twoPhaseModel(3);
    const result = check(model);
    expect(result.neverFired).toEqual([]);
    expect(result.coverage.map((c) => c.kind)).toEqual([...model.actionKinds]);
    for (const c of result.coverage) expect(c.fired, c.kind).toBeGreaterThan(0);
    expect(result.coverage.reduce((sum, c) => sum + c.fired, 0)).toBe(result.transitions);
  });
});

describe('TwoPhase seeded bugs', () => {
  it('every seeded bug names an invariant of the model', () => {
    const ids = twoPhaseModel(3).invariants.map((i) => i.id);
    for (const bug of TWO_PHASE_BUGS) expect(ids).toContain(bug.breaks);
  });

  it('tm-commit-without-all-votes: TCConsistent, shortest trace of 5 steps', () => {
    const model = twoPhaseModel(3, new Set(['tm-commit-without-all-votes']));
    const result = check(model);
    expect(result.result).toBe('violation');
    expect(result.violation!.invariant).toBe('TCConsistent');
    expect(result.violation!.kind).toBe('state');
    const steps = result.violation!.steps;
    expect(steps.length - 1).toBe(5);
    expect(steps.slice(1).map((s) => model.describe(s.action!))).toEqual([
      'RMPrepare(r1)',
      'TMRcvPrepared(r1)',
      'TMCommit',
      'RMRcvCommitMsg(r1)',
      'RMChooseToAbort(r2)',
    ]);
    expect(rmStates(steps[steps.length - 1]!.state)).toEqual(['committed', 'aborted', 'working']);
    expectReplays(model, steps);
  });

  it('rm-abort-after-prepare: TCConsistent, shortest trace of 9 steps', () => {
    const model = twoPhaseModel(3, new Set(['rm-abort-after-prepare']));
    const result = check(model);
    expect(result.result).toBe('violation');
    expect(result.violation!.invariant).toBe('TCConsistent');
    expect(result.violation!.steps.length - 1).toBe(9);
    expectReplays(model, result.violation!.steps);
    // Nothing shorter exists: the reference search of the buggy model agrees.
    const reference = referenceBfs(model);
    const shortest = Math.min(...reference.states.filter((s) => !tcConsistentInv.holds(s)).map((s) => reference.distance.get(JSON.stringify(s))!));
    expect(shortest).toBe(9);
  });

  it('prepared-names-next-rm: TypeOK, shortest trace of 1 step (the last resource manager prepares)', () => {
    const model = twoPhaseModel(3, new Set(['prepared-names-next-rm']));
    const result = check(model);
    expect(result.result).toBe('violation');
    expect(result.violation!.invariant).toBe('TypeOK');
    const steps = result.violation!.steps;
    expect(steps.slice(1).map((s) => model.describe(s.action!))).toEqual(['RMPrepare(r3)']);
    expect(steps[1]!.state.msgs).toEqual([{ type: 'Prepared', rm: 3 }]);
    // Without the bug the same step keeps TypeOK.
    const correct = twoPhaseModel(3);
    const typeOk = correct.invariants.find((i) => i.id === 'TypeOK')!;
    expect(typeOk.holds(correct.next(correct.init()[0]!, steps[1]!.action!)!)).toBe(true);
  });

  for (const bug of TWO_PHASE_BUGS) {
    it(`${bug.id}: caught by DFS and by random simulation too`, () => {
      for (const strategy of ['dfs', 'random'] as const) {
        const model = twoPhaseModel(3, new Set([bug.id]));
        const result = check(model, { strategy, seed: 1 });
        expect(result.result, strategy).toBe('violation');
        expect(result.violation!.invariant).toBe(bug.breaks);
        expectReplays(model, result.violation!.steps, bug.breaks);
      }
    });
  }
});

/**
 * The trace replays: it starts at an initial state, each state is the model's successor of the
 * previous one under the step's action, and only the last state breaks TCConsistent.
 */
function expectReplays(
  model: ReturnType<typeof twoPhaseModel>,
  steps: readonly { readonly action: Parameters<typeof model.describe>[0] | null; readonly state: TwoPhaseState }[],
  broken = 'TCConsistent',
): void {
  expect(steps[0]!.action).toBeNull();
  expect(model.init().map((s) => JSON.stringify(s))).toContain(JSON.stringify(steps[0]!.state));
  for (let i = 1; i < steps.length; i++) {
    const next = model.next(steps[i - 1]!.state, steps[i]!.action!);
    expect(next, `step ${i}`).toBeDefined();
    expect(JSON.stringify(next)).toBe(JSON.stringify(steps[i]!.state));
  }
  const invariant = model.invariants.find((inv) => inv.id === broken)!;
  steps.forEach((s, i) => expect(invariant.holds(s.state), `state ${i}`).toBe(i < steps.length - 1));
}
