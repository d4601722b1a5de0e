/**
 * Our wasm Conv2D (the scatter form for padding-dominated layers, else stock XNNPACK) against
 * the cpu backend, with the scatter forced on every stride-1 case, on its wasm SIMD and its
 * JavaScript loop, and in chunks of samples.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { CASES, type Case, convOutShape, maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';
import { resetRoutes, setRoutes } from '../routes.js';
import { scatterCostRatio } from './conv2d.js';

const TOL = 1e-4;

const label = (c: Case) => `x ${c.x} W ${c.filter} s ${c.strides} pad ${JSON.stringify(c.pad)}`;

/** CASES plus a batch larger than one chunk of samples (128). */
const ALL: Case[] = [...CASES, { x: [130, 4, 4, 8], filter: [3, 3, 8, 12], strides: [1, 1], pad: 3 }];

for (const [i, c] of ALL.entries()) {
  test(`Conv2D wasm = cpu, scatter form forced where it applies: ${label(c)}`, async () => {
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(c.x), 3 + i), shape: c.x },
      { values: seededValues(tf.util.sizeFromShape(c.filter), 5 + i), shape: c.filter },
    ];
    const conv = (x: tf.Tensor, w: tf.Tensor) => [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad)];
    const [cpu] = await runOn('cpu', inputs, conv);
    for (const [forced, simdOff, direct] of [
      [undefined, false, true],
      [undefined, false, false],
      [true, false, false],
      [true, true, false],
    ] as const) {
      setRoutes({ conv2DScatter: forced, simd: !simdOff, simdConv2D: direct });
      try {
        const [wasm] = await runOn('wasm', inputs, conv);
        const err = maxRelativeError(wasm!, cpu!);
        assert.ok(err <= TOL, `scatter ${forced ?? 'auto'}${simdOff ? ' (JS loop)' : ''}${direct ? ', direct SIMD' : ''}: max relative error ${err}`);
      } finally {
        resetRoutes();
      }
    }
  });
}

test("the cost model picks the scatter form for the CNN's padded 4×4 layers only", () => {
  const info = (x: [number, number, number, number], w: [number, number, number, number], pad: number) => tf.backend_util.computeConv2DInfo(x, w, 1, 1, pad);
  assert.ok(scatterCostRatio(info([100, 14, 14, 2], [5, 5, 2, 32], 2)) > 1, 'conv1 (14×14, same padding)');
  for (const [x, w] of [
    [
      [100, 4, 4, 32],
      [3, 3, 32, 64],
    ],
    [
      [100, 4, 4, 64],
      [3, 3, 64, 32],
    ],
    [
      [100, 4, 4, 32],
      [5, 5, 32, 16],
    ],
  ] as [[number, number, number, number], [number, number, number, number]][]) {
    assert.ok(scatterCostRatio(info(x, w, 3)) < 0.6, `${x} ${w}`);
  }
});

test('the direct SIMD convolution gives the scatter route it replaces bit for bit, at 16, 32 and 64 output channels', async () => {
  const cases: Case[] = [
    ...CASES.filter((c) => c.strides.every((s) => s === 1) && c.filter[3] % 16 === 0),
    { x: [130, 4, 4, 8], filter: [3, 3, 8, 16], strides: [1, 1], pad: 3 },
    { x: [3, 6, 5, 3], filter: [3, 2, 3, 16], strides: [1, 1], pad: 'same' },
  ];
  let compared = 0;
  for (const [i, c] of cases.entries()) {
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(c.x), 61 + i), shape: c.x },
      { values: seededValues(tf.util.sizeFromShape(c.filter), 67 + i), shape: c.filter },
    ];
    const conv = (x: tf.Tensor, w: tf.Tensor) => [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad)];
    for (const forced of [undefined, true]) {
      try {
        setRoutes({ conv2DScatter: forced, simdConv2D: false });
        const [route] = await runOn('wasm', inputs, conv);
        setRoutes({ simdConv2D: true });
        const [direct] = await runOn('wasm', inputs, conv);
        assert.deepEqual(direct, route, `${label(c)}, scatter ${forced ?? 'auto'}`);
        compared++;
      } finally {
        resetRoutes();
      }
    }
  }
  assert.ok(compared >= 10, `${compared} comparisons`);
});

test("the first layer's SIMD loop (1–2 input channels) gives XNNPACK's convolution bit for bit, edges and odd paddings included", async () => {
  const cases: Case[] = [
    { x: [3, 14, 14, 1], filter: [5, 5, 1, 32], strides: [1, 1], pad: 2 }, // cnn-aux's conv1
    { x: [3, 14, 14, 2], filter: [5, 5, 2, 32], strides: [1, 1], pad: 2 }, // cnn's conv1
    { x: [2, 7, 9, 1], filter: [3, 3, 1, 16], strides: [1, 1], pad: 'same' },
    { x: [2, 14, 14, 2], filter: [5, 5, 2, 16], strides: [1, 1], pad: 'valid' },
    { x: [2, 6, 5, 2], filter: [5, 5, 2, 48], strides: [1, 1], pad: 3 },
    { x: [2, 3, 3, 1], filter: [5, 5, 1, 16], strides: [1, 1], pad: 2 }, // no pixel has all its taps inside
    {
      x: [2, 14, 13, 1],
      filter: [5, 4, 1, 32],
      strides: [1, 1],
      pad: [
        [0, 0],
        [1, 3],
        [2, 0],
        [0, 0],
      ],
    },
  ];
  for (const [i, c] of cases.entries()) {
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(c.x), 71 + i), shape: c.x },
      { values: seededValues(tf.util.sizeFromShape(c.filter), 73 + i), shape: c.filter },
    ];
    const conv = (x: tf.Tensor, w: tf.Tensor) => [tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad)];
    try {
      setRoutes({ simdConv2D: false });
      const [xnnpack] = await runOn('wasm', inputs, conv);
      resetRoutes();
      const [loop] = await runOn('wasm', inputs, conv);
      assert.deepEqual(loop, xnnpack, label(c));
    } finally {
      resetRoutes();
    }
  }
});

test('fast mode (fused multiply-add): Conv2D and both gradients stay within float32 tolerance of the cpu backend', async () => {
  for (const [i, c] of CASES.entries()) {
    if (!c.strides.every((s) => s === 1)) continue;
    const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad);
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(c.x), 81 + i), shape: c.x },
      { values: seededValues(tf.util.sizeFromShape(c.filter), 83 + i), shape: c.filter },
      { values: seededValues(tf.util.sizeFromShape(dyShape), 85 + i), shape: dyShape },
    ];
    const run = (x: tf.Tensor, w: tf.Tensor, g: tf.Tensor) => {
      const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
      return [conv(x, w), ...tf.grads(conv)([x, w], g)];
    };
    const cpu = await runOn('cpu', inputs, run);
    try {
      setRoutes({ fast: true });
      const fast = await runOn('wasm', inputs, run);
      for (const [k, name] of ['y', 'dx', 'dW'].entries()) {
        const err = maxRelativeError(fast[k]!, cpu[k]!);
        assert.ok(err <= TOL, `${label(c)} ${name}: max relative error ${err}`);
      }
    } finally {
      resetRoutes();
    }
  }
});
