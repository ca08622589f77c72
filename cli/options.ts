/**
 * Validation of `clusterspec check` input: turns the raw strings commander collected into a
 * {@link CheckPlan}, or throws a {@link UsageError} whose one-line message names the problem.
 * Nothing here renders output or runs the checker.
 *
 * @module
 */
import type { CheckOptions, ModelDefinition, Size, Strategy } from '../checker/index.js';
import { STRATEGIES } from '../checker/index.js';
import { UsageError } from './errors.js';
import { assertWritableTarget } from './atomic-write.js';

/** The options of `check` as commander hands them over: strings, unvalidated. */
export interface RawCheckOptions {
  readonly all?: boolean;
  readonly size?: readonly string[];
  readonly large?: boolean;
  readonly bug?: readonly string[];
  readonly strategy?: string;
  readonly seed?: string;
  readonly maxStates?: string;
  readonly maxDepth?: string;
  readonly timeLimit?: string;
  readonly walks?: string;
  readonly json?: boolean;
  readonly traceOut?: string;
  readonly quiet?: boolean;
}

/** One model to check: its definition, the full size and the bugs switched on. */
export interface ModelRun {
  readonly definition: ModelDefinition;
  readonly size: Size;
  /** Bug ids, in the order the model declares them. */
  readonly bugs: readonly string[];
}

/** A validated `check` invocation. */
export interface CheckPlan {
  readonly runs: readonly ModelRun[];
  /** `true` when the output is one object rather than an array: one model named, no `--all`. */
  readonly single: boolean;
  /** The checker options shared by every run (progress is added by the caller). */
  readonly options: CheckOptions & { readonly strategy: Strategy; readonly seed: number };
  readonly json: boolean;
  readonly traceOut: string | undefined;
  readonly quiet: boolean;
}

/** The largest seed: the random simulation uses the seed as an unsigned 32-bit integer. */
export const MAX_SEED = 0xffffffff;

const list = (items: readonly string[]): string => (items.length === 0 ? 'none' : items.join(', '));

