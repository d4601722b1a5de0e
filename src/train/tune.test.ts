import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { loadEmbeddedPools } from '../data/mnist.js';
import { makeRoundData } from '../data/pairs.js';
import { type FoldRecord, foldData, foldOf, grid, type HParamsFile, runTune, selectHyper } from './tune.js';

const pools = loadEmbeddedPools();

describe('cross-validation folds', () => {
  const config = parseConfig({ pairs: 101, tune: { folds: 3 } });

  it('are disjoint, cover every training pair, and differ in size by at most one', () => {
    const folds = foldOf(101, 3, 0);
    const sizes = [0, 1, 2].map((f) => folds.filter((x) => x === f).length);
    assert.deepEqual(sizes.sort(), [33, 34, 34]);
    const seen = new Set<string>();
    for (let fold = 0; fold < 3; fold++) {
      const { train, validation } = foldData(pools, config, 0, fold);
      assert.equal(train.count + validation.count, 101);
      const key = (set: typeof train, i: number) => `${set.poolIndex[2 * i]},${set.poolIndex[2 * i + 1]}`;
      const trainKeys = new Set(Array.from({ length: train.count }, (_, i) => key(train, i)));
      for (let i = 0; i < validation.count; i++) {
        assert.ok(!trainKeys.has(key(validation, i)), 'a validation pair is also a training pair');
        seen.add(key(validation, i));
      }
    }
    assert.equal(seen.size, 101, 'the validation folds together are the whole training set');
  });

  it("use only the round's training pairs, never a test-pool digit", () => {
    const round = makeRoundData(pools, 101, 0);
    const trainDigits = new Set(round.train.poolIndex);
    const { train, validation } = foldData(pools, config, 0, 1);
    for (const i of [...train.poolIndex, ...validation.poolIndex]) assert.ok(trainDigits.has(i));
  });
});

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
