import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { makeRoundData } from '../data/pairs.js';
import { initBackend } from '../engine/backend.js';
import { makeRng } from '../rng.js';
import { trainEpoch } from '../train/fit.js';
import { Params } from './layers.js';
import { MODEL_NAMES, MODELS, type ModelName } from './registry.js';

before(() => initBackend('wasm'));

/**
 * The seed's Table III for its four models; the ablation variants by hand: a shared tower
 * costs what the seed's aux model does, two towers twice a tower (40,650 MLP, 66,406 CNN) + head.
 */
const PARAMS: Record<ModelName, number> = {
  baseline: 72_032,
  'baseline-aux': 40_692,
  cnn: 67_228,
  'cnn-aux': 66_448,
  'baseline-shared': 40_692,
  'baseline-aux-unshared': 2 * 40_650 + 42,
  'cnn-shared': 66_448,
  'cnn-aux-unshared': 2 * 66_406 + 42,
  'digit-tower': 94_922, // as its PyTorch prototype in docs/research
};

describe('models', () => {
  for (const name of MODEL_NAMES) {
    it(`${name} has ${PARAMS[name]} trainable parameters`, () => {
      const params = new Params(makeRng(0, 'init'));
      MODELS[name].build(params);
      assert.equal(params.count(), PARAMS[name]);
      params.dispose();
    });

    it(`${name} maps [N, 2, 14, 14] to comparison logits [N, 2]${MODELS[name].auxiliaryLoss ? ' and digit logits [2N, 10]' : ''}`, () => {
      const params = new Params(makeRng(0, 'init'));
      const forward = MODELS[name].build(params);
      for (const mode of ['train', 'eval'] as const) {
        tf.tidy(() => {
          const out = forward(tf.randomNormal([6, 2, 14, 14], 0, 1, 'float32', 1), { mode, rng: makeRng(0, 'x') });
          assert.deepEqual(out.comparison.shape, [6, 2]);
          if (MODELS[name].auxiliaryLoss) assert.deepEqual(out.digits?.shape, [12, 10]);
          else assert.equal(out.digits, undefined);
        });
      }
      params.dispose();
    });
  }

  it('leaks no tensor over a training epoch', () => {
    const config = parseConfig({ pairs: 40, batchSize: 20 });
    const data = makeRoundData(loadPools(null), 40, 0);
    for (const name of MODEL_NAMES) {
      const params = new Params(makeRng(0, 'init'));
      const forward = MODELS[name].build(params);
      const optimizer = tf.train.adam(1e-3);
      const trainer = { forward, params, optimizer, batchSize: config.batchSize, hyper: MODELS[name].hyper };
      trainEpoch(trainer, data.train, makeRng(0, 't')); // creates Adam's slots
      const before = tf.memory().numTensors;
      trainEpoch(trainer, data.train, makeRng(0, 't'));
      assert.equal(tf.memory().numTensors, before, name);
      optimizer.dispose();
      params.dispose();
    }
  });
});
