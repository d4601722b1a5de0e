/** Mini-batches: pairs copied out of a PairSet into tensors. */
import * as tf from '@tensorflow/tfjs-core';
import { type PairSet, selectPairs } from '../data/pairs.js';

/** A batch of pairs as tensors: inputs [B, 2, 14, 14], targets [B], digit classes [2B] (first₀, second₀, first₁, …). */
export interface Batch {
  pairs: tf.Tensor;
  target: tf.Tensor1D;
  classes: tf.Tensor1D;
}

/** Copies the pairs at `indices` out of `set` into tensors (cheap next to a training step). */
export function takeBatch(set: PairSet, indices: ArrayLike<number>): Batch {
  const batch = selectPairs(set, indices);
  return {
    pairs: tf.tensor4d(batch.input, [batch.count, 2, 14, 14]),
    target: tf.tensor1d(batch.target, 'int32'),
    classes: tf.tensor1d(batch.classes, 'int32'),
  };
}
