/**
 * Binding a role's statechart to its implementation.
 *
 * A role's implementation (in `impl/`) is three maps of pure functions over the role's context:
 *
 * - **guards** `(ctx, event, params) => boolean`;
 * - **updates** `(ctx, event, params) => ctx`, which become XState `assign` actions;
 * - **effects** `(ctx, event, params) => outputs`, the messages the role sends; they read the
 *   context as it is at their place in the transition's action list and change nothing.
 *
 * {@link xstateGuards} and {@link xstateActions} turn such an implementation into XState's `setup(...)`, so a chart names its
 * guards and actions and stays the readable, diagrammable protocol, while `machines/compile.ts`
 * turns the same chart and implementation into a fast stepper for the checker.
 *
 * @module
 */
import { assign } from 'xstate';
import type { EventObject, MachineContext, StateMachine } from 'xstate';

/** Static parameters of a guard or action reference (`{ type, params }` in a chart). */
export type Params = Readonly<Record<string, unknown>> | undefined;

export type GuardFn<C, E> = (ctx: C, event: E, params: Params) => boolean;
export type UpdateFn<C, E> = (ctx: C, event: E, params: Params) => C;
export type EffectFn<C, E, O> = (ctx: C, event: E, params: Params) => readonly O[];

/** The implementation of one role: every guard and action its chart names. */
export interface RoleImpl<C, E, O> {
  readonly guards: Readonly<Record<string, GuardFn<C, E>>>;
  readonly updates: Readonly<Record<string, UpdateFn<C, E>>>;
  readonly effects: Readonly<Record<string, EffectFn<C, E, O>>>;
}

/** A role's static description: its chart and a factory of its implementation for a set of bugs. */
export interface RoleDefinition<C extends MachineContext, E extends EventObject, O> {
  readonly name: string;
  readonly summary: string;
  /** The XState machine, bound to the implementation with no bugs switched on. */
  readonly machine: RoleMachine<C, E>;
  /** The implementation with the given seeded bugs switched on. */
  implement(bugs: ReadonlySet<string>): RoleImpl<C, E, O>;
}

/** The `types` of a role's `setup(...)`: its context, its events, and the context as input. */
export type RoleTypes<C extends MachineContext, E extends EventObject> = { context: C; events: E; input: C };

/** A role's machine, as `setup({ types, guards, actions }).createMachine(...)` makes it. */
export type RoleMachine<C extends MachineContext, E extends EventObject> = StateMachine<C, E, any, any, any, any, any, any, any, C, any, any, any, any>;

/** The XState guard implementations of `guards`. */
export function xstateGuards<C, E, G extends Readonly<Record<string, GuardFn<C, E>>>>(guards: G) {
  const out: Record<string, (args: { context: C; event: E }, params: Params) => boolean> = {};
  for (const [name, guard] of Object.entries(guards)) out[name] = ({ context, event }, params) => guard(context, event, params);
  return out as unknown as { [K in keyof G]: (args: { context: C; event: E }, params: undefined) => boolean };
}

/**
 * The XState action implementations of an implementation: updates as `assign`, effects as plain
 * actions that do nothing when run (a transition's effects are read from the executable actions
 * that XState's `transition()` returns; see `test/role-differential.test.ts`).
 */
export function xstateActions<
  C extends MachineContext,
  E extends EventObject,
  O,
  U extends Readonly<Record<string, UpdateFn<C, E>>>,
  F extends Readonly<Record<string, EffectFn<C, E, O>>>,
>(impl: { readonly updates: U; readonly effects: F }) {
  const out: Record<string, unknown> = {};
  for (const [name, update] of Object.entries(impl.updates)) {
    out[name] = assign(({ context, event }: { context: C; event: E }, params: Params) => update(context, event, params));
  }
  for (const name of Object.keys(impl.effects)) {
    if (name in out) throw new Error(`action "${name}" is both an update and an effect`);
    out[name] = () => undefined;
  }
  return out as unknown as { [K in keyof U | keyof F]: (args: { context: C; event: E }, params: undefined) => void };
}

/** The machine with another implementation (e.g. one with seeded bugs switched on). */
export function provideImpl<C extends MachineContext, E extends EventObject, O>(
  machine: RoleMachine<C, E>,
  impl: RoleImpl<C, E, O>,
): RoleMachine<C, E> {
  return machine.provide({
    guards: xstateGuards<C, E, RoleImpl<C, E, O>["guards"]>(impl.guards),
    actions: xstateActions<C, E, O, RoleImpl<C, E, O>["updates"], RoleImpl<C, E, O>["effects"]>(impl),
  } as never) as RoleMachine<C, E>;
}
