/**
 * The counterexample corpus: every seeded bug's shortest counterexample, at its model's default
 * size, stored under `traces/corpus/<model>/<bug>.json` and replayed by the test suite, so that a
 * model change that makes a stored trace impossible fails loudly. `npm run traces` regenerates it.
 *
 * @module
 */
import { check } from '../checker/check.js';
import type { ModelDefinition } from '../checker/model.js';
import type { TraceDocument } from './format.js';
import { traceDocument } from './format.js';

export const CORPUS_DIR = 'traces/corpus';

/** The corpus file of a bug, relative to {@link CORPUS_DIR}. */
export const corpusFile = (model: string, bug: string): string => `${model}/${bug}.json`;

/** The shortest counterexample of `bug` (breadth-first, at the bug's own size if it has one, else the default size), as a trace document. */
export function bugTrace(definition: ModelDefinition, bug: string): TraceDocument {
  const size = definition.bugs.find((b) => b.id === bug)?.size ?? definition.sizes.default;
  const model = definition.build(size, new Set([bug]));
  const result = check(model);
  if (result.violation === null) throw new Error(`${definition.name}: seeded bug ${bug} is not caught at the default size`);
  const v = result.violation;
  return traceDocument(
    { model: definition.name, size, bugs: [bug], strategy: result.strategy, seed: result.seed, invariant: v.invariant, kind: v.kind },
    model,
    v.steps,
  );
}
