/**
 * The fused batch norm → ReLU → max-pool (BatchNormReluMaxPool and its gradient) against
 * BatchNormTrain then ReluMaxPool, bit for bit: values, batch statistics and the gradients of
 * x, scale and offset (through the pooled output and through the statistics), with ties, whole
 * windows below zero, −0 and rows and columns no window covers.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import { initBackend } from '../backend.js';
import { batchNormTrain } from '../ops/batch-norm.js';
import { batchNormReluMaxPool } from '../ops/batch-norm-relu-max-pool.js';
import { reluMaxPool } from '../ops/relu-max-pool.js';
import { resetRoutes, setRoutes } from '../routes.js';
import { fusesBatchNormReluPool } from './batch-norm-relu-max-pool.js';

before(() => initBackend('wasm'));

const CASES: { x: [number, number, number, number]; k: number }[] = [
  { x: [3, 14, 14, 32], k: 3 }, // the CNN's first block (floor mode leaves its last two rows and columns)
  { x: [3, 8, 8, 64], k: 2 },
  { x: [3, 6, 6, 16], k: 2 },
  { x: [2, 7, 9, 4], k: 2 }, // a row and a column no window covers
  { x: [2, 5, 5, 8], k: 3 },
];

/** x from a few levels (ties within windows, windows all below the mean), −0 among them, and weights for a loss. */
function inputs(shape: [number, number, number, number], seed: number) {
  const random = seededValues(tf.util.sizeFromShape(shape), seed);
  const x = random.map((r, i) => (i % 11 === 0 ? -0 : Math.round(r * 4) / 2));
  return {
    x: tf.tensor4d(x, shape),
    scale: tf.tensor1d(seededValues(shape[3], seed + 1).map((v) => v + 0.5)),
    offset: tf.tensor1d(seededValues(shape[3], seed + 2)),
  };
}

type Block = (x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D) => { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor };

/** Outputs and the gradients of Σ y·wy + Σ mean·wm + Σ variance·wv (weights of both signs) with respect to x, scale and offset, as bits. */
function run(block: Block, c: (typeof CASES)[number], seed: number): number[][] {
  return tf.tidy(() => {
    const { x, scale, offset } = inputs(c.x, seed);
    let outs: number[][] = [];
    const weigh = (t: tf.Tensor, s: number) => tf.sum(tf.mul(t, tf.tensor(seededValues(t.size, s), t.shape)));
    const grads = tf.grads((x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
      const { y, mean, variance } = block(x as tf.Tensor4D, scale as tf.Tensor1D, offset as tf.Tensor1D);
      outs = [y, mean, variance].map((t) => bits(t.dataSync() as Float32Array));
      return tf.addN([weigh(y, seed + 3), weigh(mean, seed + 4), weigh(variance, seed + 5)]);
    })([x, scale, offset]);
    return [...outs, ...grads.map((t) => bits(t.dataSync() as Float32Array))];
  });
}

const fused =
  (k: number): Block =>
  (x, scale, offset) =>
    batchNormReluMaxPool(x, scale, offset, 1e-5, k);
const separate =
  (k: number): Block =>
  (x, scale, offset) => {
    const { y, mean, variance } = batchNormTrain(x, scale, offset, 1e-5);
    return { y: reluMaxPool(y as tf.Tensor4D, k), mean, variance };
  };

test('BatchNormReluMaxPool = BatchNormTrain then ReluMaxPool, values and gradients, bit for bit', () => {
  for (const [i, c] of CASES.entries()) {
    assert.ok(fusesBatchNormReluPool({ shape: c.x, dtype: 'float32' }, c.k), `${c.x} k ${c.k} takes the fused kernel`);
    const names = ['y', 'mean', 'variance', 'dx', 'dscale', 'doffset'];
    const [a, b] = [run(fused(c.k), c, 10 * i), run(separate(c.k), c, 10 * i)];
    for (const [j, name] of names.entries()) assert.deepEqual(a[j], b[j], `${c.x} k ${c.k}: ${name}`);
  }
});

test('the fused op falls back to the two ops where the kernel does not run (SIMD off, C not a multiple of 4, other windows)', () => {
  assert.equal(fusesBatchNormReluPool({ shape: [2, 8, 8, 6], dtype: 'float32' }, 2), false);
  assert.equal(fusesBatchNormReluPool({ shape: [2, 8, 8, 8], dtype: 'float32' }, 4), false);
  setRoutes({ simd: false });
  try {
    assert.equal(fusesBatchNormReluPool({ shape: [2, 8, 8, 8], dtype: 'float32' }, 2), false);
    const c = CASES[1]!;
    assert.deepEqual(run(fused(c.k), c, 1), run(separate(c.k), c, 1));
  } finally {
    resetRoutes();
  }
});
