/**
 * The stored counterexample corpus (`traces/corpus/`): one trace per seeded bug of every model,
 * each still replayed by its model to the invariant its bug breaks, and only with the bug on.
 * When a model change makes a stored trace impossible, this fails: rerun `npm run traces` if the
 * change is intended.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../protocols/registry.js';
import { CORPUS_DIR, corpusFile } from '../traces/corpus.js';
import { parseTrace } from '../traces/format.js';
import { replay } from '../traces/replay.js';

describe('the counterexample corpus', () => {
  it('holds exactly one trace per seeded bug', () => {
    const expected = registry.flatMap((m) => m.bugs.map((b) => corpusFile(m.name, b.id))).sort();
    const stored = fs
      .readdirSync(CORPUS_DIR, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.split(path.sep).join('/'))
      .sort();
    expect(stored, 'run npm run traces').toEqual(expected);
  });

  for (const definition of registry) {
    for (const bug of definition.bugs) {
      it(`${definition.name} ${bug.id}: replays to ${bug.breaks}, and not without the bug`, () => {
        const trace = parseTrace(fs.readFileSync(path.join(CORPUS_DIR, corpusFile(definition.name, bug.id)), 'utf8'));
        expect(trace.bugs).toEqual([bug.id]);
        expect(trace.invariant).toBe(bug.breaks);
        const result = replay(definition.build(trace.size, new Set(trace.bugs)), trace);
        expect(result.ok ? null : `diverged at step ${result.divergedAt}: ${result.reason}`, 'the model no longer produces this trace (npm run traces regenerates the corpus)').toBeNull();
        if (result.ok) expect(result.brokenInvariant).toBe(bug.breaks);
        const without = replay(definition.build(trace.size, new Set()), trace);
        expect(without.ok && without.brokenInvariant === bug.breaks).toBe(false);
      });
    }
  }
});
