/**
 * `npm run bench`: checks each benchmark configuration exhaustively (breadth-first), each in its
 * own child process so that peak RSS is per configuration, and prints one JSON document on stdout.
 * Progress goes to stderr, one line per configuration as it finishes.
 *
 * Options:
 *   --model <name>   only this model (repeatable); a registered model without benchmark sizes
 *                    below is run at its `default` and `large` sizes
 *   --max-rm <n>     largest number of resource managers for two-phase (default 8)
 *   --repeat <k>     run each configuration k times and keep the fastest run (default 1)
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Size } from '../checker/index.js';
import { findModel, registry } from '../protocols/registry.js';
import type { BenchResult } from './run-one.js';
import { benchSteppers } from './steppers.js';

/** A model and the sizes to measure it at, in order. */
interface BenchConfig {
  readonly model: string;
  readonly sizes: readonly Size[];
}

/** The benchmark suite: two-phase at rm=3..maxRm, then every other registered model. */
function benchConfigs(maxRm: number): BenchConfig[] {
  const rms: Size[] = [];
  for (let rm = 3; rm <= maxRm; rm++) rms.push({ rm });
  // Every other registered model at its default and large sizes, in registry order.
  const others = registry
    .filter((m) => m.name !== 'two-phase')
    .map((m): BenchConfig => ({ model: m.name, sizes: [m.sizes.default, m.sizes.large] }));
  return [{ model: 'two-phase', sizes: rms }, ...others];
}

const WORKER = fileURLToPath(new URL('./run-one.js', import.meta.url));

function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function positiveInteger(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usageError(`--${option} must be a positive integer, not "${value}"`);
  return n;
}

/** Run one configuration in a fresh process and return what it measured. */
function runOne(model: string, size: Size): BenchResult {
  const child = spawnSync(process.execPath, [WORKER, model, JSON.stringify(size)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (child.error !== undefined) throw child.error;
  if (child.status !== 0) {
    throw new Error(`${model} ${JSON.stringify(size)}: worker exited with ${child.status ?? child.signal}`);
  }
  return JSON.parse(child.stdout) as BenchResult;
}

function formatSize(size: Size): string {
  return Object.entries(size)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function main(): void {
  let values: { model?: string[]; 'max-rm'?: string; repeat?: string };
  try {
    ({ values } = parseArgs({
      options: {
        model: { type: 'string', multiple: true },
        'max-rm': { type: 'string' },
        repeat: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  const maxRm = positiveInteger('max-rm', values['max-rm'], 8);
  const repeat = positiveInteger('repeat', values.repeat, 1);
  const suite = benchConfigs(maxRm);

  let configs: BenchConfig[] = suite;
  if (values.model !== undefined) {
    configs = values.model.map((name) => {
      const definition = findModel(name);
      if (definition === undefined) {
        usageError(`unknown model "${name}"; known: ${registry.map((m) => m.name).join(', ')}`);
      }
      return (
        suite.find((c) => c.model === name) ?? {
          model: name,
          sizes: [definition.sizes.default, definition.sizes.large],
        }
      );
    });
  }

  const results: BenchResult[] = [];
  for (const config of configs) {
    for (const size of config.sizes) {
      let best: BenchResult | undefined;
      for (let k = 0; k < repeat; k++) {
        const r = runOne(config.model, size);
        if (best === undefined || r.seconds < best.seconds) best = r;
      }
      results.push(best!);
      process.stderr.write(
        `${best!.model} ${formatSize(best!.size)}: ${best!.result}, ${best!.distinctStates} states, ` +
          `${best!.transitions} transitions, depth ${best!.depth}, ${best!.seconds.toFixed(2)} s, ` +
          `${best!.statesPerSecond} states/s, peak RSS ${Math.round(best!.peakRssBytes / 2 ** 20)} MiB\n`,
      );
    }
  }

  const cpus = os.cpus();
  const report = {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: { model: cpus[0]?.model.trim() ?? 'unknown', count: cpus.length },
    totalMemoryBytes: os.totalmem(),
    date: new Date().toISOString(),
    repeat,
    results,
    // Steps per second of each role's compiled stepper against XState's transition().
    steppers: values.model === undefined ? benchSteppers() : [],
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
