/**
 * Our wasm Conv2DBackpropInput (stride 1: XNNPACK full correlation; stride 2: stock fallback)
 * against the cpu backend's, through the kernel directly and through tf.conv2dTranspose.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { CASES, type Case, convOutShape, maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';
import { resetRoutes, setRoutes } from '../routes.js';
import { flipSwapFilter } from './conv2d-backprop-input.js';

const label = (c: Case) => `x ${c.x} W ${c.filter} s ${c.strides} pad ${JSON.stringify(c.pad)}`;

const TOL = 1e-4;

/** Seeded dy and filter for case `c`, and the kernel called directly on them. */
function inputGradCase(c: Case, seedDy: number, seedW: number) {
  const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad);
  const inputs = [
    { values: seededValues(tf.util.sizeFromShape(dyShape), seedDy), shape: dyShape },
    { values: seededValues(tf.util.sizeFromShape(c.filter), seedW), shape: c.filter },
  ];
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x } as unknown as tf.NamedAttrMap;
  const direct = (dy: tf.Tensor, w: tf.Tensor) => [tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, attrs) as tf.Tensor];
  return { inputs, direct };
}

for (const [i, c] of CASES.entries()) {
  test(`Conv2DBackpropInput wasm = cpu: ${label(c)}`, async () => {
    const { inputs, direct } = inputGradCase(c, 31 + i, 47 + i);
    const [cpu] = await runOn('cpu', inputs, direct);
    const [wasm] = await runOn('wasm', inputs, direct);
    const err = maxRelativeError(wasm!, cpu!);
    assert.ok(err <= TOL, `max relative error ${err}`);
  });
}

test('tf.conv2dTranspose on wasm = cpu', async () => {
  const cases = [
    { x: [2, 4, 4, 8], filter: [3, 3, 5, 8], out: [2, 6, 6, 5], strides: 1, pad: 'valid' as const },
    { x: [3, 5, 5, 4], filter: [5, 5, 2, 4], out: [3, 5, 5, 2], strides: 1, pad: 'same' as const },
    { x: [2, 4, 4, 3], filter: [3, 3, 2, 3], out: [2, 8, 8, 2], strides: 2, pad: 'same' as const },
  ];
  for (const [i, c] of cases.entries()) {
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(c.x), 61 + i), shape: c.x },
      { values: seededValues(tf.util.sizeFromShape(c.filter), 71 + i), shape: c.filter },
    ];
    const run = (x: tf.Tensor, w: tf.Tensor) => [
      tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, c.out as [number, number, number, number], c.strides, c.pad),
    ];
    const [cpu] = await runOn('cpu', inputs, run);
    const [wasm] = await runOn('wasm', inputs, run);
    const err = maxRelativeError(wasm!, cpu!);
    assert.ok(err <= TOL, `case ${i}: max relative error ${err}`);
  }
});

test('the direct SIMD loop gives the XNNPACK convolution it replaces bit for bit (ci a multiple of 16)', async () => {
  const cases: Case[] = [
    ...CASES.filter((c) => c.strides.every((s) => s === 1) && c.x[3] % 16 === 0),
    { x: [3, 5, 6, 16], filter: [3, 3, 16, 8], strides: [1, 1], pad: 'same' },
  ];
  for (const [i, c] of cases.entries()) {
    const { inputs, direct: run } = inputGradCase(c, 91 + i, 97 + i);
    try {
      setRoutes({ simdConv2D: false });
      const [xnnpack] = await runOn('wasm', inputs, run);
      resetRoutes();
      const [direct] = await runOn('wasm', inputs, run);
      assert.deepEqual(direct, xnnpack, label(c));
    } finally {
      resetRoutes();
    }
  }
  assert.ok(cases.length >= 4);
});

test('flipSwapFilter = reverse over both spatial axes, then the channel axes swapped', async () => {
  for (const shape of [
    [3, 3, 32, 64],
    [5, 5, 2, 3],
    [1, 2, 3, 1],
  ]) {
    const w = tf.tensor4d(seededValues(tf.util.sizeFromShape(shape), 7), shape as [number, number, number, number]);
    const expected = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]);
    const out = new Float32Array(w.size);
    flipSwapFilter(w.dataSync() as Float32Array, out, shape);
    assert.deepEqual(out, expected.dataSync(), `shape ${shape}`);
    tf.dispose([w, expected]);
  }
});
