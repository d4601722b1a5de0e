/** Our wasm Sum (all axes but the last, SIMD) and the reductions it leaves to stock, against cpu. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';

const CASES: { shape: number[]; axis: number | number[]; keepDims: boolean }[] = [
  { shape: [100, 14, 14, 32], axis: [0, 1, 2], keepDims: false }, // a conv bias gradient
  { shape: [50, 8, 8, 64], axis: [2, 0, 1], keepDims: true },
  { shape: [100, 160], axis: 0, keepDims: false }, // a dense bias gradient
  { shape: [100, 160], axis: -2, keepDims: true },
  { shape: [7, 3, 6], axis: [0, 1], keepDims: false }, // C not a multiple of 4: stock
  { shape: [4, 5, 8], axis: [1, 2], keepDims: false }, // other axes: stock
  { shape: [4, 5, 8], axis: [0, 1, 2], keepDims: true },
  { shape: [12], axis: 0, keepDims: false },
];

for (const [i, c] of CASES.entries()) {
  test(`Sum wasm = cpu: [${c.shape}] axis ${JSON.stringify(c.axis)} keepDims ${c.keepDims}`, async () => {
    const inputs = [{ values: seededValues(tf.util.sizeFromShape(c.shape), 70 + i), shape: c.shape }];
    const run = (x: tf.Tensor) => [tf.sum(x, c.axis, c.keepDims)];
    const [cpu] = await runOn('cpu', inputs, run);
    const [wasm] = await runOn('wasm', inputs, run);
    assert.ok(maxRelativeError(wasm!, cpu!) <= 1e-5, `max relative error ${maxRelativeError(wasm!, cpu!)}`);
  });
}

test('Sum keeps the shape tfjs gives it', async () => {
  const inputs = [{ values: seededValues(2 * 3 * 4, 1), shape: [2, 3, 4] }];
  const shapes = (x: tf.Tensor) => [tf.tensor1d([...tf.sum(x, [0, 1], true).shape, ...tf.sum(x, [0, 1]).shape])];
  const [cpu] = await runOn('cpu', inputs, shapes);
  const [wasm] = await runOn('wasm', inputs, shapes);
  assert.deepEqual(Array.from(wasm!), Array.from(cpu!));
});
