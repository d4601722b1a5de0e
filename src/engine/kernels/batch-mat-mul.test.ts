/**
 * Our wasm BatchMatMul against the cpu backend: every transpose combination, the dense-layer
 * gradient, and batched products (stock path); and our SIMD GEMM against XNNPACK's (the path with
 * SIMD off: explicit transposes, then the stock kernel), bit for bit.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import { resetRoutes, setRoutes } from '../routes.js';

const TOL = 1e-4;

/** [a shape, b shape] before transposition: a is [.., M, K], b is [.., K, N]. */
const CASES: [number[], number[]][] = [
  [
    [100, 392],
    [392, 160],
  ], // baseline fc1
  [
    [100, 144],
    [144, 100],
  ], // cnn fc1
  [
    [200, 100],
    [100, 10],
  ],
  [
    [3, 5],
    [5, 1],
  ],
  [
    [1, 7],
    [7, 3],
  ],
  [
    [2, 4, 6],
    [2, 6, 5],
  ], // batched: the stock kernel's path
];

const swap = (shape: number[]) => [...shape.slice(0, -2), shape[shape.length - 1]!, shape[shape.length - 2]!];

for (const [i, [aShape, bShape]] of CASES.entries()) {
  for (const transposeA of [false, true]) {
    for (const transposeB of [false, true]) {
      test(`BatchMatMul wasm = cpu: a [${aShape}] b [${bShape}] transposeA ${transposeA} transposeB ${transposeB}`, async () => {
        // Store the operands already transposed where the flag says so: the product is a·b either way.
        const inputs = [
          { values: seededValues(tf.util.sizeFromShape(aShape), 3 + i), shape: transposeA ? swap(aShape) : aShape },
          { values: seededValues(tf.util.sizeFromShape(bShape), 7 + i), shape: transposeB ? swap(bShape) : bShape },
        ];
        const product = (a: tf.Tensor, b: tf.Tensor) => [tf.matMul(a, b, transposeA, transposeB)];
        const [cpu] = await runOn('cpu', inputs, product);
        const [wasm] = await runOn('wasm', inputs, product);
        assert.ok(maxRelativeError(wasm!, cpu!) <= TOL, `max relative error ${maxRelativeError(wasm!, cpu!)}`);
      });
    }
  }
}

test('gradients of a dense layer (dy·Wᵀ and xᵀ·dy) on wasm = cpu', async () => {
  const inputs = [
    { values: seededValues(100 * 392, 1), shape: [100, 392] },
    { values: seededValues(392 * 160, 2), shape: [392, 160] },
    { values: seededValues(100 * 160, 3), shape: [100, 160] },
  ];
  const grads = (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b))([x, w], dy);
  const cpu = await runOn('cpu', inputs, grads);
  const wasm = await runOn('wasm', inputs, grads);
  for (const [k, name] of ['dx', 'dW'].entries()) {
    const err = maxRelativeError(wasm[k]!, cpu[k]!);
    assert.ok(err <= TOL, `${name}: max relative error ${err}`);
  }
});

/** [M, K, N]: the models' dense layers (train and evaluation batches) and every tile edge (M mod 4, N mod 8, N < 4, K = 1). */
const GEMM_CASES = [
  [100, 144, 100],
  [100, 392, 160],
  [50, 20, 2],
  [100, 100, 10],
  [2000, 100, 10],
  [7, 5, 13],
  [3, 1, 6],
  [1, 7, 3],
  [6, 9, 12],
];

test("our GEMM = XNNPACK's, bit for bit, every transpose combination and tile edge", async (t) => {
  t.after(resetRoutes);
  for (const [M, K, N] of GEMM_CASES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const inputs = [
          { values: seededValues(M! * K!, M! + K!).map((v, i) => (i % 17 === 0 ? -0 : v * 2 ** ((i % 9) - 4))), shape: transposeA ? [K!, M!] : [M!, K!] },
          { values: seededValues(K! * N!, K! + N!), shape: transposeB ? [N!, K!] : [K!, N!] },
        ];
        const product = (a: tf.Tensor, b: tf.Tensor) => [tf.matMul(a, b, transposeA, transposeB)];
        setRoutes({ simd: true });
        const [ours] = await runOn('wasm', inputs, product);
        setRoutes({ simd: false });
        const [xnnpack] = await runOn('wasm', inputs, product);
        assert.deepEqual(bits(ours!), bits(xnnpack!), `[${M}, ${K}] × [${K}, ${N}], transposeA ${transposeA}, transposeB ${transposeB}`);
      }
    }
  }
});
