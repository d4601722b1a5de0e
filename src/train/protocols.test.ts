/** The two protocols: the report as written, and the authors' published code (what produced Table III). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { makeRoundData } from '../data/pairs.js';
import { initBackend } from '../engine/backend.js';
import { Params } from '../models/layers.js';
import type { Forward } from '../models/model.js';
import { MODELS } from '../models/registry.js';
import { makeRng } from '../rng.js';
import { deadDigitUnits } from './evaluate.js';
import { trainEpoch } from './fit.js';
import { trainRound } from './round.js';

before(() => initBackend('wasm'));
const pools = loadPools(null);
const tiny = { rounds: 1, epochs: 2, pairs: 100, batchSize: 50 };

describe('protocol authors-code', () => {
  it("resolves the published code's recipes", () => {
    const { hyper } = parseConfig({ protocol: 'authors-code' });
    assert.deepEqual(
      [hyper.baseline, hyper['cnn-aux']].map((h) => [h!.learningRate, h!.l2, h!.shuffle, h!.batchSize, h!.digitLoss]),
      [
        [0.00112, 0.33333333, false, undefined, undefined],
        [0.00223, 0.11111111, false, 50, 'mean'],
      ],
    );
    assert.equal(hyper['baseline-aux']!.l2, 0, "Base_Aux's λ in the code is 0 (the report says 0.001)");
    assert.equal(hyper['baseline-aux']!.digitLossOn, 'pre-relu');
  });

  it('applies to the four seed models only', () => {
    assert.throws(() => parseConfig({ protocol: 'authors-code', models: ['cnn', 'digit-tower'] }), /protocol: authors-code follows .* not digit-tower/);
  });

  it("records the aux error as the authors' code computes it: exactly half the true pair error", () => {
    for (const model of ['baseline-aux', 'cnn-aux'] as const) {
      const r = trainRound({ model, round: 0 }, parseConfig({ ...tiny, models: [model], protocol: 'authors-code' }), pools).record;
      assert.ok(r.asComputed && r.inference);
      assert.equal(r.asComputed.trainErrorPercent, r.trainErrorPercent / 2, model);
      assert.equal(r.asComputed.testErrorPercent, r.testErrorPercent / 2, model);
      assert.ok(r.testErrorPercent > 0, 'a case with errors to halve');
    }
  });

  it('leaves the plain models\u2019 error whole (one row per pair)', () => {
    const r = trainRound({ model: 'cnn', round: 0 }, parseConfig({ ...tiny, models: ['cnn'], protocol: 'authors-code' }), pools).record;
    assert.deepEqual(r.asComputed, { trainErrorPercent: r.trainErrorPercent, testErrorPercent: r.testErrorPercent });
  });

  it('measures in training mode: with dropout on, the errors differ from inference mode', () => {
    const r = trainRound(
      { model: 'baseline', round: 0 },
      parseConfig({ ...tiny, epochs: 3, pairs: 200, models: ['baseline'], protocol: 'authors-code' }),
      pools,
    ).record;
    assert.notDeepEqual(
      [r.trainErrorPercent, r.testErrorPercent],
      [r.inference!.trainErrorPercent, r.inference!.testErrorPercent],
      'training-mode and inference-mode errors coincide',
    );
  });

  it('gives other numbers than the report protocol from the same seed', () => {
    for (const model of ['baseline', 'cnn-aux'] as const) {
      const [report, authors] = (['report', 'authors-code'] as const).map(
        (protocol) => trainRound({ model, round: 0 }, parseConfig({ ...tiny, models: [model], protocol }), pools).record,
      );
      assert.notDeepEqual(authors.batchLoss, report.batchLoss, model);
      assert.equal(report.asComputed, undefined);
    }
  });
});

describe('recipe options of the published code', () => {
  it('shuffle: false trains on the pairs in order, drawing nothing for it', () => {
    const data = makeRoundData(pools, 40, 0);
    const losses = (rngSeed: number) => {
      const params = new Params(makeRng(0, 'init'));
      const optimizer = tf.train.adam(0.001);
      try {
        return trainEpoch(
          { forward: MODELS.cnn.build(params), params, optimizer, batchSize: 20, hyper: { ...MODELS.cnn.hyper, shuffle: false } },
          data.train,
          makeRng(rngSeed, 'order'),
        );
      } finally {
        optimizer.dispose();
        params.dispose();
      }
    };
    assert.deepEqual(losses(1), losses(2), 'the CNN has no dropout, so only a shuffle could use the rng');
  });

  it("digitLossOn 'pre-relu' gives the loss the tower's values before its ReLU and the comparison the same values as before", () => {
    const data = makeRoundData(pools, 20, 0);
    const outputs = (digitLossOn: 'relu' | 'pre-relu') => {
      const params = new Params(makeRng(0, 'init'));
      try {
        return tf.tidy(() => {
          const out = MODELS['baseline-aux'].build(params, { ...MODELS['baseline-aux'].hyper, digitLossOn })(tf.tensor4d(data.train.input, [20, 2, 14, 14]), {
            mode: 'eval',
            rng: makeRng(0, 'x'),
          });
          return { comparison: Array.from(out.comparison.dataSync()), digits: Array.from(out.digits!.dataSync()) };
        });
      } finally {
        params.dispose();
      }
    };
    const [relu, pre] = [outputs('relu'), outputs('pre-relu')];
    assert.deepEqual(pre.comparison, relu.comparison);
    assert.ok(pre.digits.some((v) => v < 0));
    assert.deepEqual(
      pre.digits.map((v) => Math.max(0, v)),
      relu.digits,
    );
  });
});

describe('deadDigitUnits', () => {
  const set = makeRoundData(pools, 6, 0).train;
  /** A stand-in forward whose pre-ReLU digit outputs are `value(row, unit)`. */
  const fake =
    (value: (row: number, unit: number) => number): Forward =>
    (pairs) => {
      const rows = 2 * pairs.shape[0];
      return {
        comparison: tf.zeros([pairs.shape[0], 2]),
        digitsPreReLU: tf.tensor2d(
          Array.from({ length: rows * 10 }, (_, k) => value(Math.floor(k / 10), k % 10)),
          [rows, 10],
        ),
      };
    };

  it('counts the units at or below zero for every digit', () => {
    assert.equal(
      deadDigitUnits(
        fake((row, unit) => (unit < 3 ? -1 - row : unit === 3 ? (row === 5 ? 0.5 : -0.1) : 1)),
        set,
        makeRng(0, 'x'),
        1,
      ),
      3,
    );
  });

  it('counts each tower apart when two towers alternate rows', () => {
    // Unit 0 is negative on the first tower's rows (even) only; unit 1 on both.
    const value = (row: number, unit: number) => (unit === 0 ? (row % 2 === 0 ? -1 : 1) : unit === 1 ? -1 : 1);
    assert.equal(deadDigitUnits(fake(value), set, makeRng(0, 'x'), 1), 1);
    assert.equal(deadDigitUnits(fake(value), set, makeRng(0, 'x'), 2), 3);
  });

  it('is recorded for the aux models', () => {
    const r = trainRound({ model: 'cnn-aux', round: 0 }, parseConfig({ ...tiny, models: ['cnn-aux'] }), pools).record;
    assert.ok(Number.isInteger(r.deadDigitUnits) && r.deadDigitUnits! >= 0 && r.deadDigitUnits! <= 10);
    assert.equal(trainRound({ model: 'cnn', round: 0 }, parseConfig({ ...tiny, models: ['cnn'] }), pools).record.deadDigitUnits, undefined);
  });
});
