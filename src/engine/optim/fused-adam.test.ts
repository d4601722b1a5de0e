/** FusedAdamOptimizer takes the same steps as tfjs's AdamOptimizer, on cpu and on wasm. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '../backend.js'; // tfjs's gradients
import { type BackendName, maxRelativeError, seededValues, useBackend } from '../kernels/backend-compare.js';
import { FusedAdamOptimizer } from './fused-adam.js';

/** Final weights after `steps` steps of `optimizer` on a small non-quadratic loss. */
function train(optimizer: tf.Optimizer, steps: number): Float32Array[] {
  const w = tf.variable(tf.tensor2d(seededValues(12, 1), [4, 3]));
  const b = tf.variable(tf.tensor1d(seededValues(3, 2)));
  const x = tf.tensor2d(seededValues(20, 3), [5, 4]);
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.mul(tf.sum(tf.tanh(tf.add(tf.matMul(x, w), b))), i % 2 ? 1 : -0.3) as tf.Scalar, [w, b]);
      optimizer.applyGradients(grads);
    });
  }
  const out = [w.dataSync().slice(), b.dataSync().slice()] as Float32Array[];
  tf.dispose([w, b, x]);
  optimizer.dispose();
  return out;
}

for (const backend of ['cpu', 'wasm'] satisfies BackendName[]) {
  test(`FusedAdamOptimizer = tf.train.adam over 30 steps on ${backend}`, async () => {
    await useBackend(backend);
    const reference = train(tf.train.adam(0.01, 0.9, 0.999, 1e-8), 30);
    const fused = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8);
    const got = train(fused, 30);
    for (const [k, name] of ['w', 'b'].entries()) {
      assert.ok(maxRelativeError(got[k]!, reference[k]!) <= 1e-5, `${name}: ${maxRelativeError(got[k]!, reference[k]!)}`);
    }
    assert.equal(fused.iterations, 30);
  });
}

test('FusedAdamOptimizer leaks no tensors (beyond its two moment slots per variable)', async () => {
  await useBackend('wasm');
  const w = tf.variable(tf.ones([8, 8]));
  const optimizer = new FusedAdamOptimizer(0.1);
  const step = () => tf.tidy(() => optimizer.applyGradients(tf.variableGrads(() => tf.sum(tf.square(w)) as tf.Scalar, [w]).grads));
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  assert.equal(tf.memory().numTensors, before);
  optimizer.dispose();
  w.dispose();
});
