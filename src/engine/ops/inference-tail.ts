/**
 * An inference layer's tail in one op: maxPool?(relu?(batchNorm?(x + bias))), batch norm with
 * running statistics. The same numbers as
 *
 *   y = tf.add(x, bias); y = tf.batchNorm(y, mean, variance, offset, scale, ε); y = tf.relu(y);
 *   y = tf.maxPool(y, pool, pool, 'valid')
 *
 * bit for bit, in one pass on wasm (../kernels/inference-tail.ts); other backends run those ops.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FusedInferenceTail, type FusedInferenceTailAttrs } from '../kernels/inference-tail.js';
import { routes } from '../routes.js';

/** Batch norm in inference mode: the running statistics and the affine parameters, all [C]. */
export interface InferenceBatchNorm {
  mean: tf.Tensor;
  variance: tf.Tensor;
  /** γ */
  scale: tf.Tensor;
  /** β */
  offset: tf.Tensor;
  varianceEpsilon: number;
}

function unfused(x: tf.Tensor, bias: tf.Tensor, norm: InferenceBatchNorm | undefined, relu: boolean, pool: number): tf.Tensor {
  let y = tf.add(x, bias);
  if (norm) y = tf.batchNorm(y, norm.mean, norm.variance, norm.offset, norm.scale, norm.varianceEpsilon);
  if (relu) y = tf.relu(y);
  return pool ? tf.maxPool(y as tf.Tensor4D, pool, pool, 'valid') : y;
}

/**
 * relu?(batchNorm?(x + bias)) over the last axis of `x`, then MaxPool(pool) (stride pool, no
 * padding; only after a relu, NHWC x) if `pool` > 0; `bias` and the batch-norm tensors are [C].
 */
export function fusedInferenceTail(x: tf.Tensor, bias: tf.Tensor, norm: InferenceBatchNorm | undefined, relu: boolean, pool = 0): tf.Tensor {
  if (pool && !(relu && x.rank === 4))
    throw new Error(`fusedInferenceTail: pooling needs a relu and an NHWC x, got rank ${x.rank}${relu ? '' : ' without relu'}`);
  // Bias alone gains nothing from fusing (and the kernel's "+ 0" would turn −0 into +0).
  const fusable = routes.fusedInferenceTail && (norm !== undefined || relu) && tf.getKernel(FusedInferenceTail, tf.getBackend()) !== undefined;
  if (!fusable || x.dtype !== 'float32') return tf.tidy(() => unfused(x, bias, norm, relu, pool));
  const inputs: tf.NamedTensorMap = norm ? { x, bias, mean: norm.mean, variance: norm.variance, scale: norm.scale, offset: norm.offset } : { x, bias };
  const attrs: FusedInferenceTailAttrs = { batchNorm: norm !== undefined, varianceEpsilon: norm?.varianceEpsilon ?? 0, relu, pool };
  return tf.engine().runKernel(FusedInferenceTail, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
