/**
 * The differential property of a compiled role: from random reachable snapshots, random event
 * sequences give the same state value, context and effects through the compiled stepper as through
 * XState's own `transition()`.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { initialTransition, transition } from 'xstate';
import type { AnyStateMachine, EventObject, MachineContext } from 'xstate';
import type { CompiledRole, RoleSnapshot } from '../../machines/compile.js';
import type { RoleImpl } from '../../machines/role.js';
import { provideImpl } from '../../machines/role.js';
import { seededRandom } from '../../checker/random.js';

export interface DifferentialCase<C extends MachineContext, E extends EventObject, O> {
  readonly machine: AnyStateMachine;
  readonly impl: RoleImpl<C, E, O>;
  readonly compiled: CompiledRole<C, E, O>;
  /** The contexts a fresh role may start with. */
  readonly initialContexts: readonly C[];
  /** Events to draw from (with their payloads). */
  readonly events: readonly E[];
}

/** Snapshots reachable by random walks of the compiled role alone (deterministic). */
export function reachableSnapshots<C extends MachineContext, E extends EventObject, O>(c: DifferentialCase<C, E, O>, walks = 200, length = 12): RoleSnapshot<C>[] {
  const random = seededRandom(7);
  const seen = new Map<string, RoleSnapshot<C>>();
  for (let w = 0; w < walks; w++) {
    let s = c.compiled.initial(c.initialContexts[w % c.initialContexts.length]!);
    seen.set(JSON.stringify(s), s);
    for (let i = 0; i < length; i++) {
      const event = c.events[Math.floor(random() * c.events.length)]!;
      const next = c.compiled.step(s, event, []);
      if (next === undefined) continue;
      s = next;
      seen.set(JSON.stringify(s), s);
    }
  }
  return [...seen.values()];
}

/** Run the differential property (fast-check) for one role. */
export function expectCompiledMatchesXState<C extends MachineContext, E extends EventObject, O>(c: DifferentialCase<C, E, O>, numRuns = 300): number {
  const machine = provideImpl(c.machine as never, c.impl as never) as AnyStateMachine;
  const starts = reachableSnapshots(c);
  let steps = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: starts.length - 1 }),
      fc.array(fc.integer({ min: 0, max: c.events.length - 1 }), { minLength: 1, maxLength: 12 }),
      (startIndex, eventIndexes) => {
        let compiled = starts[startIndex]!;
        let xs = machine.resolveState({ value: c.compiled.configs[compiled.at]!.value, context: compiled.ctx });
        for (const e of eventIndexes) {
          const event = c.events[e]!;
          const sent: O[] = [];
          const next = c.compiled.step(compiled, event, sent);
          const enabled = machine.getTransitionData(xs, event).length > 0;
          const [xsNext, actions] = transition(machine, xs, event);
          const xsSent = actions.flatMap((a) => {
            const effect = c.impl.effects[a.type];
            const info = (a as unknown as { info: { context: C; event: E } }).info;
            return effect === undefined ? [] : [...effect(info.context, info.event, a.params as never)];
          });
          expect(next !== undefined, `enabled: ${event.type} in ${c.compiled.configs[compiled.at]!.name}`).toBe(enabled);
          expect(sent).toEqual(xsSent);
          if (next !== undefined) compiled = next;
          xs = xsNext;
          expect(xs.value).toEqual(c.compiled.configs[compiled.at]!.value);
          expect(xs.context).toEqual(compiled.ctx);
          steps++;
        }
      },
    ),
    { numRuns, seed: 42 },
  );
  return steps;
}

/**
 * A fresh role agrees with XState's `initialTransition()`: same configuration, context (entry
 * actions run once) and effects, for every initial context of the case.
 */
export function expectInitialMatchesXState<C extends MachineContext, E extends EventObject, O>(c: DifferentialCase<C, E, O>): void {
  const machine = provideImpl(c.machine as never, c.impl as never) as AnyStateMachine;
  for (const input of c.initialContexts) {
    const sent: O[] = [];
    const compiled = c.compiled.initial(input, sent);
    const [xs, actions] = initialTransition(machine, input);
    const xsSent = actions.flatMap((a) => {
      const effect = c.impl.effects[a.type];
      const info = (a as unknown as { info: { context: C; event: E } }).info;
      return effect === undefined ? [] : [...effect(info.context, info.event, a.params as never)];
    });
    expect(c.compiled.configs[compiled.at]!.value).toEqual(xs.value);
    expect(compiled.ctx).toEqual(xs.context);
    expect(sent).toEqual(xsSent);
  }
}
