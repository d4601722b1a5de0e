/**
 * The fused Relu → MaxPool (ReluMaxPool and its gradient) against the unfused ops, bit for bit:
 * on wasm through the unrolled SIMD loops and through JavaScript, and on cpu.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '../../testing/backend-compare.js';
import { initBackend } from '../backend.js';
import type { BackendName } from '../backends.js';
import { relu } from '../ops/relu.js';
import { reluMaxPool } from '../ops/relu-max-pool.js';
import { resetRoutes, setRoutes } from '../routes.js';

const CASES: { x: [number, number, number, number]; k: number }[] = [
  { x: [3, 14, 14, 32], k: 3 }, // the CNN's pools (floor mode drops conv1's last row and column)
  { x: [3, 8, 8, 64], k: 2 },
  { x: [3, 6, 6, 16], k: 2 },
  { x: [2, 7, 5, 3], k: 2 }, // C not a multiple of 4, odd sizes: JavaScript
  { x: [2, 9, 9, 8], k: 4 }, // a window with no unrolled loop: JavaScript
];

/**
 * x with ties: a third of the values are negative zeros, zeros or copies of a neighbour, so whole
 * windows are 0 after the ReLU and maxima repeat; dy with negative values (dy·0 keeps its sign).
 */
function inputs(c: (typeof CASES)[number], seed: number) {
  const x = seededValues(tf.util.sizeFromShape(c.x), seed);
  for (let i = 0; i < x.length; i++) {
    if (i % 7 === 0) x[i] = -0;
    else if (i % 7 === 3) x[i] = 0;
    else if (i % 7 === 5) x[i] = x[i - 1]!;
  }
  const pooled: [number, number, number, number] = [c.x[0], Math.floor(c.x[1] / c.k), Math.floor(c.x[2] / c.k), c.x[3]];
  return { x: tf.tensor4d(x, c.x), dy: tf.tensor4d(seededValues(tf.util.sizeFromShape(pooled), seed + 1), pooled) };
}

/** Forward values and x's gradient of `f` at x, with upstream dy. */
function valueAndGrad(f: (x: tf.Tensor4D) => tf.Tensor4D, x: tf.Tensor4D, dy: tf.Tensor4D): [Float32Array, Float32Array] {
  return tf.tidy(() => {
    const y = f(x).dataSync() as Float32Array;
    const dx = tf
      .grad((a: tf.Tensor) => f(a as tf.Tensor4D))(x, dy)
      .dataSync() as Float32Array;
    return [y, dx];
  });
}

async function compare(backend: BackendName, label: string): Promise<void> {
  await initBackend(backend);
  for (const [i, c] of CASES.entries()) {
    const { x, dy } = inputs(c, 11 + i);
    const fused = valueAndGrad((a) => reluMaxPool(a, c.k), x, dy);
    const unfused = valueAndGrad((a) => tf.maxPool(relu(a) as tf.Tensor4D, c.k, c.k, 'valid'), x, dy);
    assert.deepEqual(fused[0], unfused[0], `${label} x [${c.x}] k ${c.k}: values`);
    assert.deepEqual(fused[1], unfused[1], `${label} x [${c.x}] k ${c.k}: gradient`);
    if (c.k <= 3)
      assert.ok(
        fused[1].some((v) => Object.is(v, -0)),
        'the case exercises dy·0 with dy < 0 (a window all ≤ 0)',
      );
    tf.dispose([x, dy]);
  }
}

test('ReluMaxPool = MaxPool(Relu(x)) bit for bit, forward and gradient, on wasm (unrolled SIMD loops)', async () => {
  await compare('wasm', 'wasm SIMD');
});

test('ReluMaxPool = MaxPool(Relu(x)) bit for bit on wasm without SIMD (JavaScript)', async () => {
  setRoutes({ simd: false });
  try {
    await compare('wasm', 'wasm JS');
  } finally {
    resetRoutes();
  }
});

test('ReluMaxPool = MaxPool(Relu(x)) bit for bit on cpu', async () => {
  await compare('cpu', 'cpu');
});
