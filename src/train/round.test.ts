import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { initBackend } from '../engine/backend.js';
import { trainRound } from './round.js';

before(() => initBackend('wasm'));
const pools = loadPools(null);

describe('trainRound', () => {
  const config = parseConfig({ models: ['baseline-aux'], rounds: 1, epochs: 2, pairs: 200, batchSize: 50 });

  it('records errors, per-epoch errors, a loss per mini-batch and the seed', () => {
    const result = trainRound({ model: 'baseline-aux', round: 3 }, config, pools).record;
    assert.equal(result.seed, 3);
    assert.equal(result.params, 40_692);
    assert.equal(result.epochs.length, 2);
    assert.equal(result.batchLoss.length, 2 * (200 / 50));
    assert.equal(result.testErrorPercent, result.epochs[1].testErrorPercent);
    assert.ok(result.trainErrorPercent >= 0 && result.trainErrorPercent <= 100);
  });

  it('--fast: the cnn trains with fused multiply-add, records it, and lands close to exact mode without being bit for bit the same', () => {
    const cnn = parseConfig({ models: ['cnn'], rounds: 1, epochs: 1, pairs: 100, batchSize: 50 });
    const run = (fast: boolean) => trainRound({ model: 'cnn', round: 0 }, { ...cnn, fast }, pools, { keepModel: true });
    const exact = run(false);
    const [fast, again] = [run(true), run(true)];
    assert.equal('fast' in exact.record, false, 'an exact record is as it always was');
    assert.equal(fast.record.fast, true, 'relaxed SIMD is on in Node ≥ 20 (flag set by the engine)');
    assert.deepEqual(again.model!.weights, fast.model!.weights, 'fast mode is deterministic on one machine');
    // After two Adam steps the weights differ in their last bits only: one rounding less per multiply-add.
    let differ = 0;
    let largest = 0;
    for (const [k, w] of exact.model!.weights.entries()) {
      const f = fast.model!.weights[k]!;
      for (let i = 0; i < w.values.length; i++) {
        if (w.values[i] !== f.values[i]) differ++;
        largest = Math.max(largest, Math.abs(w.values[i]! - f.values[i]!));
      }
    }
    assert.ok(differ > 0, 'the fused kernels ran');
    assert.ok(largest < 1e-4, `largest weight difference ${largest}`);
  });

  it('gives the same numbers for the same seed, other numbers for another', () => {
    const a = trainRound({ model: 'baseline-aux', round: 0 }, config, pools).record;
    const b = trainRound({ model: 'baseline-aux', round: 0 }, config, pools).record;
    const c = trainRound({ model: 'baseline-aux', round: 1 }, config, pools).record;
    assert.deepEqual(b.batchLoss, a.batchLoss);
    assert.deepEqual(b.epochs, a.epochs);
    assert.notDeepEqual(c.batchLoss, a.batchLoss);
  });

  it('with epochEvalPairs, measures the curves on that many pairs and leaves training and the final errors as they were', () => {
    const whole = trainRound({ model: 'baseline-aux', round: 0 }, { ...config, epochs: 3 }, pools).record;
    const sampled = trainRound({ model: 'baseline-aux', round: 0 }, { ...config, epochs: 3, epochEvalPairs: 30 }, pools).record;
    assert.deepEqual(sampled.batchLoss, whole.batchLoss);
    assert.deepEqual(sampled.epochs[2], whole.epochs[2], 'the last epoch: all 200 pairs');
    assert.equal(sampled.testErrorPercent, whole.testErrorPercent);
    for (const e of sampled.epochs.slice(0, 2)) {
      for (const percent of [e.trainErrorPercent, e.testErrorPercent]) {
        const wrong = (percent * 30) / 100;
        assert.ok(Math.abs(wrong - Math.round(wrong)) < 1e-9, `${percent}% is not k/30`);
      }
    }
    assert.notDeepEqual(sampled.epochs.slice(0, 2), whole.epochs.slice(0, 2));
  });

  for (const model of ['baseline', 'cnn-aux'] as const) {
    it(`keeps the tensor count flat across epochs and frees everything at the end (${model})`, () => {
      const before = tf.memory().numTensors;
      const counts: number[] = [];
      trainRound({ model, round: 0 }, { ...config, models: [model], epochs: 3 }, pools, { onEpoch: () => counts.push(tf.memory().numTensors) });
      assert.equal(new Set(counts).size, 1, `tensors after each epoch: ${counts.join(', ')}`);
      assert.equal(tf.memory().numTensors, before);
    });
  }

  it('learns: aux training beats chance within a few epochs', () => {
    const result = trainRound({ model: 'baseline-aux', round: 0 }, { ...config, epochs: 4, pairs: 500 }, pools).record;
    assert.ok(result.testErrorPercent < 35, `test error ${result.testErrorPercent}%`);
    assert.ok(result.batchLoss[result.batchLoss.length - 1] < result.batchLoss[0]);
  });

  it('follows a model recipe: re-pairing, affine jitter, cosine schedule and an ensemble whose averaged vote is the result', () => {
    const hyper = {
      learningRate: 0.005,
      l2: 0.001,
      repairEachEpoch: true,
      augment: { rotateDegrees: 10, scale: 0.1, translatePixels: 1 },
      schedule: 'cosine' as const,
      ensemble: 2,
    };
    const recipe = parseConfig({ ...config, epochs: 2, hyper: { 'baseline-aux': hyper } });
    const progress: number[] = [];
    const result = trainRound({ model: 'baseline-aux', round: 0 }, recipe, pools, { onEpoch: (p) => progress.push(p.epoch) }).record;
    assert.deepEqual(progress, [0, 1, 2, 3], 'two members × two epochs');
    assert.equal(result.batchLoss.length, 2 * 4, "the first member's losses");
    assert.equal(result.epochs.length, 2);
    const plain = trainRound({ model: 'baseline-aux', round: 0 }, config, pools).record;
    assert.notDeepEqual(result.batchLoss, plain.batchLoss);
  });
});
