import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { crossEntropy } from './loss.js';

before(() => initBackend('wasm'));

describe('crossEntropy', () => {
  it('is the mean of −log softmax at the labels', () => {
    const logits = tf.tensor2d([
      [0, Math.log(3)],
      [2, 2],
    ]);
    const value = crossEntropy(logits, tf.tensor1d([1, 0], 'int32')).dataSync()[0];
    assert.ok(Math.abs(value - (-Math.log(3 / 4) + Math.log(2)) / 2) < 1e-6);
  });
});

describe('crossEntropy with label smoothing', () => {
  it('targets 1 − ε on the label and ε/k everywhere', () => {
    const logits = tf.tensor2d([[0, 0]]);
    // Uniform prediction: CE = −Σ target·log ½ = log 2 whatever the smoothing.
    assert.ok(Math.abs(crossEntropy(logits, tf.tensor1d([0], 'int32'), 0.2).dataSync()[0] - Math.log(2)) < 1e-6);
    const sure = tf.tensor2d([[Math.log(9), 0]]); // p = (0.9, 0.1)
    const expected = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)); // ε = 0.2 → target (0.9, 0.1)
    assert.ok(Math.abs(crossEntropy(sure, tf.tensor1d([0], 'int32'), 0.2).dataSync()[0] - expected) < 1e-6);
  });
});
