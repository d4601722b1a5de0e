/**
 * Our wasm Conv2DBackpropFilter (each strategy) against the cpu backend's, directly and through tf.grads of
 * tf.conv2d, on the shapes our models use plus odd ones (strides 2, non-square, explicit pad).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { CASES, type Case, convOutShape, maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';
import { type FilterGradStrategy, resetRoutes, setRoutes } from '../routes.js';

const TOL = 1e-4;

function label(c: Case): string {
  return `x ${c.x} W ${c.filter} s ${c.strides} pad ${JSON.stringify(c.pad)}`;
}

/** Seeded x and dy for case `c`, and the kernel called directly on them. */
function filterGradCase(c: Case, seedX: number, seedDy: number) {
  const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad);
  const inputs = [
    { values: seededValues(tf.util.sizeFromShape(c.x), seedX), shape: c.x },
    { values: seededValues(tf.util.sizeFromShape(dyShape), seedDy), shape: dyShape },
  ];
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter } as unknown as tf.NamedAttrMap;
  const direct = (x: tf.Tensor, dy: tf.Tensor) => [tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor];
  return { inputs, direct };
}

for (const [i, c] of CASES.entries()) {
  test(`Conv2DBackpropFilter wasm = cpu: ${label(c)}`, async () => {
    const { inputs, direct } = filterGradCase(c, 11 + i, 23 + i);
    const [cpu] = await runOn('cpu', inputs, direct);
    // Both strategies (x-as-filter exists for stride 1 only; forcing it elsewhere is a no-op).
    for (const strategy of [undefined, 'dy-as-filter', 'x-as-filter', 'gather-gemm'] satisfies (FilterGradStrategy | undefined)[]) {
      setRoutes({ filterGradStrategy: strategy });
      try {
        const [wasm] = await runOn('wasm', inputs, direct);
        const err = maxRelativeError(wasm!, cpu!);
        assert.ok(err <= TOL, `strategy ${strategy ?? 'auto'}: max relative error ${err}`);
      } finally {
        resetRoutes();
      }
    }
  });
}

test('tf.grads of conv2d (dx and dW) on wasm = cpu, strides 1 and 2', async () => {
  for (const [i, c] of CASES.entries()) {
    const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad);
    const inputs = [
      { values: seededValues(tf.util.sizeFromShape(c.x), 101 + i), shape: c.x },
      { values: seededValues(tf.util.sizeFromShape(c.filter), 202 + i), shape: c.filter },
      { values: seededValues(tf.util.sizeFromShape(dyShape), 303 + i), shape: dyShape },
    ];
    // Upstream gradient g is passed explicitly, so only Conv2D's gradient is involved.
    const grads = (x: tf.Tensor, w: tf.Tensor, g: tf.Tensor) =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad))([x, w], g);
    const cpu = await runOn('cpu', inputs, grads);
    const wasm = await runOn('wasm', inputs, grads);
    for (const [k, name] of ['dx', 'dW'].entries()) {
      const err = maxRelativeError(wasm[k]!, cpu[k]!);
      assert.ok(err <= TOL, `${name} for ${label(c)}: max relative error ${err}`);
    }
  }
});

test('our SIMD tiles give the XNNPACK route they replace bit for bit, in each summation order', async () => {
  // Batches that each order splits into several parts (./conv2d-backprop-filter.ts, PART_BYTES): runs of
  // samples (the second layer, 10 samples a part) and runs of positions (the first layer, 7 of a row's 14).
  const parts: Case[] = [
    { x: [40, 4, 4, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 3 },
    { x: [200, 14, 14, 1], filter: [5, 5, 1, 32], strides: [1, 1], pad: 2 },
  ];
  let compared = 0;
  for (const [i, c] of [...CASES, ...parts].entries()) {
    if (!c.strides.every((s) => s === 1)) continue;
    const { inputs, direct } = filterGradCase(c, 31 + i, 47 + i);
    for (const strategy of [undefined, 'dy-as-filter', 'x-as-filter', 'gather-gemm'] satisfies (FilterGradStrategy | undefined)[]) {
      try {
        setRoutes({ filterGradStrategy: strategy, simdFilterTiles: false });
        const [xnnpack] = await runOn('wasm', inputs, direct);
        setRoutes({ simdFilterTiles: true });
        const [tiles] = await runOn('wasm', inputs, direct);
        assert.deepEqual(tiles, xnnpack, `${label(c)}, strategy ${strategy ?? 'auto'}`);
        compared++;
      } finally {
        resetRoutes();
      }
    }
  }
  assert.ok(compared >= 12, `${compared} comparisons`);
});
