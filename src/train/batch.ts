/** Mini-batches: pairs copied out of a PairSet into tensors. */
import * as tf from '@tensorflow/tfjs-core';
import { DIGIT_PIXELS, type PairSet } from '../data/pairs.js';

/** A batch of pairs as tensors: inputs [B, 2, 14, 14], targets [B], digit classes [2B] (first₀, second₀, first₁, …). */
export interface Batch {
  pairs: tf.Tensor;
  target: tf.Tensor1D;
  classes: tf.Tensor1D;
}

/** Copies the pairs at `indices` out of `set` into tensors (cheap next to a training step). */
export function takeBatch(set: PairSet, indices: ArrayLike<number>): Batch {
  const n = indices.length;
  const pixels = new Float32Array(n * 2 * DIGIT_PIXELS);
  const target = new Int32Array(n);
  const classes = new Int32Array(2 * n);
  for (let b = 0; b < n; b++) {
    const i = indices[b];
    pixels.set(set.input.subarray(i * 2 * DIGIT_PIXELS, (i + 1) * 2 * DIGIT_PIXELS), b * 2 * DIGIT_PIXELS);
    target[b] = set.target[i];
    classes[2 * b] = set.classes[2 * i];
    classes[2 * b + 1] = set.classes[2 * i + 1];
  }
  return {
    pairs: tf.tensor4d(pixels, [n, 2, 14, 14]),
    target: tf.tensor1d(target, 'int32'),
    classes: tf.tensor1d(classes, 'int32'),
  };
}
