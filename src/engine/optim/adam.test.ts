/**
 * Our AdamOptimizer (one AdamStep kernel per variable) takes exactly tfjs's Adam steps: the
 * weights after 30 steps equal bit for bit, on wasm (SIMD with a 1–3 value tail, and SIMD
 * off) and on cpu, with the learning rate changed mid-way as a schedule does.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import { type BackendName, initBackend } from '../backend.js';
import { resetRoutes, setRoutes } from '../routes.js';
import { AdamOptimizer } from './adam.js';

after(resetRoutes);

/** An optimiser whose learning rate a schedule sets (public on ours, a plain field on tfjs's). */
type Schedulable = tf.Optimizer & { learningRate: number };

/** Weights (a [7, 6] matrix and a [6] bias: 42 = 4·10 + 2 values) after `steps` steps on a small non-quadratic loss. */
function train(optimizer: Schedulable, steps: number): number[][] {
  const w = tf.variable(tf.tensor2d(seededValues(42, 1), [7, 6]));
  const b = tf.variable(tf.tensor1d(seededValues(6, 2)));
  const x = tf.tensor2d(seededValues(35, 3), [5, 7]);
  for (let i = 0; i < steps; i++) {
    if (i === steps / 2) optimizer.learningRate /= 3;
    tf.tidy(() => {
      const loss = () => tf.mul(tf.sum(tf.tanh(tf.add(tf.matMul(x, w), b))), i % 2 ? 1 : -0.3) as tf.Scalar;
      optimizer.applyGradients(tf.variableGrads(loss, [w, b]).grads);
    });
  }
  const out = [bits(w.dataSync() as Float32Array), bits(b.dataSync() as Float32Array)];
  tf.dispose([w, b, x]);
  optimizer.dispose();
  return out;
}

for (const [backend, simd] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as [BackendName, boolean][]) {
  test(`AdamOptimizer = tf.train.adam bit for bit over 30 steps on ${backend}${backend === 'wasm' && !simd ? ', SIMD off' : ''}`, async () => {
    await initBackend(backend);
    setRoutes({ simd });
    const reference = train(tf.train.adam(0.01, 0.9, 0.999, 1e-8) as unknown as Schedulable, 30);
    const ours = new AdamOptimizer(0.01, 0.9, 0.999, 1e-8);
    assert.deepEqual(train(ours as unknown as Schedulable, 30), reference);
  });
}

test('AdamOptimizer leaks no tensors (beyond its two moment slots per variable)', async () => {
  await initBackend('wasm');
  const w = tf.variable(tf.ones([8, 8]));
  const optimizer = new AdamOptimizer(0.1);
  const step = () => tf.tidy(() => optimizer.applyGradients(tf.variableGrads(() => tf.sum(tf.square(w)) as tf.Scalar, [w]).grads));
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  assert.equal(tf.memory().numTensors, before);
  assert.equal(optimizer.iterations, 6);
  optimizer.dispose();
  w.dispose();
});
