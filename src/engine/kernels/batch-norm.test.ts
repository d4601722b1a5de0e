/**
 * Our wasm FusedBatchNorm (inference: per-channel x·s + t in JavaScript) against the cpu
 * backend's, for per-channel statistics and for broadcasts it hands to the stock kernel.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';

const CASES: { x: number[]; stats: number[]; withAffine: boolean }[] = [
  { x: [50, 14, 14, 32], stats: [32], withAffine: true },
  { x: [30, 160], stats: [160], withAffine: true },
  { x: [3, 4, 4, 8], stats: [8], withAffine: false },
  { x: [3, 4, 4, 8], stats: [1, 1, 1, 8], withAffine: true },
  { x: [5, 1], stats: [1], withAffine: true },
  { x: [2, 3, 3, 4], stats: [3, 3, 4], withAffine: true }, // not per-channel: stock kernel
];

for (const [i, c] of CASES.entries()) {
  test(`FusedBatchNorm (tf.batchNorm) wasm = cpu: x [${c.x}], statistics [${c.stats}]${c.withAffine ? ', scale and offset' : ''}`, async () => {
    const n = tf.util.sizeFromShape(c.stats);
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(c.x), 1 + i), shape: c.x },
      { values: seededValues(n, 2 + i), shape: c.stats },
      { values: seededValues(n, 3 + i).map((v) => 0.5 + Math.abs(v)), shape: c.stats }, // variance > 0
      { values: seededValues(n, 4 + i), shape: c.stats },
      { values: seededValues(n, 5 + i), shape: c.stats },
    ];
    const run = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, offset: tf.Tensor, scale: tf.Tensor) => [
      c.withAffine ? tf.batchNorm(x, mean, variance, offset, scale, 1e-5) : tf.batchNorm(x, mean, variance, undefined, undefined, 1e-5),
    ];
    const [cpu] = await runOn('cpu', inputs, run);
    const [wasm] = await runOn('wasm', inputs, run);
    assert.ok(maxRelativeError(wasm!, cpu!) <= 1e-5, `max relative error ${maxRelativeError(wasm!, cpu!)}`);
  });
}
