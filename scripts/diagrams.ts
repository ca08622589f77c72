/**
 * `npm run diagrams`: regenerate `docs/diagrams/` (see `scripts/diagram-docs.ts`), removing the
 * files of roles and models that are gone.
 *
 * @module
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registry } from '../protocols/registry.js';
import { diagramFiles, DIAGRAMS_DIR, filesUnder } from './diagram-docs.js';

// Compiled to dist/scripts/diagrams.js: the repository is two levels up.
const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = path.join(root, DIAGRAMS_DIR);
const files = await diagramFiles(registry);

for (const file of filesUnder(dir)) {
  if (!files.has(file)) {
    fs.rmSync(path.join(dir, file));
    process.stdout.write(`removed ${path.join(DIAGRAMS_DIR, file)}\n`);
  }
}
let written = 0;
for (const [file, content] of files) {
  const target = path.join(dir, file);
  if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === content) continue;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, content);
  written++;
  process.stdout.write(`wrote ${path.join(DIAGRAMS_DIR, file)}\n`);
}
// Directories left empty by removed models.
for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
  const sub = path.join(dir, entry.name);
  if (entry.isDirectory() && fs.readdirSync(sub).length === 0) fs.rmdirSync(sub);
}
process.stdout.write(`${DIAGRAMS_DIR}: ${files.size} files, ${written} changed\n`);
