/**
 * The max of each adjacent pair of features: [N, 2F] → [N, F], PyTorch's MaxPool1d(2) over an
 * MLP layer's outputs. Same numbers, forward and gradient, as
 *
 *   tf.max(tf.reshape(x, [N, F, 2]), 2)
 *
 * in one pass each way (see ../kernels/max-pairs.ts); backends without our kernel get that op.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MaxPairs } from '../kernels/max-pairs.js';

export function maxPairs(x: tf.Tensor): tf.Tensor {
  if (tf.getKernel(MaxPairs, tf.getBackend()) === undefined) return tf.max(tf.reshape(x, [...x.shape.slice(0, -1), -1, 2]), -1);
  return tf.engine().runKernel(MaxPairs, { x }) as tf.Tensor;
}
