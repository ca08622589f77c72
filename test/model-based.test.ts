/**
 * Model-based tests of each role's implementation, from its chart (DESIGN § 2.6): `xstate/graph`
 * gives the shortest paths to every state and the simple paths of the chart; each path drives the
 * implementation (the role's impl functions behind its compiled stepper) event by event, and at
 * every step the implementation must be in the state the chart says, with the same context.
 */
import { describe, expect, it } from 'vitest';
import { compileRole } from '../machines/compile.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { ROLE_CASES } from '../protocols/role-samples.js';
import { pathInputs, roleTestModel } from '../protocols/role-test-model.js';

for (const c of ROLE_CASES) {
  describe(`${c.model} ${c.role}: paths of the chart drive the implementation`, () => {
    const impl = c.implement(new Set());
    const compiled = compileRole(c.role, c.machine, impl);
    // The paths start from the first initial context, or from each (`pathsFromEveryContext`).
    const models = pathInputs(c).map((input) => ({ input, model: roleTestModel(c, impl, input) }));
    // Every state path of every configuration is a key the state tests match (`registry.refreshing`).
    const stateKeys = [...new Set(compiled.configs.flatMap((config) => [...config.active]))];

    const drive = async (input: object, path: ReturnType<ReturnType<typeof roleTestModel>['getShortestPaths']>[number]): Promise<number> => {
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
      const paths = models.flatMap(({ input, model }) => model.getShortestPaths({ allowDuplicatePaths: true }).map((path) => ({ input, path })));
      const reached = new Set(paths.map(({ path: p }) => compiled.configs.findIndex((cfg) => JSON.stringify(cfg.value) === JSON.stringify(p.state.value))));
      expect(reached.size).toBe(compiled.configs.length);
      let checks = 0;
      for (const { input, path } of paths) checks += await drive(input, path);
      expect(checks).toBeGreaterThanOrEqual(paths.length);
    });

    it('simple paths', async () => {
      for (const { input, model } of models) {
        const paths = model.getSimplePaths();
        expect(paths.length).toBeGreaterThan(0);
        for (const path of paths) await drive(input, path);
      }
    });
  });
}

describe('the model-based test can fail', () => {
  it('an implementation that diverges from its chart is caught', async () => {
    const c = ROLE_CASES.find((x) => x.role === 'tm')!;
    const chartImpl = c.implement(new Set(['tm-commit-without-all-votes']));
    // The chart's guard lets the TM commit on one vote; the implementation under test waits for all.
    const compiled = compileRole('tm', c.machine, c.implement(new Set()));
    const model = roleTestModel(c, chartImpl);
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
