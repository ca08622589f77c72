/**
 * Action groups (`Model.groups`): breadth-first search through memoised group transitions explores
 * exactly what the plain search explores — same counts, coverage, depth, verdicts and traces — and a
 * model that breaks the groups' contract gets an error, not a wrong answer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupContractError } from '../checker/bfs-grouped.js';
import { check } from '../checker/check.js';
import type { Action, ActionGroup, Model, State } from '../checker/model.js';
import type { CheckOptions, CheckResult } from '../checker/search.js';
import { TWO_PHASE_BUGS, twoPhaseModel } from '../protocols/two-phase.js';

/** The same model without its groups: explored by the plain search. */
function ungrouped<S extends State, A extends Action>(model: Model<S, A>): Model<S, A> {
  const { groups: _groups, ...rest } = model;
  return rest;
}

/** What must agree between the two searches (not the timings). */
function essence<S extends State, A extends Action>(model: Model<S, A>, r: CheckResult<S, A>) {
  return {
    result: r.result,
    incompleteReason: r.incompleteReason,
    distinctStates: r.distinctStates,
    transitions: r.transitions,
    depth: r.depth,
    coverage: r.coverage,
    violation:
      r.violation === null
        ? null
        : {
            invariant: r.violation.invariant,
            kind: r.violation.kind,
            steps: r.violation.steps.map((s) => [s.action === null ? null : model.describe(s.action), JSON.stringify(s.state)]),
          },
  };
}

function expectSameSearch<S extends State, A extends Action>(build: () => Model<S, A>, options: CheckOptions = {}): void {
  const grouped = build();
  expect(grouped.groups?.length ?? 0).toBeGreaterThan(0);
  const plain = ungrouped(build());
  expect(essence(grouped, check(grouped, options))).toEqual(essence(plain, check(plain, options)));
}

describe('grouped BFS explores what the plain BFS explores', () => {
  for (const rm of [1, 2, 3, 4, 5]) {
    it(`TwoPhase rm=${rm}`, () => expectSameSearch(() => twoPhaseModel(rm)));
  }

  for (const bug of TWO_PHASE_BUGS) {
    it(`TwoPhase rm=3 with ${bug.id}: the same shortest counterexample`, () => {
      expectSameSearch(() => twoPhaseModel(3, new Set([bug.id])));
    });
  }

  it('TwoPhase rm=4 under every maxStates and maxDepth bound', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1568 }), fc.integer({ min: 0, max: 14 }), (maxStates, maxDepth) => {
        expectSameSearch(() => twoPhaseModel(4), { maxStates });
        expectSameSearch(() => twoPhaseModel(4), { maxDepth });
      }),
      { numRuns: 30 },
    );
  });
});

/**
 * Two counters `a` and `b` in 0..n-1 and a flag: `IncA` and `IncB` each touch one counter (their
 * groups), `Flip` toggles the flag. `breakIt` makes a group misbehave in one way.
 */
type CounterState = { readonly a: number; readonly b: number; readonly flag: boolean };
type CounterAction = { readonly kind: 'IncA' } | { readonly kind: 'IncB' } | { readonly kind: 'Flip' };
function counters(
  n: number,
  breakIt: 'none' | 'writes-outside' | 'reads-outside' | 'missing-action' | 'unknown-field' = 'none',
): Model<CounterState, CounterAction> {
  const incA: CounterAction = { kind: 'IncA' };
  const incB: CounterAction = { kind: 'IncB' };
  const flip: CounterAction = { kind: 'Flip' };
  const groups: ActionGroup<CounterState, CounterAction>[] = [
    { footprint: [breakIt === 'unknown-field' ? 'c' : 'a'], actions: (s, out) => void (s.a < n - 1 && out.push(incA)) },
    { footprint: ['b'], actions: (s, out) => void (s.b < n - 1 && out.push(incB)) },
    { footprint: ['flag'], actions: (_s, out) => void (breakIt !== 'missing-action' && out.push(flip)) },
  ];
  return {
    actionKinds: ['IncA', 'IncB', 'Flip'],
    invariants: [],
    stepInvariants: [],
    init: () => [{ a: 0, b: 0, flag: false }],
    actions: (s, out) => {
      if (s.a < n - 1) out.push(incA);
      if (s.b < n - 1) out.push(incB);
      out.push(flip);
    },
    next: (s, a) => {
      switch (a.kind) {
        case 'IncA':
          // Reads `b` although its group's footprint is `a` alone: only some states show it.
          if (breakIt === 'reads-outside' && s.b !== 0) return s;
          return { ...s, a: s.a + 1, flag: breakIt === 'writes-outside' ? !s.flag : s.flag };
        case 'IncB':
          return { ...s, b: s.b + 1 };
        case 'Flip':
          return { ...s, flag: !s.flag };
      }
    },
    describe: (a) => a.kind,
    view: (s) => ({ ...s }),
    groups,
  };
}

describe('the groups contract', () => {
  it('a well-behaved model: same search as without its groups', () => {
    expectSameSearch(() => counters(40));
    expect(check(counters(40)).distinctStates).toBe(40 * 40 * 2);
  });

  it('an action that changes a component outside its footprint is an error', () => {
    expect(() => check(counters(5, 'writes-outside'))).toThrow(GroupContractError);
    expect(() => check(counters(5, 'writes-outside'))).toThrow(/IncA \(group 0\) changed component "flag"/);
  });

  it("groups that leave out one of the model's actions are caught by the first spot check", () => {
    expect(() => check(counters(5, 'missing-action'))).toThrow(/disagree with its actions and next/);
  });

  it('an action that reads outside its footprint is caught by a later spot check', () => {
    // 3,200 states: spot checks at expansions 1, 65, 129, … compare the memo with the model.
    expect(() => check(counters(40, 'reads-outside'))).toThrow(GroupContractError);
  });

  it('a footprint naming no component is an error', () => {
    expect(() => check(counters(5, 'unknown-field'))).toThrow(/no component "c"/);
  });
});
