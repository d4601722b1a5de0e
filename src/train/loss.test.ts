import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { makeRng } from '../rng.js';
import { crossEntropy, l2Penalty } from './loss.js';

before(() => initBackend('wasm'));

describe('crossEntropy', () => {
  it('is the mean of −log softmax at the labels', () => {
    const logits = tf.tensor2d([
      [0, Math.log(3)],
      [2, 2],
    ]);
    const value = crossEntropy(logits, tf.tensor1d([1, 0], 'int32')).dataSync()[0];
    assert.ok(Math.abs(value - (-Math.log(3 / 4) + Math.log(2)) / 2) < 1e-6);
  });
});

describe('crossEntropy with label smoothing', () => {
  it('targets 1 − ε on the label and ε/k everywhere', () => {
    const logits = tf.tensor2d([[0, 0]]);
    // Uniform prediction: CE = −Σ target·log ½ = log 2 whatever the smoothing.
    assert.ok(Math.abs(crossEntropy(logits, tf.tensor1d([0], 'int32'), 0.2).dataSync()[0] - Math.log(2)) < 1e-6);
    const sure = tf.tensor2d([[Math.log(9), 0]]); // p = (0.9, 0.1)
    const expected = -(0.9 * Math.log(0.9) + 0.1 * Math.log(0.1)); // ε = 0.2 → target (0.9, 0.1)
    assert.ok(Math.abs(crossEntropy(sure, tf.tensor1d([0], 'int32'), 0.2).dataSync()[0] - expected) < 1e-6);
  });
});

describe('l2Penalty', () => {
  // The taped chain it replaced, op by op.
  const taped = (l2: number, vars: tf.Tensor[]) => tf.mul(l2, tf.addN(vars.map((v) => tf.sum(tf.square(v))))) as tf.Scalar;
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

  it('gives the value and the gradients of the taped chain, bit for bit', () => {
    const rng = makeRng(7, 'l2');
    const random = (shape: number[], scale: number) =>
      tf.tensor(
        Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => (rng.next() - 0.5) * scale),
        shape,
      );
    const vars = [random([5, 5, 2, 32], 0.4), random([32], 3), random([144, 100], 1e-3), random([10], 50)].map((t) => tf.variable(t));
    const inputs = vars.map((v) => random(v.shape, 2));
    for (const l2 of [0.11, 0.33333333, 0.11111111, 1e-3, 7]) {
      // A data term that reads the first variable twice, so each variable gathers several gradients.
      const data = () => tf.addN([...vars.map((v, i) => tf.sum(tf.mul(v, inputs[i]!))), tf.sum(tf.mul(vars[0]!, tf.square(inputs[0]!)))]);
      const before = tf.variableGrads(() => tf.add(data(), taped(l2, vars)) as tf.Scalar, vars);
      const after = tf.variableGrads(() => tf.add(data(), l2Penalty(l2, vars)) as tf.Scalar, vars);
      assert.deepEqual(bits(after.value), bits(before.value), `λ ${l2}: value`);
      for (const v of vars) assert.deepEqual(bits(after.grads[v.name]!), bits(before.grads[v.name]!), `λ ${l2}: gradient of ${v.shape}`);
    }
  });

  it('is one op on the tape', async () => {
    const vars = [tf.variable(tf.ones([4, 4])), tf.variable(tf.ones([4]))];
    const names = async (loss: () => tf.Scalar) => (await tf.profile(() => tf.variableGrads(loss, vars))).kernels.map((k) => k.name);
    // Forward: one L2Penalty kernel (the op itself is listed as 'forward'); backward: the scale,
    // then one Multiply per variable.
    const ops = ['L2Penalty', 'forward', 'Multiply', 'Multiply', 'Multiply'];
    assert.deepEqual(await names(() => l2Penalty(0.5, vars)), ops);
    assert.ok((await names(() => taped(0.5, vars))).length > 3 * ops.length, 'the taped chain it replaced ran ~4× the kernels');
  });
});
