/**
 * Limits make a search incomplete, never wrongly `pass`: max states, max depth, time limit, and a
 * simulation that finds nothing. Progress is reported while a search runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { check } from '../checker/check.js';
import type { Progress, Strategy } from '../checker/search.js';
import { STRATEGIES } from '../checker/search.js';
import { twoPhaseModel } from '../protocols/two-phase.js';
import { referenceBfs } from './support/reference.js';

/** TwoPhase with 3 resource managers: 288 distinct states, depth 10. */
const RM3_STATES = 288;
const RM3_DEPTH = 10;

describe('maxStates', () => {
  it('stops with incomplete/max-states, never pass, for every bound below the state count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: RM3_STATES - 1 }), fc.constantFrom<Strategy>('bfs', 'dfs'), (maxStates, strategy) => {
        const result = check(twoPhaseModel(3), { strategy, maxStates });
        expect(result.result).toBe('incomplete');
        expect(result.incompleteReason).toBe('max-states');
        expect(result.distinctStates).toBe(maxStates);
      }),
      { numRuns: 100 },
    );
  });

  it('a bound above the state count does not stop the search', () => {
    for (const strategy of ['bfs', 'dfs'] as const) {
      const result = check(twoPhaseModel(3), { strategy, maxStates: RM3_STATES + 1 });
      expect(result.result).toBe('pass');
      expect(result.distinctStates).toBe(RM3_STATES);
    }
  });

  it('maxStates 1 stops at the one initial state', () => {
    // "Stop, incomplete, once this many distinct states are found": with one initial state that
    // is at once, before a second state is added.
    for (const strategy of ['bfs', 'dfs'] as const) {
      const result = check(twoPhaseModel(3), { strategy, maxStates: 1 });
      expect(result.result).toBe('incomplete');
      expect(result.incompleteReason).toBe('max-states');
      expect(result.distinctStates, strategy).toBe(1);
    }
  });

  it('random simulation: never pass; max-states when the bound is hit', () => {
    const result = check(twoPhaseModel(4), { strategy: 'random', maxStates: 50, seed: 3 });
    expect(result.result).toBe('incomplete');
    expect(result.incompleteReason).toBe('max-states');
    expect(result.distinctStates).toBe(50);
  });

  it('a violation beyond the bound is not reported, and the result is not pass', () => {
    // rm-abort-after-prepare needs 9 steps; a few states are not enough to reach it.
    const result = check(twoPhaseModel(3, new Set(['rm-abort-after-prepare'])), { maxStates: 10 });
    expect(result.result).toBe('incomplete');
    expect(result.violation).toBeNull();
  });
});

describe('maxDepth', () => {
  const reference = referenceBfs(twoPhaseModel(3));
  const withinDepth = (d: number): number => [...reference.distance.values()].filter((x) => x <= d).length;

  it(`TwoPhase rm=3 has depth ${RM3_DEPTH}`, () => {
    expect(reference.depth).toBe(RM3_DEPTH);
  });

  for (let maxDepth = 0; maxDepth < RM3_DEPTH; maxDepth++) {
    it(`maxDepth ${maxDepth} < ${RM3_DEPTH}: incomplete/max-depth`, () => {
      for (const strategy of ['bfs', 'dfs'] as const) {
        const result = check(twoPhaseModel(3), { strategy, maxDepth });
        expect(result.result, strategy).toBe('incomplete');
        expect(result.incompleteReason, strategy).toBe('max-depth');
        expect(result.depth, strategy).toBeLessThanOrEqual(maxDepth);
      }
      // BFS explores exactly the states within the bound.
      const bfs = check(twoPhaseModel(3), { strategy: 'bfs', maxDepth });
      expect(bfs.distinctStates).toBe(withinDepth(maxDepth));
      expect(bfs.depth).toBe(maxDepth);
    });
  }

  for (const maxDepth of [RM3_DEPTH, RM3_DEPTH + 1, 100]) {
    it(`maxDepth ${maxDepth} >= ${RM3_DEPTH}: pass`, () => {
      for (const strategy of ['bfs', 'dfs'] as const) {
        const result = check(twoPhaseModel(3), { strategy, maxDepth });
        expect(result.result, strategy).toBe('pass');
        expect(result.incompleteReason).toBeNull();
        expect(result.distinctStates).toBe(RM3_STATES);
      }
    });
  }

  it('a violation deeper than maxDepth is not found, and the result is incomplete', () => {
    const buggy = (): ReturnType<typeof twoPhaseModel> => twoPhaseModel(3, new Set(['rm-abort-after-prepare']));
    const shallow = check(buggy(), { maxDepth: 8 });
    expect(shallow.result).toBe('incomplete');
    expect(shallow.incompleteReason).toBe('max-depth');
    const deep = check(buggy(), { maxDepth: 9 });
    expect(deep.result).toBe('violation');
    expect(deep.violation!.steps.length - 1).toBe(9);
  });

  it('random simulation: walks no longer than maxDepth', () => {
    const result = check(twoPhaseModel(3), { strategy: 'random', maxDepth: 4, walks: 50 });
    expect(result.depth).toBe(4);
    expect(result.result).toBe('incomplete');
  });
});

