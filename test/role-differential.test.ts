/**
 * Each role's compiled stepper agrees with XState's `transition()`: same enabledness, state value,
 * context and effects, on random event sequences from reachable snapshots, with each seeded bug
 * switched on in turn (compound and parallel states, eventless transitions included).
 */
import { setup } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { RMEvent } from '../impl/two-phase.js';
import { RM_CONTEXT, rmImpl } from '../impl/two-phase.js';
import { compileRole } from '../machines/compile.js';
import { rmMachine } from '../machines/two-phase.js';
import { xstateActions, xstateGuards } from '../machines/role.js';
import { expectCompiledMatchesXState, expectInitialMatchesXState } from './support/differential.js';
import { ROLE_CASES } from '../protocols/role-samples.js';

describe('compiled stepper = XState transition()', () => {
  for (const c of ROLE_CASES) {
    for (const bug of [undefined, ...c.bugs]) {
      const bugs = new Set(bug === undefined ? [] : [bug]);
      it(`${c.model} ${c.role} (${bug ?? 'no bugs'})`, () => {
        const impl = c.implement(bugs);
        const steps = expectCompiledMatchesXState(
          { machine: c.machine, impl, compiled: compileRole(c.role, c.machine, impl), initialContexts: c.initialContexts, events: c.events },
          bug === undefined ? 300 : 60,
        );
        expect(steps).toBeGreaterThan(60);
      });
    }
  }
});

describe('compiled initial snapshot = XState initialTransition()', () => {
  for (const c of ROLE_CASES) {
    it(`${c.model} ${c.role}`, () => {
      const impl = c.implement(new Set());
      expectInitialMatchesXState({ machine: c.machine, impl, compiled: compileRole(c.role, c.machine, impl), initialContexts: c.initialContexts, events: c.events });
    });
  }

  // Regression: the throwaway actor that initialTransition() builds took an initial snapshot of
  // its own, and its entry actions were recorded too, so they ran twice.
  for (const [name, states] of [
    ['entry of the initial state', { initial: 'b', states: { b: { entry: 'inc' } } }],
    ['entry reached by an eventless transition', { initial: 'a', states: { a: { always: { guard: 'yes', target: 'b' } }, b: { entry: 'inc' } } }],
  ] as const) {
    it(`runs the ${name} once`, () => {
      type Ctx = { n: number };
      const impl = { guards: { yes: () => true }, updates: { inc: (c: Ctx): Ctx => ({ n: c.n + 1 }) }, effects: {} };
      const machine = setup({
        types: {} as { context: Ctx; input: Ctx },
        guards: xstateGuards<Ctx, { type: string }, typeof impl.guards>(impl.guards),
        actions: xstateActions<Ctx, { type: string }, never, typeof impl.updates, typeof impl.effects>(impl),
      }).createMachine({ id: 'once', context: ({ input }: { input: Ctx }) => input, ...(states as object) } as never) as unknown as AnyStateMachine;
      const compiled = compileRole('once', machine, impl);
      expect(compiled.initial({ n: 0 }).ctx).toEqual({ n: 1 });
      expectInitialMatchesXState({ machine, impl, compiled, initialContexts: [{ n: 0 }], events: [] });
    });
  }
});

describe('the differential property can fail', () => {
  it('a stepper compiled against another implementation is caught', () => {
    const buggy = rmImpl(new Set(['rm-abort-after-prepare']));
    const events: RMEvent[] = [{ type: 'PREPARE', rm: 0 }, { type: 'CHOOSE_ABORT' }];
    expect(() =>
      expectCompiledMatchesXState({ machine: rmMachine, impl: rmImpl(new Set()), compiled: compileRole('rm', rmMachine, buggy), initialContexts: [RM_CONTEXT], events }),
    ).toThrow(/Property failed/);
  });
});
