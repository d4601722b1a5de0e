import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { ABLATION_MODELS } from '../models/registry.js';
import type { Effect } from '../report/effects.js';
import { type ModelSummary, writeSummary } from '../report/summary.js';
import { readRecords } from '../run-folder.js';
import { tempDir } from '../testing/cli.js';
import { roundNumbers as numbers } from '../testing/records.js';
import { runStudy } from './study.js';

const tiny = parseConfig({ rounds: 2, epochs: 1, pairs: 60, batchSize: 30 });
const tmp = () => tempDir('study');
/** A record without its wall time, which is the one field allowed to differ between runs. */

describe('runStudy', () => {
  it('writes the run folder: config, a results line per round; the summary of the four seed models follows from it', async () => {
    const runDir = tmp();
    const outcome = await runStudy(tiny, { runDir, workers: 1 });
    writeSummary(runDir, tiny.models, outcome.records);
    for (const file of ['config.json', 'results.jsonl', 'summary.json', 'summary.md', 'summary.csv']) {
      assert.ok(existsSync(join(runDir, file)), file);
    }
    assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).config, tiny);
    assert.equal(readRecords(join(runDir, 'results.jsonl')).length, 8);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as ModelSummary[];
    assert.deepEqual(
      summary.map((s) => [s.model, s.params, s.rounds]),
      [
        ['baseline', 72_032, 2],
        ['baseline-aux', 40_692, 2],
        ['cnn', 67_228, 2],
        ['cnn-aux', 66_448, 2],
      ],
    );
    assert.equal(outcome.interrupted, false);
  });

  it('gives exactly the same per-round results with 2 workers as with 1', async () => {
    const config = { ...tiny, models: ['baseline-aux', 'cnn'] as const } as typeof tiny;
    const one = await runStudy(config, { runDir: tmp(), workers: 1 });
    const two = await runStudy(config, { runDir: tmp(), workers: 2 });
    assert.deepEqual(numbers(two.records), numbers(one.records));
  });

  it('over the eight ablation variants, writes the effects table', async () => {
    const runDir = tmp();
    const { records } = await runStudy({ ...tiny, models: [...ABLATION_MODELS] }, { runDir, workers: 2 });
    writeSummary(runDir, ABLATION_MODELS, records);
    const effects = JSON.parse(readFileSync(join(runDir, 'effects.json'), 'utf8')) as Effect[];
    assert.deepEqual(
      effects.map((e) => `${e.family}: ${e.effect}`),
      [
        'mlp: weight sharing (no aux)',
        'mlp: weight sharing (with aux)',
        'mlp: aux loss (no sharing)',
        'mlp: aux loss (with sharing)',
        'cnn: weight sharing (no aux)',
        'cnn: weight sharing (with aux)',
        'cnn: aux loss (no sharing)',
        'cnn: aux loss (with sharing)',
      ],
    );
    assert.match(readFileSync(join(runDir, 'summary.md'), 'utf8'), /## Effects of weight sharing and the auxiliary loss/);
  });
});
