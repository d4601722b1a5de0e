import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadPools } from '../data/mnist.js';
import { makeRoundData } from '../data/pairs.js';
import { initBackend } from '../engine/backend.js';
import { AdamOptimizer } from '../engine/optim/adam.js';
import { Params } from '../models/layers.js';
import { type ModelName, modelSpec } from '../models/registry.js';
import { makeRng } from '../rng.js';
import { bits } from '../testing/records.js';
import { learningRateAt, trainEpoch } from './fit.js';

describe('learningRateAt', () => {
  it('is constant by default and decays along a half cosine when asked', () => {
    assert.equal(learningRateAt({ learningRate: 0.1, l2: 0 }, 7, 10), 0.1);
    const cosine = { learningRate: 0.1, l2: 0, schedule: 'cosine' as const };
    assert.equal(learningRateAt(cosine, 0, 10), 0.1);
    assert.ok(Math.abs(learningRateAt(cosine, 5, 10) - 0.05) < 1e-12);
    assert.ok(learningRateAt(cosine, 9, 10) < 0.003);
  });
});

/** Our Adam behind a plain tf.Optimizer: trainEpoch then keeps the L2 penalty on the tape. */
class TapedL2 extends tf.Optimizer {
  constructor(readonly inner: AdamOptimizer) {
    super();
  }
  override applyGradients(grads: tf.NamedTensorMap): void {
    this.inner.applyGradients(grads);
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
}

describe('trainEpoch with the L2 gradient in Adam', () => {
  it('folds it for the seed models and takes the same steps as with the penalty on the tape, bit for bit', async () => {
    await initBackend('wasm');
    const data = makeRoundData(loadPools(null), 300, 4);
    for (const model of ['baseline', 'baseline-aux', 'cnn', 'cnn-aux'] as ModelName[]) {
      const spec = modelSpec(model);
      const run = (folding: boolean) => {
        const params = new Params(makeRng(4, `init:${model}`));
        const forward = spec.build(params);
        const adam = new AdamOptimizer(spec.hyper.learningRate);
        const folds: number[] = [];
        const step = adam.applyGradients.bind(adam);
        adam.applyGradients = (grads, twiceL2 = 0) => {
          folds.push(twiceL2);
          step(grads, twiceL2);
        };
        const optimizer = folding ? adam : new TapedL2(adam);
        const losses = trainEpoch({ forward, params, optimizer, batchSize: 100, hyper: spec.hyper }, data.train, makeRng(4, 'train'));
        const weights = params.trainable.map((v) => bits(v.dataSync() as Float32Array));
        adam.dispose();
        params.dispose();
        return { losses, weights, folds };
      };
      const [folded, taped] = [run(true), run(false)];
      assert.deepEqual(
        folded.folds,
        [1, 2, 3].map(() => 2 * Math.fround(spec.hyper.l2)),
        `${model}: folded at every step`,
      );
      assert.deepEqual(taped.folds, [0, 0, 0], `${model}: taped`);
      assert.deepEqual(
        folded.losses.map((l) => bits(Float32Array.of(l))),
        taped.losses.map((l) => bits(Float32Array.of(l))),
        `${model}: losses`,
      );
      assert.deepEqual(folded.weights, taped.weights, `${model}: weights`);
    }
  });
});
