/**
 * The `xstate/graph` test model of a role (DESIGN § 2.6), as both the model-based tests and
 * `clusterspec testgen` traverse it: the chart with the role's implementation, its sample events,
 * and a bound on the contexts explored.
 *
 * @module
 */
import type { AnyStateMachine } from 'xstate';
import { createTestModel } from 'xstate/graph';
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

/** The test model of a role, with `implementation` provided to its chart (by default the correct one). */
export function roleTestModel(c: RoleCase, implementation = c.implement(new Set())) {
  const machine = provideImpl(c.machine as never, implementation as never) as AnyStateMachine;
  return createTestModel(machine, {
    events: (c.allEventsInPaths === true ? [...c.events] : pathEvents(c.events)) as never,
    input: c.initialContexts[0],
    // States are (value, context); stop where the context's numbers get large.
    stopWhen: (snapshot) => largestNumber(snapshot.context) > CONTEXT_BOUND,
    ...(c.keyStatesBySnapshot === true ? { serializeTransition: () => '' } : {}),
  });
}
