/**
 * The `xstate/graph` test model of a role (DESIGN § 2.6), as both the model-based tests and
 * `clusterspec testgen` traverse it: the chart with the role's implementation, its sample events,
 * and a bound on the contexts explored.
 *
 * @module
 */
import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import { initialTransition, transition } from 'xstate';
import { createTestModel } from 'xstate/graph';
import type { StatePath } from 'xstate/graph';
import { provideImpl } from '../machines/role.js';
import type { RoleCase } from './role-samples.js';

/** Traversals stop at states whose context holds a number above this (logical times grow without bound). */
export const CONTEXT_BOUND = 6;

/**
 * The events paths are made of: small pools whole, larger ones one event of each type (the last,
 * which carries the largest times); a pool with many payloads per type multiplies the simple paths.
 */
export function pathEvents<E extends { type: string }>(events: readonly E[]): E[] {
  if (events.length <= 6) return [...events];
  return [...new Map(events.map((e) => [e.type, e])).values()];
}

function largestNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === null || typeof value !== 'object') return 0;
  return Math.max(0, ...Object.values(value).map(largestNumber));
}

/** The initial contexts the role's paths start from: the first, or every one (`pathsFromEveryContext`). */
export function pathInputs(c: RoleCase): readonly object[] {
  return c.pathsFromEveryContext === true ? c.initialContexts : c.initialContexts.slice(0, 1);
}

interface PathOptions {
  readonly input?: unknown;
  readonly fromState?: AnyMachineSnapshot;
  readonly events: (snapshot: AnyMachineSnapshot) => readonly EventObject[];
  readonly stopWhen?: (snapshot: AnyMachineSnapshot) => boolean;
}

/**
 * The simple paths of a chart over its configurations (`simplePathsOverConfigurations`): each
 * path visits a configuration at most once, and goes on until no event leads to a configuration
 * it has not visited (its prefixes are the shorter paths). A step that stays in its configuration
 * is not taken here; the shortest paths reach every snapshot those steps lead to.
 */
function configurationSimplePaths(machine: AnyStateMachine, options: PathOptions): StatePath<AnyMachineSnapshot, EventObject>[] {
  const from = options.fromState ?? initialTransition(machine, options.input)[0];
  const paths: StatePath<AnyMachineSnapshot, EventObject>[] = [];
  const steps: { state: AnyMachineSnapshot; event: EventObject }[] = [{ state: from, event: { type: 'xstate.init' } }];
  const visited = new Set<string>();
  const visit = (state: AnyMachineSnapshot): void => {
    const key = JSON.stringify(state.value);
    visited.add(key);
    let extended = false;
    if (options.stopWhen?.(state) !== true) {
      for (const event of options.events(state)) {
        const [next] = transition(machine, state, event);
        if (visited.has(JSON.stringify(next.value))) continue;
        extended = true;
        steps.push({ state: next, event });
        visit(next);
        steps.pop();
      }
    }
    if (!extended) paths.push({ state, steps: [...steps], weight: steps.length - 1 });
    visited.delete(key);
  };
  visit(from);
  return paths;
}

/**
 * The test model of a role from `input` (by default its first initial context), with
 * `implementation` provided to its chart (by default the correct one).
 */
export function roleTestModel(c: RoleCase, implementation = c.implement(new Set()), input: object = c.initialContexts[0]!) {
  const machine = provideImpl(c.machine as never, implementation as never) as AnyStateMachine;
  const of = c.pathEventsOf;
  const model = createTestModel(machine, {
    events: (c.allEventsInPaths === true
      ? [...c.events]
      : of === undefined
        ? pathEvents(c.events)
        : (snapshot: { context: unknown }) => of(snapshot.context)) as never,
    input,
    // States are (value, context); stop where the context's numbers get large.
    stopWhen: (snapshot) => largestNumber(snapshot.context) > CONTEXT_BOUND,
    ...(c.keyStatesBySnapshot === true ? { serializeTransition: () => '' } : {}),
  });
  if (c.simplePathsOverConfigurations === true) {
    model.getSimplePaths = (options) => model.getPaths(configurationSimplePaths as never, options);
  }
  return model;
}
