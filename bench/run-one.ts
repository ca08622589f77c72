/**
 * The benchmark worker: checks one model at one size, exhaustively and breadth-first, and prints
 * the measurements as one line of JSON on stdout. `bench.ts` runs each configuration in a fresh
 * process of this module, so that the peak RSS it reports belongs to that configuration alone.
 *
 * Usage: `node dist/bench/run-one.js <model> '<size as JSON>'`, e.g. `two-phase '{"rm":6}'`.
 *
 * @module
 */
import { check } from '../checker/index.js';
import type { Size } from '../checker/index.js';
import { findModel, registry } from '../protocols/registry.js';
import type { CheckStatistics } from '../cli/report.js';

/** What one benchmark run measured (`bench.ts` prints these in its `results`). */
export interface BenchResult extends CheckStatistics {
  readonly model: string;
  readonly size: Size;
  /** The checker's verdict: `pass` unless the model is broken. */
  readonly result: string;
}

function fail(message: string): never {
  process.stderr.write(`run-one: ${message}\n`);
  process.exit(2);
}

/** The model's default size overridden by `given`, validated against its size parameters. */
function sizeFor(name: string, given: unknown): Size {
  const definition = findModel(name);
  if (definition === undefined) {
    fail(`unknown model "${name}"; known: ${registry.map((m) => m.name).join(', ')}`);
  }
  if (typeof given !== 'object' || given === null || Array.isArray(given)) fail('the size must be a JSON object');
  const size: Record<string, number> = { ...definition.sizes.default };
  for (const [key, value] of Object.entries(given)) {
    const param = definition.sizeParams[key];
    if (param === undefined) fail(`model "${name}" has no size parameter "${key}"`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < param.min || value > param.max) {
      fail(`size ${key} of "${name}" must be an integer in ${param.min}..${param.max}`);
    }
    size[key] = value;
  }
  return size;
}

function main(): void {
  const [name, sizeJson = '{}'] = process.argv.slice(2);
  if (name === undefined) fail("usage: run-one <model> '<size as JSON>'");
  let given: unknown;
  try {
    given = JSON.parse(sizeJson);
  } catch {
    fail(`the size is not valid JSON: ${sizeJson}`);
  }
  const size = sizeFor(name, given);
  const model = findModel(name)!.build(size, new Set());
  const r = check(model, { strategy: 'bfs' });
  const out: BenchResult = {
    model: name,
    size,
    result: r.result,
    distinctStates: r.distinctStates,
    transitions: r.transitions,
    depth: r.depth,
    seconds: r.seconds,
    statesPerSecond: r.statesPerSecond,
    peakRssBytes: r.peakRssBytes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
