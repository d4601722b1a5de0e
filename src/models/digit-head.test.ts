import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { comparisonFromDigits, interleave, splitPair } from './digit-head.js';

before(() => initBackend('cpu'));

describe('the digit head', () => {
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

  it('comparisonFromDigits gives log P(first ≤ second) under the two digit distributions', () => {
    // Pair 0: first surely 3, second 50/50 between 2 and 5 → P(≤) = 0.5. Pair 1: 7 vs surely 7 → 1.
    const big = 30;
    const logits = tf.tensor2d([
      Array.from({ length: 10 }, (_, i) => (i === 3 ? big : 0)),
      Array.from({ length: 10 }, (_, i) => (i === 2 || i === 5 ? big : 0)),
      Array.from({ length: 10 }, (_, i) => (i === 7 ? big : 0)),
      Array.from({ length: 10 }, (_, i) => (i === 7 ? big : 0)),
    ]);
    const p = tf.exp(comparisonFromDigits(logits)).arraySync() as number[][];
    assert.ok(Math.abs(p[0][1] - 0.5) < 1e-5 && Math.abs(p[0][0] - 0.5) < 1e-5);
    assert.ok(p[1][1] > 0.9999);
  });
});