describe('timeLimitSeconds', () => {
  // TwoPhase rm=7 has 296,448 states: seconds of work, so a tiny limit must cut it short.
  for (const strategy of STRATEGIES) {
    for (const timeLimitSeconds of [0, 0.01]) {
      it(`${strategy}, limit ${timeLimitSeconds} s on TwoPhase rm=7: incomplete/time-limit`, () => {
        const result = check(twoPhaseModel(7), { strategy, timeLimitSeconds });
        expect(result.result).toBe('incomplete');
        expect(result.incompleteReason).toBe('time-limit');
        expect(result.distinctStates).toBeLessThan(296_448);
        expect(result.seconds).toBeLessThan(5);
      });
    }
  }

  it('a generous limit does not stop a small search', () => {
    const result = check(twoPhaseModel(3), { timeLimitSeconds: 600 });
    expect(result.result).toBe('pass');
  });
});

describe('random simulation', () => {
  it('without a violation is incomplete with reason "simulation", never pass', () => {
    for (const seed of [0, 1, 2]) {
      const result = check(twoPhaseModel(3), { strategy: 'random', seed, walks: 100 });
      expect(result.result).toBe('incomplete');
      expect(result.incompleteReason).toBe('simulation');
      expect(result.violation).toBeNull();
      expect(result.distinctStates).toBeGreaterThan(1);
      expect(result.distinctStates).toBeLessThanOrEqual(RM3_STATES);
    }
  });
});

describe('onProgress', () => {
  function progressOf(strategy: Strategy, progressIntervalMs: number): Progress[] {
    const reports: Progress[] = [];
    const result = check(twoPhaseModel(5), { strategy, progressIntervalMs, onProgress: (p) => reports.push(p) });
    if (strategy !== 'random') expect(result.result).toBe('pass');
    for (let i = 1; i < reports.length; i++) {
      const [a, b] = [reports[i - 1]!, reports[i]!];
      expect(b.distinctStates).toBeGreaterThanOrEqual(a.distinctStates);
      expect(b.transitions).toBeGreaterThan(a.transitions);
      expect(b.seconds).toBeGreaterThanOrEqual(a.seconds);
    }
    for (const p of reports) {
      expect(p.distinctStates).toBeLessThanOrEqual(result.distinctStates);
      expect(p.transitions).toBeLessThanOrEqual(result.transitions);
      expect(p.queue).toBeGreaterThanOrEqual(0);
      expect(p.rssBytes).toBeGreaterThan(0);
    }
    return reports;
  }

  for (const strategy of STRATEGIES) {
    it(`${strategy}: called during a run longer than the interval, with growing counts`, () => {
      const reports = progressOf(strategy, 0);
      expect(reports.length).toBeGreaterThan(1);
      expect(reports[reports.length - 1]!.distinctStates).toBeGreaterThan(reports[0]!.distinctStates);
      expect(progressOf(strategy, 1).length).toBeGreaterThan(0);
    });
  }

  it('not called when the interval is longer than the run', () => {
    expect(progressOf('bfs', 3_600_000)).toEqual([]);
  });
});
