/**
 * maxPairs (our kernels) against tfjs's own Max over a [N, F, 2] reshape, on the same backend:
 * outputs and gradients equal bit for bit, ties (zeros, −0 against +0) included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { runOn, seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import type { BackendName } from '../backend.js';
import { maxPairs } from './max-pairs.js';

const stock = (x: tf.Tensor) => tf.max(tf.reshape(x, [x.shape[0]!, -1, 2]), 2);

/** y and dx of Σ w·f(x), as in a training step. */
function outputAndGrad(f: (x: tf.Tensor) => tf.Tensor) {
  return (x: tf.Tensor, w: tf.Tensor) => [f(x), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), w)))(x)];
}

/** ReLU-like values on a coarse grid: many exact ties, zeros of both signs. */
function tiedValues(size: number, seed: number): Float32Array {
  return seededValues(size, seed).map((v, i) => (i % 7 === 0 ? -0 : Math.max(0, Math.round(v * 3) / 3)));
}

for (const [rows, features] of [
  [100, 160],
  [200, 100],
  [3, 2],
]) {
  test(`maxPairs = tfjs's Max over pairs, forward and gradient, bit for bit: [${rows}, ${features}]`, async () => {
    const inputs = [
      { values: tiedValues(rows * features, rows + features), shape: [rows!, features!] },
      { values: seededValues((rows! * features!) / 2, 7), shape: [rows!, features! / 2] },
    ];
    for (const backend of ['wasm', 'cpu'] satisfies BackendName[]) {
      const reference = await runOn(backend, inputs, outputAndGrad(stock));
      const got = await runOn(backend, inputs, outputAndGrad(maxPairs));
      assert.deepEqual(bits(got[0]!), bits(reference[0]!), `${backend}: max`);
      assert.deepEqual(bits(got[1]!), bits(reference[1]!), `${backend}: gradient`);
      if (rows! >= 100) {
        const bothGetIt = got[1]!.some((v, j) => j % 2 === 0 && v !== 0 && got[1]![j + 1] !== 0);
        assert.ok(bothGetIt, 'some pair ties and both elements get the gradient (the case under test)');
      }
    }
  });
}

test('maxPairs refuses an odd last axis, naming the shape', () => {
  assert.throws(() => maxPairs(tf.zeros([2, 3])), /even length, got shape \[2,3\]/);
});
