import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import type { FoldRecord } from '../train/records.js';
import { grid, type HParamsFile, runTune, selectHyper } from './tune.js';

describe('selectHyper', () => {
  it('picks the lowest mean validation error, ties going to the smaller λ', () => {
    const config = parseConfig({ models: ['cnn'], rounds: 1, tune: { folds: 2, learningRateFactors: [1], l2Factors: [0.1, 1, 10] } });
    const points = grid(config, 'cnn');
    const rec = (i: number, fold: number, err: number): FoldRecord => ({
      model: 'cnn',
      round: 0,
      fold,
      ...points[i],
      seed: 0,
      status: 'ok',
      trainErrorPercent: 0,
      validationErrorPercent: err,
      seconds: 1,
    });
    const chosen = selectHyper([rec(0, 0, 20), rec(0, 1, 22), rec(1, 0, 21), rec(1, 1, 21), rec(2, 0, 30), rec(2, 1, 12)], config).chosen.cnn;
    assert.deepEqual(chosen, points[0]); // every mean is 21: a tie, so the smallest λ wins
  });
});

describe('grid', () => {
  it('trains points that coincide only once (a model whose λ is 0)', () => {
    const config = parseConfig({ models: ['digit-tower'], tune: { learningRateFactors: [0.5, 1], l2Factors: [0.1, 1, 10] } });
    assert.deepEqual(grid(config, 'digit-tower'), [
      { learningRate: 0.002, l2: 0 },
      { learningRate: 0.004, l2: 0 },
    ]);
  });
});

describe('runTune', () => {
  it("writes hparams.json with the chosen values and every grid point's validation error", async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'tune-'));
    const config = parseConfig({
      models: ['cnn-aux'],
      rounds: 1,
      epochs: 1,
      pairs: 60,
      batchSize: 30,
      tune: { folds: 2, learningRateFactors: [0.5, 2], l2Factors: [1] },
    });
    await runTune(config, { runDir, workers: 2 });
    const file = join(runDir, 'hparams.json');
    assert.ok(existsSync(file));
    const hparams = JSON.parse(readFileSync(file, 'utf8')) as HParamsFile;
    assert.deepEqual(
      hparams.grid['cnn-aux']!.map((p) => [p.learningRate, p.l2, p.folds]),
      [
        [0.0011, 0.11, 2],
        [0.0044, 0.11, 2],
      ],
    );
    assert.ok([0.0011, 0.0044].includes(hparams.chosen['cnn-aux']!.learningRate));
  });
});
