/**
 * MaxPool(k) of Relu(x) on NHWC x (stride k, 'valid'), forward and gradient each in one pass
 * (see ../kernels/relu-max-pool.ts). The same numbers as
 *
 *   tf.maxPool(relu(x), k, k, 'valid')
 *
 * which backends without our kernel get.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ReluMaxPool, type ReluMaxPoolAttrs } from '../kernels/relu-max-pool.js';
import { relu } from './relu.js';

export function reluMaxPool(x: tf.Tensor4D, k: number): tf.Tensor4D {
  if (x.dtype !== 'float32' || tf.getKernel(ReluMaxPool, tf.getBackend()) === undefined) return tf.maxPool(relu(x) as tf.Tensor4D, k, k, 'valid');
  const attrs: ReluMaxPoolAttrs = { k };
  return tf.engine().runKernel(ReluMaxPool, { x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
