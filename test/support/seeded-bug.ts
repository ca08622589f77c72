/**
 * The shared check of a seeded bug: with the bug on, breadth-first search finds a violation of the
 * invariant the bug breaks, with a shortest trace of the pinned length that the model replays step
 * by step; with the bug off, the same run does not exist or keeps that invariant (the bug is what
 * breaks it).
 */
import { expect } from 'vitest';
import { check } from '../../checker/check.js';
import type { Action, BugInfo, Model, State } from '../../checker/model.js';

export function expectSeededBugCaught<S extends State, A extends Action>(build: (bugs: ReadonlySet<string>) => Model<S, A>, bug: BugInfo, traceLength: number | undefined): void {
  const model = build(new Set([bug.id]));
  const result = check(model);
  expect(result.result).toBe('violation');
  expect(result.violation!.invariant).toBe(bug.breaks);
  const steps = result.violation!.steps;
  expect(steps.length - 1).toBe(traceLength);
  // Replay: each state is the successor of the previous one under the step's action.
  expect(JSON.stringify(steps[0]!.state)).toBe(JSON.stringify(model.init()[0]));
  for (let i = 1; i < steps.length; i++) {
    expect(JSON.stringify(model.next(steps[i - 1]!.state, steps[i]!.action!))).toBe(JSON.stringify(steps[i]!.state));
  }
  const correct = build(new Set());
  const inv = correct.invariants.find((x) => x.id === bug.breaks);
  const stepInv = correct.stepInvariants.find((x) => x.id === bug.breaks);
  let s = correct.init()[0]!;
  let broken = false;
  for (const step of steps.slice(1)) {
    const next = correct.next(s, step.action!);
    if (next === undefined) break;
    if ((inv !== undefined && !inv.holds(next)) || (stepInv !== undefined && !stepInv.holds(s, step.action!, next))) broken = true;
    s = next;
  }
  expect(broken).toBe(false);
}
