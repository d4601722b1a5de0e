/**
 * conv2d(x, filter, stride 1, pad) + bias as one op (see ../kernels/conv2d-bias.ts). The same
 * numbers and gradients as
 *
 *   tf.add(tf.conv2d(x, filter, 1, pad), bias)
 *
 * which backends without our kernel get.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Conv2DBias, type Conv2DBiasAttrs } from '../kernels/conv2d-bias.js';

export function conv2dBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, pad: Conv2DBiasAttrs['pad']): tf.Tensor4D {
  if (x.dtype !== 'float32' || tf.getKernel(Conv2DBias, tf.getBackend()) === undefined) return tf.add(tf.conv2d(x, filter, 1, pad), bias);
  const attrs: Conv2DBiasAttrs = { pad };
  return tf.engine().runKernel(Conv2DBias, { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
