/**
 * batchNormTrain (our kernels on wasm and on cpu) against tfjs's stock moments + batchNorm on
 * the cpu backend: outputs, and gradients through y, mean and variance.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { maxRelativeError, runOn, seededValues } from '../../testing/backend-compare.js';
import { type BackendName, initBackend } from '../backend.js';
import { batchNormTrain } from './batch-norm.js';

const TOL = 1e-4;
const EPS = 1e-5;

/** Shapes the models use (BatchNorm1d on [N, F], BatchNorm2d on NHWC) and odd ones. */
const SHAPES: number[][] = [
  [20, 160],
  [7, 1],
  [6, 5, 5, 32],
  [4, 8, 8, 64],
  [3, 6, 6, 16],
  [2, 3, 3, 7],
];

function stock(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) {
  const { mean, variance } = tf.moments(
    x,
    x.shape.slice(0, -1).map((_, i) => i),
  );
  return { y: tf.batchNorm(x, mean, variance, offset as tf.Tensor1D, scale as tf.Tensor1D, EPS), mean, variance };
}

function ours(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) {
  return batchNormTrain(x, scale as tf.Tensor1D, offset as tf.Tensor1D, EPS);
}

/** Inputs: x (offset and scaled so the mean is not ~0), scale, offset, and weights for the loss. */
function inputsFor(shape: number[], seed: number) {
  const channels = shape[shape.length - 1]!;
  const x = seededValues(tf.util.sizeFromShape(shape), seed).map((v, i) => 3 * v + 0.5 + (i % channels) * 0.1);
  return [
    { values: x, shape },
    { values: seededValues(channels, seed + 1).map((v) => 1 + 0.5 * v), shape: [channels] },
    { values: seededValues(channels, seed + 2), shape: [channels] },
    { values: seededValues(tf.util.sizeFromShape(shape), seed + 3), shape }, // weights of y
    { values: seededValues(channels, seed + 4), shape: [channels] }, // weights of mean
    { values: seededValues(channels, seed + 5), shape: [channels] }, // weights of variance
  ];
}

type Impl = (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor };

/** [y, mean, variance, dx, dscale, doffset] of loss = Σ wy·y + Σ wm·mean + Σ wv·variance. */
function outputsAndGrads(impl: Impl, withStats: boolean) {
  return (x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, wy: tf.Tensor, wm: tf.Tensor, wv: tf.Tensor) => {
    const { y, mean, variance } = impl(x, scale, offset);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const out = impl(a, b, c);
      const terms = [tf.sum(tf.mul(out.y, wy))];
      if (withStats) terms.push(tf.sum(tf.mul(out.mean, wm)), tf.sum(tf.mul(out.variance, wv)));
      return tf.addN(terms) as tf.Scalar;
    };
    return [y, mean, variance, ...tf.grads(loss)([x, scale, offset])];
  };
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dscale', 'doffset'];

for (const [i, shape] of SHAPES.entries()) {
  for (const withStats of [false, true]) {
    test(`batchNormTrain on wasm and cpu = moments + batchNorm on cpu: [${shape}]${withStats ? ', gradients through mean and variance too' : ''}`, async () => {
      const inputs = inputsFor(shape, 10 * i + 1);
      const reference = await runOn('cpu', inputs, outputsAndGrads(stock, withStats));
      for (const backend of ['wasm', 'cpu'] satisfies BackendName[]) {
        const got = await runOn(backend, inputs, outputsAndGrads(ours, withStats));
        for (const [k, name] of NAMES.entries()) {
          const err = maxRelativeError(got[k]!, reference[k]!);
          assert.ok(err <= TOL, `${backend} ${name}: max relative error ${err}`);
        }
      }
    });
  }
}

test('batchNormTrain leaks no tensors over repeated gradient steps on wasm', async () => {
  await initBackend('wasm');
  const x = tf.randomNormal([8, 5, 5, 16], 0, 1, 'float32', 1);
  const scale = tf.variable(tf.ones([16]));
  const offset = tf.variable(tf.zeros([16]));
  const step = () =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => tf.sum(tf.square(ours(x, scale, offset).y)) as tf.Scalar, [scale, offset]);
      return grads[scale.name]!.dataSync()[0];
    });
  step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) step();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([x, scale, offset]);
});
