/**
 * `clusterspec list`: the registered models with their sizes, invariants and seeded bugs.
 *
 * @module
 */
import type { ModelDefinition } from '../checker/index.js';
import { EXIT, type ExitCode } from './errors.js';
import { renderList } from './render.js';
import { modelListing } from './report.js';

export interface ListOptions {
  readonly json?: boolean;
}

export function runList(models: readonly ModelDefinition[], options: ListOptions): ExitCode {
  const text = options.json === true ? `${JSON.stringify(models.map(modelListing), null, 2)}\n` : renderList(models);
  process.stdout.write(text);
  return EXIT.pass;
}