/** Parse a decimal integer of at least `min` (0 or 1) for option `flag`. */
export function parseCount(flag: string, text: string, min: 0 | 1, max = Number.MAX_SAFE_INTEGER): number {
  const what = min === 0 ? 'a non-negative integer' : 'a positive integer';
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be ${what}, got "${text}"`);
  const n = Number(text);
  if (n < min) throw new UsageError(`${flag} must be ${what}, got "${text}"`);
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`${flag} must be at most ${max}, got "${text}"`);
  return n;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600 };

/** Parse a duration (`30`, `30s`, `1.5m`, `2h`) into seconds; it must be greater than zero. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?|\.\d+)([smh]?)$/.exec(text);
  if (match === null) {
    throw new UsageError(`${flag} "${text}" is not a duration: use seconds, or a number with s, m or h (e.g. 30, 30s, 5m, 1h)`);
  }
  const seconds = Number(match[1]) * DURATION_UNITS[match[2]!]!;
  if (!(seconds > 0)) throw new UsageError(`${flag} must be greater than zero, got "${text}"`);
  return seconds;
}

export function parseStrategy(text: string): Strategy {
  const strategy = STRATEGIES.find((s) => s === text);
  if (strategy === undefined) throw new UsageError(`unknown strategy "${text}" (expected one of: ${STRATEGIES.join(', ')})`);
  return strategy;
}

/** The models to check: the named ones in order, or every registered one for `--all`. */
export function selectModels(
  names: readonly string[],
  all: boolean,
  registry: readonly ModelDefinition[],
): readonly ModelDefinition[] {
  const known = `known: ${list(registry.map((m) => m.name))}`;
  if (all) {
    if (names.length > 0) throw new UsageError(`--all cannot be combined with model names (got ${names.join(', ')})`);
    return registry;
  }
  if (names.length === 0) throw new UsageError(`check needs a model name or --all (${known})`);
  const seen = new Set<string>();
  return names.map((name) => {
    const definition = registry.find((m) => m.name === name);
    if (definition === undefined) throw new UsageError(`unknown model "${name}" (${known})`);
    if (seen.has(name)) throw new UsageError(`model "${name}" is named twice`);
    seen.add(name);
    return definition;
  });
}

/** One `--size key=value`, split and parsed but not yet checked against a model. */
interface SizeAssignment {
  readonly text: string;
  readonly key: string;
  readonly value: number;
}

function parseSizeAssignment(text: string): SizeAssignment {
  const match = /^([^=\s]+)=(.*)$/.exec(text);
  if (match === null) throw new UsageError(`--size "${text}" is malformed: expected key=value, e.g. --size rm=4`);
  const key = match[1]!;
  const valueText = match[2]!;
  if (!/^-?\d+$/.test(valueText)) throw new UsageError(`--size ${text}: "${valueText}" is not an integer`);
  return { text, key, value: Number(valueText) };
}

/**
 * The size of every model: its `default` (or `large`) size with the `--size` assignments applied.
 * A key must be a size parameter of at least one model and is applied to every model that has it;
 * the value must be in that model's range. A later assignment of a key overrides an earlier one.
 */
export function resolveSizes(
  models: readonly ModelDefinition[],
  assignments: readonly string[],
  large: boolean,
): readonly Size[] {
  const parsed = assignments.map(parseSizeAssignment);
  for (const { key, text } of parsed) {
    if (!models.some((m) => Object.hasOwn(m.sizeParams, key))) {
      const params = [...new Set(models.flatMap((m) => Object.keys(m.sizeParams)))];
      const owner = models.length === 1 ? `${models[0]!.name} has` : 'the selected models have';
      throw new UsageError(`unknown size parameter "${key}" in --size ${text} (${owner}: ${list(params)})`);
    }
  }
  return models.map((m) => {
    const size: Record<string, number> = { ...(large ? m.sizes.large : m.sizes.default) };
    for (const { key, value, text } of parsed) {
      if (!Object.hasOwn(m.sizeParams, key)) continue;
      const param = m.sizeParams[key]!;
      if (!Number.isSafeInteger(value) || value < param.min || value > param.max) {
        const which = models.length > 1 ? ` for ${m.name}` : '';
        throw new UsageError(`--size ${text} is out of range: ${key} must be between ${param.min} and ${param.max}${which}`);
      }
      size[key] = value;
    }
    return size;
  });
}

/** The bugs of every model: each `--bug` must belong to at least one model and goes to those that have it. */
export function resolveBugs(models: readonly ModelDefinition[], bugIds: readonly string[]): readonly (readonly string[])[] {
  for (const id of bugIds) {
    if (!models.some((m) => m.bugs.some((b) => b.id === id))) {
      const known = [...new Set(models.flatMap((m) => m.bugs.map((b) => b.id)))];
      const owner = models.length === 1 ? `${models[0]!.name} has` : 'the selected models have';
      throw new UsageError(`unknown bug "${id}" (${owner}: ${list(known)})`);
    }
  }
  const wanted = new Set(bugIds);
  return models.map((m) => m.bugs.filter((b) => wanted.has(b.id)).map((b) => b.id));
}

/** Validate everything `check` was given. Throws {@link UsageError} on the first problem. */
export function buildCheckPlan(
  names: readonly string[],
  raw: RawCheckOptions,
  registry: readonly ModelDefinition[],
): CheckPlan {
  const all = raw.all === true;
  const models = selectModels(names, all, registry);
  const strategy = parseStrategy(raw.strategy ?? 'bfs');
  const seed = raw.seed === undefined ? 0 : parseCount('--seed', raw.seed, 0, MAX_SEED);
  const maxStates = raw.maxStates === undefined ? undefined : parseCount('--max-states', raw.maxStates, 1);
  const maxDepth = raw.maxDepth === undefined ? undefined : parseCount('--max-depth', raw.maxDepth, 0);
  const timeLimitSeconds = raw.timeLimit === undefined ? undefined : parseDuration('--time-limit', raw.timeLimit);
  const walks = raw.walks === undefined ? undefined : parseCount('--walks', raw.walks, 1);
  if (walks !== undefined && strategy !== 'random') {
    throw new UsageError(`--walks applies only to --strategy random (the strategy is ${strategy})`);
  }
  const sizes = resolveSizes(models, raw.size ?? [], raw.large === true);
  const bugs = resolveBugs(models, raw.bug ?? []);
  if (raw.traceOut !== undefined) assertWritableTarget(raw.traceOut, '--trace-out');

  const options: CheckPlan['options'] = {
    strategy,
    seed,
    ...(maxStates !== undefined && { maxStates }),
    ...(maxDepth !== undefined && { maxDepth }),
    ...(timeLimitSeconds !== undefined && { timeLimitSeconds }),
    ...(walks !== undefined && { walks }),
  };
  return {
    runs: models.map((definition, i) => ({ definition, size: sizes[i]!, bugs: bugs[i]! })),
    single: !all && models.length === 1,
    options,
    json: raw.json === true,
    traceOut: raw.traceOut,
    quiet: raw.quiet === true,
  };
}
