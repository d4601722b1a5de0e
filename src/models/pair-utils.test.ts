import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { interleave, splitPair } from './pair-utils.js';

before(() => initBackend('cpu'));

describe('pair utilities', () => {
  it('splitPair takes channel 0 as the first digit and channel 1 as the second', () => {
    const pairs = tf.concat([tf.fill([3, 1, 14, 14], 1), tf.fill([3, 1, 14, 14], 2)], 1);
    const [first, second] = splitPair(pairs);
    assert.deepEqual(first.shape, [3, 14, 14, 1]);
    assert.ok(first.dataSync().every((v) => v === 1) && second.dataSync().every((v) => v === 2));
  });

  it('interleave orders rows first₀, second₀, first₁, second₁ — the layout of the digit labels', () => {
    const out = interleave(tf.tensor2d([[1], [3]]), tf.tensor2d([[2], [4]]));
    assert.deepEqual(Array.from(out.dataSync()), [1, 2, 3, 4]);
  });
});
