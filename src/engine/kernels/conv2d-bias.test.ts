/** Conv2DBias (conv + bias as one op) against tf.add(tf.conv2d(…), bias), bit for bit, and its gradients' laziness. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '../../testing/backend-compare.js';
import { initBackend } from '../backend.js';
import type { BackendName } from '../backends.js';
import { conv2dBias } from '../ops/conv2d-bias.js';

type Shape4 = [number, number, number, number];
const CASES: { x: Shape4; w: Shape4; pad: number | 'same' | 'valid' }[] = [
  { x: [4, 14, 14, 1], w: [5, 5, 1, 32], pad: 2 }, // the CNN's layers: few-channel loop, direct SIMD loop
  { x: [4, 4, 4, 32], w: [3, 3, 32, 64], pad: 3 },
  { x: [4, 4, 4, 32], w: [5, 5, 32, 16], pad: 3 },
  { x: [2, 6, 5, 3], w: [3, 3, 3, 6], pad: 'same' }, // XNNPACK's convolution, a bias of 6 (JavaScript add)
  { x: [2, 6, 5, 2], w: [2, 2, 2, 8], pad: 'valid' },
];

async function compare(backend: BackendName): Promise<void> {
  await initBackend(backend);
  for (const [i, c] of CASES.entries()) {
    const x = tf.tensor4d(seededValues(tf.util.sizeFromShape(c.x), 3 + i), c.x);
    const w = tf.tensor4d(seededValues(tf.util.sizeFromShape(c.w), 5 + i), c.w);
    const b = tf.tensor1d(seededValues(c.w[3], 7 + i));
    const run = (f: (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D) =>
      tf.tidy(() => {
        const y = f(x, w, b);
        const dy = tf.tensor(seededValues(y.size, 11 + i), y.shape);
        const grads = tf.grads((a: tf.Tensor, v: tf.Tensor, u: tf.Tensor) => f(a as tf.Tensor4D, v as tf.Tensor4D, u as tf.Tensor1D))([x, w, b], dy);
        return [y, ...grads].map((t) => t.dataSync() as Float32Array);
      });
    const fused = run((a, v, u) => conv2dBias(a, v, u, c.pad));
    const unfused = run((a, v, u) => tf.add(tf.conv2d(a, v, 1, c.pad), u));
    for (const [k, name] of ['y', 'dx', 'dW', 'dbias'].entries())
      assert.deepEqual(fused[k], unfused[k], `${backend} x [${c.x}] W [${c.w}] pad ${c.pad}: ${name}`);
    tf.dispose([x, w, b]);
  }
}

for (const backend of ['wasm', 'cpu'] satisfies BackendName[]) {
  test(`conv2dBias = conv2d + bias bit for bit, values and all three gradients, on ${backend}`, async () => {
    await compare(backend);
  });
}

test("conv2dBias computes only the gradients asked for (a first layer's input gradient never)", async () => {
  await initBackend('wasm');
  const x = tf.tensor4d(seededValues(2 * 14 * 14, 1), [2, 14, 14, 1]);
  const w = tf.variable(tf.tensor4d(seededValues(5 * 5 * 32, 2), [5, 5, 1, 32]));
  const b = tf.variable(tf.tensor1d(seededValues(32, 3)));
  const info = await tf.profile(() => {
    const { grads } = tf.variableGrads(() => tf.sum(conv2dBias(x, w as tf.Tensor4D, b as tf.Tensor1D, 2)), [w, b]);
    tf.dispose(Object.values(grads));
  });
  const kernels = info.kernels.map((k) => k.name);
  assert.ok(kernels.includes('Conv2DBackpropFilter'), kernels.join(' '));
  assert.ok(!kernels.includes('Conv2DBackpropInput'), kernels.join(' '));
  tf.dispose([x, w, b]);
});
