/**
 * The diagrams checked in under `docs/diagrams/` are those `npm run diagrams` makes from the
 * registered models' statecharts today.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { registry } from '../protocols/registry.js';
import { diagramFiles, DIAGRAMS_DIR, staleFiles } from '../scripts/diagram-docs.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

describe('docs/diagrams', () => {
  it('is up to date with the statecharts of the registered models', async () => {
    const expected = await diagramFiles(registry);
    const stale = staleFiles(path.join(ROOT, DIAGRAMS_DIR), expected).map((file) => `${DIAGRAMS_DIR}/${file}`);
    expect(stale, `stale: ${stale.join(', ')}: run npm run diagrams`).toEqual([]);
  });

  it('has a Mermaid, DOT and SVG file for every role', async () => {
    const files = await diagramFiles(registry);
    for (const model of registry) {
      for (const role of model.roles ?? []) {
        for (const ext of ['mmd', 'dot', 'svg']) expect(files.has(`${model.name}/${role.name}.${ext}`)).toBe(true);
        expect(files.get('README.md')).toContain(`(${model.name}/${role.name}.svg)`);
      }
    }
  });
});
