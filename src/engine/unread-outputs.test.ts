/**
 * Backprop makes no zero gradient for an output its op's gradient never reads (BatchNormReluMaxPool's
 * `hits`), still makes one for the other unused outputs (the batch statistics, whose gradient the
 * kernel reads), and the gradients stay what they were.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '../testing/backend-compare.js';
import { initBackend } from './backend.js';
import { batchNormTrain } from './ops/batch-norm.js';
import { batchNormReluMaxPool } from './ops/batch-norm-relu-max-pool.js';
import { reluMaxPool } from './ops/relu-max-pool.js';

before(() => initBackend('wasm'));

/** The shapes of the tensors made from JavaScript values while `fn` runs (zero gradients among them). */
function madeShapes(fn: () => void): number[][] {
  const engine = tf.engine() as unknown as { makeTensor(values: unknown, shape: number[], dtype: string): tf.Tensor };
  const stock = engine.makeTensor;
  const shapes: number[][] = [];
  engine.makeTensor = function (this: unknown, values, shape, dtype) {
    shapes.push(shape);
    return stock.call(this, values, shape, dtype);
  };
  try {
    fn();
  } finally {
    engine.makeTensor = stock;
  }
  return shapes;
}

test("backprop through BatchNormReluMaxPool makes no zeros for `hits`, the statistics' zeros as before, the same gradients", () => {
  const shape: [number, number, number, number] = [2, 6, 6, 8];
  const x = tf.tensor4d(seededValues(tf.util.sizeFromShape(shape), 5), shape);
  const scale = tf.tensor1d(seededValues(8, 6).map((v) => v + 0.5));
  const offset = tf.tensor1d(seededValues(8, 7));
  const dy = tf.tensor4d(seededValues(2 * 3 * 3 * 8, 8), [2, 3, 3, 8]);
  type Block = (a: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.Tensor;
  const fusedBlock: Block = (a, s, o) => batchNormReluMaxPool(a as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D, 1e-5, 2).y;
  const twoOps: Block = (a, s, o) => reluMaxPool(batchNormTrain(a as tf.Tensor4D, s as tf.Tensor1D, o as tf.Tensor1D, 1e-5).y as tf.Tensor4D, 2);
  const gradients = (block: Block) =>
    tf.tidy(() =>
      tf
        .grads(block)([x, scale, offset], dy)
        .map((g) => Array.from(g.dataSync())),
    );
  let fused: number[][] = [];
  const shapes = madeShapes(() => {
    fused = gradients(fusedBlock);
  });
  // dMean and dVariance, [C] each; nothing the size of the pooled output (hits).
  assert.deepEqual(shapes, [[8], [8]]);
  assert.deepEqual(gradients(twoOps), fused);
  tf.dispose([x, scale, offset, dy]);
});
