/**
 * Our wasm Conv2DBackpropInput (stride 1: XNNPACK full correlation; stride 2: stock fallback)
 * against the cpu backend's, through the kernel directly and through tf.conv2dTranspose.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { CASES, convOutShape, maxRelativeError, runOn, seededValues } from './backend-compare.js';

const TOL = 1e-4;

for (const [i, c] of CASES.entries()) {
  test(`Conv2DBackpropInput wasm = cpu: x ${c.x} W ${c.filter} s ${c.strides} pad ${JSON.stringify(c.pad)}`, async () => {
    const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad);
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(dyShape), 31 + i), shape: dyShape },
      { values: seededValues(tf.util.sizeFromShape(c.filter), 47 + i), shape: c.filter },
    ];
    const direct = (dy: tf.Tensor, w: tf.Tensor) => [
      tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        inputShape: c.x,
      } as unknown as tf.NamedAttrMap) as tf.Tensor,
    ];
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
