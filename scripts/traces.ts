/**
 * `npm run traces`: regenerate the counterexample corpus under `traces/corpus/` (see
 * `traces/corpus.ts`): one trace per seeded bug of every registered model.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registry } from '../protocols/registry.js';
import { bugTrace, CORPUS_DIR, corpusFile } from '../traces/corpus.js';
import { serializeTrace } from '../traces/format.js';

// Compiled to dist/scripts/traces.js: the repository is two levels up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = path.join(root, CORPUS_DIR);
fs.rmSync(dir, { recursive: true, force: true });
let count = 0;
for (const definition of registry) {
  for (const bug of definition.bugs) {
    const file = path.join(dir, corpusFile(definition.name, bug.id));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const trace = bugTrace(definition, bug.id);
    fs.writeFileSync(file, serializeTrace(trace));
    count++;
    process.stdout.write(`wrote ${path.join(CORPUS_DIR, corpusFile(definition.name, bug.id))}: ${trace.steps.length - 1} steps to ${trace.invariant}\n`);
  }
}
process.stdout.write(`${CORPUS_DIR}: ${count} traces\n`);
