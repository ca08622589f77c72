/**
 * Each role's compiled stepper agrees with XState's `transition()`: same enabledness, state value,
 * context and effects, on random event sequences from reachable snapshots, with each seeded bug
 * switched on in turn (compound and parallel states, eventless transitions included).
 */
import { describe, expect, it } from 'vitest';
import type { RMEvent } from '../impl/two-phase.js';
import { RM_CONTEXT, rmImpl } from '../impl/two-phase.js';
import { compileRole } from '../machines/compile.js';
import { rmMachine } from '../machines/two-phase.js';
import { expectCompiledMatchesXState } from './support/differential.js';
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

describe('the differential property can fail', () => {
  it('a stepper compiled against another implementation is caught', () => {
    const buggy = rmImpl(new Set(['rm-abort-after-prepare']));
    const events: RMEvent[] = [{ type: 'PREPARE', rm: 0 }, { type: 'CHOOSE_ABORT' }];
    expect(() =>
      expectCompiledMatchesXState({ machine: rmMachine, impl: rmImpl(new Set()), compiled: compileRole('rm', rmMachine, buggy), initialContexts: [RM_CONTEXT], events }),
    ).toThrow(/Property failed/);
  });
});
