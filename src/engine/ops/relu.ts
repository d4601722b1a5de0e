/**
 * max(x, 0), as tf.relu, with a gradient that is one kernel instead of three (see
 * ../kernels/relu.ts); the same numbers forward and backward. Backends without our kernels
 * get tf.relu.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ReluTrainable } from '../kernels/relu.js';

export function relu(x: tf.Tensor): tf.Tensor {
  if (x.dtype !== 'float32' || tf.getKernel(ReluTrainable, tf.getBackend()) === undefined) return tf.relu(x);
  return tf.engine().runKernel(ReluTrainable, { x }) as tf.Tensor;
}
