/**
 * Each role's compiled stepper agrees with XState's `transition()`: same enabledness, state value,
 * context and effects, on random event sequences from reachable snapshots, bugs on and off.
 */
import { describe, expect, it } from 'vitest';
import type { RMEvent, TMEvent } from '../impl/two-phase.js';
import { RM_CONTEXT, rmImpl, TM_CONTEXT, tmImpl } from '../impl/two-phase.js';
import { compileRole } from '../machines/compile.js';
import { rmMachine, tmMachine } from '../machines/two-phase.js';
import { TWO_PHASE_BUGS } from '../protocols/two-phase.js';
import { expectCompiledMatchesXState } from './support/differential.js';

const bugSets: ReadonlySet<string>[] = [new Set(), ...TWO_PHASE_BUGS.map((b) => new Set([b.id]))];

describe('TwoPhase roles: compiled stepper = XState transition()', () => {
  const rmEvents: RMEvent[] = [
    { type: 'PREPARE', rm: 0 },
    { type: 'PREPARE', rm: 2 },
    { type: 'CHOOSE_ABORT' },
    { type: 'RCV_COMMIT' },
    { type: 'RCV_ABORT' },
  ];
  const tmEvents: TMEvent[] = [{ type: 'PREPARED', rm: 0 }, { type: 'PREPARED', rm: 1 }, { type: 'PREPARED', rm: 2 }, { type: 'COMMIT' }, { type: 'ABORT' }];
  for (const bugs of bugSets) {
    const label = bugs.size === 0 ? 'no bugs' : [...bugs].join(',');
    it(`rm (${label})`, () => {
      const impl = rmImpl(bugs);
      const steps = expectCompiledMatchesXState({ machine: rmMachine, impl, compiled: compileRole('rm', rmMachine, impl), initialContexts: [RM_CONTEXT], events: rmEvents });
      expect(steps).toBeGreaterThan(300);
    });
    it(`tm (${label})`, () => {
      const impl = tmImpl(bugs, 3);
      const steps = expectCompiledMatchesXState({ machine: tmMachine, impl, compiled: compileRole('tm', tmMachine, impl), initialContexts: [TM_CONTEXT], events: tmEvents });
      expect(steps).toBeGreaterThan(300);
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
