/**
 * The stepper benchmark: steps per second of each role's compiled stepper against XState's own
 * `transition()` on the same (snapshot, event) pairs, drawn by random walks of the role alone.
 * Prints one JSON object; `npm run bench` includes it.
 *
 * @module
 */
import { transition } from 'xstate';
import type { AnyStateMachine } from 'xstate';
import { seededRandom } from '../checker/random.js';
import type { RoleSnapshot } from '../machines/compile.js';
import { compileRole } from '../machines/compile.js';
import { provideImpl } from '../machines/role.js';
import { ROLE_CASES } from '../protocols/role-samples.js';

export interface StepperResult {
  readonly model: string;
  readonly role: string;
  readonly compiledStepsPerSecond: number;
  readonly xstateStepsPerSecond: number;
  readonly speedup: number;
}

/** Run `body` over and over for about `seconds`; the number of calls per second. */
function rate(calls: number, body: () => void, seconds: number): number {
  body(); // warm up
  let done = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < seconds) {
    body();
    done += calls;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return Math.round(done / elapsed);
}

export function benchSteppers(seconds = 0.5): StepperResult[] {
  return ROLE_CASES.map((c) => {
    const impl = c.implement(new Set());
    const compiled = compileRole(c.role, c.machine, impl);
    const machine = provideImpl(c.machine as never, impl as never) as AnyStateMachine;
    const random = seededRandom(1);
    const pairs: { snapshot: RoleSnapshot<unknown>; event: { type: string } }[] = [];
    let s = compiled.initial(c.initialContexts[0]!);
    while (pairs.length < 1000) {
      const event = c.events[Math.floor(random() * c.events.length)]!;
      pairs.push({ snapshot: s, event });
      const next = compiled.step(s, event, []);
      s = next === undefined || random() < 0.05 ? (next ?? compiled.initial(c.initialContexts[0]!)) : next;
    }
    const resolved = pairs.map((p) => machine.resolveState({ value: compiled.configs[p.snapshot.at]!.value, context: p.snapshot.ctx as never }));
    const sent: unknown[] = [];
    const compiledRate = rate(pairs.length, () => {
      for (const p of pairs) {
        compiled.step(p.snapshot, p.event, sent);
        sent.length = 0;
      }
    }, seconds);
    const xstateRate = rate(pairs.length, () => {
      for (let i = 0; i < pairs.length; i++) transition(machine, resolved[i]!, pairs[i]!.event);
    }, seconds);
    return { model: c.model, role: c.role, compiledStepsPerSecond: compiledRate, xstateStepsPerSecond: xstateRate, speedup: Math.round(compiledRate / xstateRate) };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify({ node: process.version, steppers: benchSteppers() }, null, 2)}\n`);
}
