/**
 * Our AdamOptimizer (one AdamStep kernel per variable) takes exactly tfjs's Adam steps: the
 * weights after 30 steps equal bit for bit, on wasm (SIMD with a 1–3 value tail, and SIMD
 * off) and on cpu, with the learning rate changed mid-way as a schedule does. And with the
 * L2 term's gradient given to the step (`applyGradients(grads, 2λ)`), the same weights as with
 * λ·Σw² on the tape, a variable the data term never reads included.
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

/** The paths AdamStep takes: wasm SIMD, wasm with SIMD off (its JavaScript loop), cpu. */
const PATHS = [
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as [BackendName, boolean][];
const onPath = (backend: BackendName, simd: boolean) => `on ${backend}${backend === 'wasm' && !simd ? ', SIMD off' : ''}`;

/** An optimiser whose learning rate a schedule sets (public on ours, a plain field on tfjs's). */
type Schedulable = tf.Optimizer & { learningRate: number };

/** A [7, 6] matrix w and a [6] bias b (42 = 4·10 + 2 values), and step i's small non-quadratic loss of them. */
function problem() {
  const w = tf.variable(tf.tensor2d(seededValues(42, 1), [7, 6]));
  const b = tf.variable(tf.tensor1d(seededValues(6, 2)));
  const x = tf.tensor2d(seededValues(35, 3), [5, 7]);
  const loss = (i: number) => () => tf.mul(tf.sum(tf.tanh(tf.add(tf.matMul(x, w), b))), i % 2 ? 1 : -0.3) as tf.Scalar;
  return { w, b, x, loss };
}

/** Weights after `steps` steps on problem()'s loss. */
function train(optimizer: Schedulable, steps: number): number[][] {
  const { w, b, x, loss } = problem();
  for (let i = 0; i < steps; i++) {
    if (i === steps / 2) optimizer.learningRate /= 3;
    tf.tidy(() => optimizer.applyGradients(tf.variableGrads(loss(i), [w, b]).grads));
  }
  const out = [bits(w.dataSync() as Float32Array), bits(b.dataSync() as Float32Array)];
  tf.dispose([w, b, x]);
  optimizer.dispose();
  return out;
}

for (const [backend, simd] of PATHS) {
  test(`AdamOptimizer = tf.train.adam bit for bit over 30 steps ${onPath(backend, simd)}`, async () => {
    await initBackend(backend);
    setRoutes({ simd });
    const reference = train(tf.train.adam(0.01, 0.9, 0.999, 1e-8) as unknown as Schedulable, 30);
    const ours = new AdamOptimizer(0.01, 0.9, 0.999, 1e-8);
    assert.deepEqual(train(ours as unknown as Schedulable, 30), reference);
  });
}

/**
 * Weights of w, b and u (read by the penalty alone) after `steps` steps of data(w, b) + λ·Σw²,
 * the penalty taped (tfjs's ops) or folded into our step.
 */
function trainWithL2(l2: number, folded: boolean, steps: number): number[][] {
  const { w, b, x, loss } = problem();
  const u = tf.variable(tf.tensor1d(seededValues(9, 4)));
  const vars = [w, b, u];
  const optimizer = new AdamOptimizer(0.01);
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const data = loss(i);
      const penalty = () => tf.mul(l2, tf.addN(vars.map((v) => tf.sum(tf.square(v)))));
      if (folded) {
        const { grads } = tf.variableGrads(data, vars); // none for u
        optimizer.applyGradients(
          vars.map((v) => ({ name: v.name, tensor: grads[v.name] })),
          2 * Math.fround(l2),
        );
      } else optimizer.applyGradients(tf.variableGrads(() => tf.add(data(), penalty()) as tf.Scalar, vars).grads);
    });
  }
  const out = vars.map((v) => bits(v.dataSync() as Float32Array));
  tf.dispose([...vars, x]);
  optimizer.dispose();
  return out;
}

for (const [backend, simd] of PATHS) {
  test(`AdamOptimizer with the L2 gradient folded in = the taped penalty, bit for bit, ${onPath(backend, simd)}`, async () => {
    await initBackend(backend);
    setRoutes({ simd });
    for (const l2 of [0.11, 0.1, 1e-3]) assert.deepEqual(trainWithL2(l2, true, 20), trainWithL2(l2, false, 20), `λ ${l2}`);
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
