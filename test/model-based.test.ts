/**
 * Model-based tests of each role's implementation, from its chart (DESIGN § 2.6): `xstate/graph`
 * gives the shortest paths to every state and the simple paths of the chart; each path drives the
 * implementation (the role's impl functions behind its compiled stepper) event by event, and at
 * every step the implementation must be in the state the chart says, with the same context.
 */
import { describe, expect, it } from 'vitest';
import { createTestModel } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';
import { compileRole } from '../machines/compile.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { provideImpl } from '../machines/role.js';
import { ROLE_CASES } from '../protocols/role-samples.js';

/** Traversals stop at states whose context holds a number above this (a logical time, a count). */
const BOUND = 6;

/**
 * Small pools whole, larger ones one event of each type (the last, which carries the largest times): paths are over
 * the chart's transitions, and a pool with many payloads per type multiplies the simple paths.
 */
function pathEvents<E extends { type: string }>(events: readonly E[]): E[] {
  if (events.length <= 6) return [...events];
  return [...new Map(events.map((e) => [e.type, e])).values()];
}

function largestNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === null || typeof value !== 'object') return 0;
  return Math.max(0, ...Object.values(value).map(largestNumber));
}

for (const c of ROLE_CASES) {
  describe(`${c.model} ${c.role}: paths of the chart drive the implementation`, () => {
    const impl = c.implement(new Set());
    const machine = provideImpl(c.machine as never, impl as never) as AnyStateMachine;
    const compiled = compileRole(c.role, c.machine, impl);
    const input = c.initialContexts[0]!;
    const model = createTestModel(machine, {
      events: pathEvents(c.events) as never,
      input,
      // States are (value, context); logical times grow without bound, so stop where they get large.
      stopWhen: (snapshot) => largestNumber(snapshot.context) > BOUND,
    });
    // Every state path of every configuration is a key the state tests match (`registry.refreshing`).
    const stateKeys = [...new Set(compiled.configs.flatMap((config) => [...config.active]))];

    const drive = async (path: ReturnType<typeof model.getShortestPaths>[number]): Promise<number> => {
      let sut: RoleSnapshot<unknown> = compiled.initial(input);
      let checks = 0;
      const events = Object.fromEntries(
        compiled.eventTypes.map((type) => [
          type,
          ({ event }: { event: { type: string } }) => {
            sut = compiled.step(sut, event, []) ?? sut;
          },
        ]),
      );
      const states = Object.fromEntries(
        stateKeys.map((key) => [
          key,
          (snapshot: { context: unknown }) => {
            expect(compiled.isIn(sut.at, key), `implementation in ${key}`).toBe(true);
            expect(sut.ctx).toEqual(snapshot.context);
            checks++;
          },
        ]),
      );
      await path.test({ events, states } as never);
      return checks;
    };

    it('shortest paths reach every configuration of the chart', async () => {
      const paths = model.getShortestPaths({ allowDuplicatePaths: true });
      const reached = new Set(paths.map((p) => compiled.configs.findIndex((cfg) => JSON.stringify(cfg.value) === JSON.stringify(p.state.value))));
      expect(reached.size).toBe(compiled.configs.length);
      let checks = 0;
      for (const path of paths) checks += await drive(path);
      expect(checks).toBeGreaterThanOrEqual(paths.length);
    });

    it('simple paths', async () => {
      const paths = model.getSimplePaths();
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) await drive(path);
    });
  });
}

describe('the model-based test can fail', () => {
  it('an implementation that diverges from its chart is caught', async () => {
    const c = ROLE_CASES.find((x) => x.role === 'tm')!;
    const chartImpl = c.implement(new Set(['tm-commit-without-all-votes']));
    const machine = provideImpl(c.machine as never, chartImpl as never) as AnyStateMachine;
    // The chart's guard lets the TM commit on one vote; the implementation under test waits for all.
    const compiled = compileRole('tm', c.machine, c.implement(new Set()));
    const model = createTestModel(machine, { events: pathEvents(c.events) as never, input: c.initialContexts[0] });
    let failures = 0;
    for (const path of model.getSimplePaths()) {
      let sut: RoleSnapshot<unknown> = compiled.initial(c.initialContexts[0]!);
      const events = Object.fromEntries(compiled.eventTypes.map((t) => [t, ({ event }: { event: { type: string } }) => void (sut = compiled.step(sut, event, []) ?? sut)]));
      const states = { '*': (snapshot: { value: unknown }) => expect(compiled.configs[sut.at]!.value).toEqual(snapshot.value) };
      await path.test({ events, states } as never).catch(() => failures++);
    }
    expect(failures).toBeGreaterThan(0);
  });
});
