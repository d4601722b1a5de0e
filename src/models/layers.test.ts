import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { makeRng } from '../rng.js';
import { batchNorm, dropout, linear, maxPoolFeatures, Params } from './layers.js';

before(() => initBackend('cpu'));
const rng = () => makeRng(0, 'test');

describe('layers', () => {
  it('linear initialises weight and bias in ±1/√fan_in, as PyTorch', () => {
    const params = new Params(rng());
    linear(params, 'fc', 400, 30);
    const [w, b] = params.trainable.map((v) => v.dataSync());
    const bound = 1 / 20;
    assert.ok(w.every((v) => Math.abs(v) <= bound) && Math.max(...w) > 0.9 * bound);
    assert.ok(b.every((v) => Math.abs(v) <= bound));
    params.dispose();
  });

  it('batchNorm normalises with batch statistics and updates running stats with momentum 0.1 and unbiased variance', () => {
    const params = new Params(rng());
    const bn = batchNorm(params, 'bn', 1);
    const x = tf.tensor2d([[1], [2], [3], [4]]);
    const y = bn(x, { mode: 'train', rng: rng() }).dataSync();
    const sd = Math.sqrt(1.25 + 1e-5); // biased variance of 1..4 is 1.25
    assert.ok(Math.abs(y[0] - -1.5 / sd) < 1e-5);
    const [runningMean, runningVar] = params.state.map((v) => v.dataSync()[0]);
    assert.ok(Math.abs(runningMean - 0.1 * 2.5) < 1e-6);
    assert.ok(Math.abs(runningVar - (0.9 + 0.1 * (5 / 3))) < 1e-6); // unbiased: 1.25·4/3
    const z = bn(tf.tensor2d([[runningMean]]), { mode: 'eval', rng: rng() }).dataSync();
    assert.ok(Math.abs(z[0]) < 1e-6, 'eval mode uses the running mean');
    params.dispose();
  });

  it('maxPoolFeatures takes the max of adjacent feature pairs', () => {
    assert.deepEqual(Array.from(maxPoolFeatures(tf.tensor2d([[1, 5, 3, 2]]), { mode: 'train', rng: rng() }).dataSync()), [5, 3]);
  });

  it('dropout zeroes about half the units, rescales the rest, and is the identity in eval', () => {
    const x = tf.ones([1, 1000]);
    const y = dropout(0.5)(x, { mode: 'train', rng: rng() }).dataSync();
    const kept = y.filter((v) => v === 2).length;
    assert.equal(kept + y.filter((v) => v === 0).length, 1000);
    assert.ok(kept > 430 && kept < 570);
    assert.equal(dropout(0.5)(x, { mode: 'eval', rng: rng() }), x);
  });
});
