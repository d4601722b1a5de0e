/** Our wasm MaxPoolGrad against the cpu backend's, through tf.grad of tf.maxPool. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';
import { resetRoutes, setRoutes } from '../routes.js';

interface Case {
  x: [number, number, number, number];
  filter: [number, number];
  strides: [number, number];
  pad: 'valid' | 'same' | number;
}

const CASES: Case[] = [
  // the CNN's pools: 14 → 4 (kernel 3, floor mode drops the last row/column), 8 → 4, 6 → 3
  { x: [4, 14, 14, 32], filter: [3, 3], strides: [3, 3], pad: 'valid' },
  { x: [4, 8, 8, 64], filter: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [4, 6, 6, 16], filter: [2, 2], strides: [2, 2], pad: 'valid' },
  // overlapping windows (a position can be several windows' maximum), padding, odd shapes
  { x: [2, 9, 9, 3], filter: [3, 3], strides: [2, 2], pad: 'same' },
  { x: [2, 7, 5, 4], filter: [3, 2], strides: [1, 1], pad: 'valid' },
  { x: [3, 6, 6, 2], filter: [2, 2], strides: [2, 2], pad: 1 },
  { x: [1, 5, 7, 1], filter: [3, 3], strides: [2, 1], pad: 'same' },
];

/** Seeded x and dy for case `c`, and the max-pool gradient to run on them. */
function poolGradProblem(c: Case, xSeed: number, dySeed: number) {
  const dyShape = tf.backend_util.computePool2DInfo(c.x, c.filter, c.strides, 1, c.pad).outShape;
  const inputs = [
    { values: seededValues(tf.util.sizeFromShape(c.x), xSeed), shape: c.x },
    { values: seededValues(tf.util.sizeFromShape(dyShape), dySeed), shape: dyShape },
  ];
  const grad = (x: tf.Tensor, dy: tf.Tensor) => [tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, c.filter, c.strides, c.pad))(x, dy)];
  return { inputs, grad };
}

for (const [i, c] of CASES.entries()) {
  test(`MaxPoolGrad wasm = cpu: x [${c.x}] filter [${c.filter}] strides [${c.strides}] pad ${c.pad}`, async () => {
    const { inputs, grad } = poolGradProblem(c, 5 + i, 9 + i);
    const [cpu] = await runOn('cpu', inputs, grad);
    const [wasm] = await runOn('wasm', inputs, grad);
    assert.ok(maxRelativeError(wasm!, cpu!) <= 1e-6, `max relative error ${maxRelativeError(wasm!, cpu!)}`);
  });
}

test('MaxPoolGrad routes ties to the first maximum in the window, as the cpu backend does', async () => {
  // After a ReLU whole windows are 0: the gradient must land on one position only.
  const inputs = [
    { values: new Float32Array(2 * 4 * 4 * 3), shape: [2, 4, 4, 3] },
    { values: seededValues(2 * 2 * 2 * 3, 1), shape: [2, 2, 2, 3] },
  ];
  const grad = (x: tf.Tensor, dy: tf.Tensor) => [tf.grad((a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'))(x, dy)];
  const [cpu] = await runOn('cpu', inputs, grad);
  const [wasm] = await runOn('wasm', inputs, grad);
  assert.deepEqual(Array.from(wasm!), Array.from(cpu!));
});

test("MaxPoolGrad's SIMD loop (tiling windows) equals its JavaScript loop", async () => {
  for (const [i, c] of CASES.slice(0, 3).entries()) {
    const { inputs, grad } = poolGradProblem(c, 50 + i, 60 + i);
    const [simd] = await runOn('wasm', inputs, grad);
    setRoutes({ simd: false });
    try {
      const [js] = await runOn('wasm', inputs, grad);
      assert.deepEqual(Array.from(simd!), Array.from(js!));
    } finally {
      resetRoutes();
    }
  }
});
