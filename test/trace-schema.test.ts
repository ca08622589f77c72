/**
 * The trace format's JSON Schema (`traces/trace.schema.json`) describes what clusterspec writes:
 * every stored counterexample validates, and documents that break the format do not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR } from '../traces/corpus.js';

const schema = JSON.parse(fs.readFileSync('traces/trace.schema.json', 'utf8')) as object;
// `steps` is an open tuple on purpose (step 0 is the initial state, then any number of steps):
// Ajv's strictTuples would warn that a prefixItems tuple has no matching maxItems.
const validate = new Ajv2020({ allErrors: true, strictTuples: false }).compile(schema);
const corpus = fs
  .readdirSync(CORPUS_DIR, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .map((f) => path.join(CORPUS_DIR, f));

describe('the trace JSON Schema', () => {
  it('every stored counterexample validates', () => {
    expect(corpus.length).toBeGreaterThan(0);
    for (const file of corpus) {
      const ok = validate(JSON.parse(fs.readFileSync(file, 'utf8')));
      expect(ok, `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('rejects a wrong version, a missing view, an initial step with an action, and unknown fields', () => {
    const trace = JSON.parse(fs.readFileSync(corpus[0]!, 'utf8')) as Record<string, unknown> & { steps: Record<string, unknown>[] };
    const variants: ((t: typeof trace) => void)[] = [
      (t) => (t['formatVersion'] = 0),
      (t) => delete t.steps[1]!['view'],
      (t) => (t.steps[0]!['action'] = 'Start'),
      (t) => (t['extra'] = true),
      (t) => (t['strategy'] = 'sideways'),
    ];
    for (const change of variants) {
      const copy = structuredClone(trace);
      change(copy);
      expect(validate(copy), String(change)).toBe(false);
    }
  });
});
