/**
 * runningAverage against the stock ops it replaces, tf.add(tf.mul(running, keep), tf.mul(batch, take)),
 * on each backend: bit for bit, with batch norm's constants and with values whose products land
 * on float32's rounding boundaries (wide exponent spreads, subnormals, zeros of both signs).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { runOn, seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import type { BackendName } from '../backend.js';
import { runningAverage } from './running-average.js';

/** Values spread over float32's exponents, with ±0 and subnormals among them. */
function spreadValues(size: number, seed: number): Float32Array {
  return seededValues(size, seed).map((v, i) => (i % 11 === 0 ? -0 : i % 13 === 0 ? 1e-41 * v : v * 2 ** (((i * 7) % 60) - 30)));
}

for (const [keep, take] of [
  [0.9, 0.1],
  [0.9, (0.1 * 6400) / 6399], // the running variance's unbiased factor
  [1 / 3, 2 / 3],
]) {
  test(`runningAverage = tf.add(tf.mul(r, ${keep.toPrecision(4)}), tf.mul(b, ${take.toPrecision(4)})), bit for bit`, async () => {
    const inputs = [
      { values: spreadValues(1000, 1), shape: [1000] },
      { values: spreadValues(1000, 2), shape: [1000] },
    ];
    for (const backend of ['wasm', 'cpu'] satisfies BackendName[]) {
      const stock = await runOn(backend, inputs, (r, b) => [tf.add(tf.mul(r!, keep), tf.mul(b!, take))]);
      const ours = await runOn(backend, inputs, (r, b) => [runningAverage(r as tf.Tensor1D, b as tf.Tensor1D, keep, take)]);
      assert.deepEqual(bits(ours[0]!), bits(stock[0]!), backend);
    }
  });
}
