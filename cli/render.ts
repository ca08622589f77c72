/**
 * Human-readable output: the `list` text, the per-model summary of `check`, counterexamples and
 * the progress line. Pure functions from data to strings; nothing here writes.
 *
 * @module
 */
import type { Action, CheckResult, Counterexample, Model, ModelDefinition, Progress, Size, State } from '../checker/index.js';
import type { ModelRun } from './options.js';
import { show } from '../traces/replay.js';

const MIB = 1024 * 1024;

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export const formatMiB = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;
export const formatSeconds = (s: number): string => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;
export const formatProbability = (p: number): string => (p === 0 ? '0' : p.toExponential(1));
export const formatSize = (size: Size): string =>
  Object.entries(size)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

/** Lines of `key  value` pairs with the keys padded to one column. */
function table(rows: readonly (readonly [string, string])[], indent: string): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`.trimEnd());
}

/** `clusterspec list` without `--json`. */
export function renderList(models: readonly ModelDefinition[]): string {
  const blocks = models.map((m) => {
    const lines = [`${m.name}  ${m.summary}`];
    lines.push(`  sizes: default ${formatSize(m.sizes.default)}, large ${formatSize(m.sizes.large)}`);
    lines.push('  size parameters (--size key=value):');
    lines.push(...table(Object.entries(m.sizeParams).map(([k, p]) => [k, `${p.description} (${p.min}..${p.max})`]), '    '));
    lines.push('  invariants:');
    lines.push(...table(m.invariants.map((i) => [i.id, i.description]), '    '));
    if (m.bugs.length === 0) {
      lines.push('  seeded bugs: none');
    } else {
      lines.push('  seeded bugs (--bug id):');
      lines.push(
        ...table(
          m.bugs.map((b) => [b.id, `breaks ${b.breaks}: ${b.description}${b.size !== undefined ? ` (caught at size ${formatSize(b.size)})` : ''}`]),
          '    ',
        ),
      );
    }
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** A one-line name of a run: `two-phase rm=3 bugs: x`. */
export function runLabel(run: ModelRun): string {
  const bugs = run.bugs.length > 0 ? ` with bugs ${run.bugs.join(', ')}` : '';
  return `${run.definition.name} ${formatSize(run.size)}${bugs}`;
}

const INCOMPLETE_EXPLANATIONS: Readonly<Record<string, string>> = {
  'max-states': 'stopped at --max-states',
  'max-depth': 'states beyond --max-depth were not explored',
  'time-limit': 'stopped at --time-limit',
  simulation: 'a random simulation never explores every state',
};

function verdictLine(result: CheckResult<State, Action>): string {
  switch (result.result) {
    case 'pass':
      return 'PASS: every reachable state satisfies every invariant';
    case 'violation':
      return `VIOLATION of ${result.violation!.invariant}`;
    case 'incomplete': {
      const reason = result.incompleteReason ?? 'unknown';
      return `INCOMPLETE (${reason}: ${INCOMPLETE_EXPLANATIONS[reason] ?? 'the search did not finish'}); no violation found`;
    }
  }
}

/** The summary of one checked model, and its counterexample when there is one. */
export function renderSummary(run: ModelRun, model: Model, result: CheckResult<State, Action>): string {
  const strategy = result.strategy === 'random' ? `random, seed ${result.seed}` : result.strategy;
  const lines = [`${runLabel(run)} (${strategy})`];
  lines.push(
    ...table(
      [
        ['result', verdictLine(result)],
        ['distinct states', formatCount(result.distinctStates)],
        ['transitions', formatCount(result.transitions)],
        ['depth', formatCount(result.depth)],
        ['time', formatSeconds(result.seconds)],
        ['states/s', formatCount(result.statesPerSecond)],
        ['peak RSS', formatMiB(result.peakRssBytes)],
        ['collision prob.', formatProbability(result.collisionProbability)],
      ],
      '  ',
    ),
  );
  lines.push('  coverage (times fired):');
  lines.push(...table(result.coverage.map((c) => [c.kind, formatCount(c.fired)]), '    '));
  if (result.neverFired.length > 0) {
    lines.push(`  warning: never fired: ${result.neverFired.join(', ')}`);
  }
  if (result.violation !== null) lines.push(renderCounterexample(model, result.violation));
  return `${lines.join('\n')}\n`;
}

/**
 * A counterexample step by step: each step's number, action label and view. Step 0 shows the
 * whole view; later steps only the view keys whose JSON changed.
 */
export function renderCounterexample(model: Model, violation: Counterexample<State, Action>): string {
  const steps = violation.steps;
  const what = violation.kind === 'state' ? 'state invariant' : 'step invariant';
  const count = steps.length - 1;
  const lines = [`  counterexample: ${what} ${violation.invariant} fails after ${count} step${count === 1 ? '' : 's'}`];
  let previous: ReadonlyMap<string, string> | undefined;
  steps.forEach((step, index) => {
    lines.push(`    step ${index}: ${step.action === null ? '(initial state)' : model.describe(step.action)}`);
    const view = new Map(Object.entries(model.view(step.state)).map(([k, v]) => [k, show(v)]));
    const rows: [string, string][] = [];
    for (const [k, json] of view) {
      if (previous === undefined || previous.get(k) !== json) rows.push([k, json]);
    }
    if (previous !== undefined) {
      for (const k of previous.keys()) if (!view.has(k)) rows.push([k, '(removed)']);
    }
    lines.push(...(rows.length === 0 ? ['      (no visible change)'] : table(rows, '      ')));
    previous = view;
  });
  return lines.join('\n');
}

/** `950`, `9,999`, `12.3k`, `4.57M`: short counts for the live terminal line. */
export function formatCompact(n: number): string {
  if (n < 10_000) return formatCount(n);
  for (const [unit, scale] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) {
    if (n >= scale) return `${(n / scale).toPrecision(3)}${unit}`;
  }
  return formatCount(n);
}

/** The progress line of a running search; `compact` shortens the numbers for a terminal. */
export function renderProgress(label: string, p: Progress, compact = false): string {
  const f = compact ? formatCompact : formatCount;
  return (
    `${label}: ${f(p.distinctStates)} distinct states, ${f(p.transitions)} transitions, ` +
    `${f(p.statesPerSecond)} states/s, depth ${f(p.depth)}, queue ${f(p.queue)}, ` +
    `RSS ${compact ? `${Math.round(p.rssBytes / MIB)} MiB` : formatMiB(p.rssBytes)}, ${Math.round(p.seconds)} s`
  );
}
