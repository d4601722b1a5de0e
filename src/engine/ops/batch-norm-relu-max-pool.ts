/**
 * A conv block's training-mode batch norm → ReLU → MaxPool(k) (stride k, 'valid') as one op
 * where the fused kernel runs (../kernels/batch-norm-relu-max-pool.ts: wasm SIMD), else as
 * batchNormTrain then reluMaxPool: the same numbers and gradients either way.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNormReluMaxPool, type BatchNormReluMaxPoolAttrs, fusesBatchNormReluPool } from '../kernels/batch-norm-relu-max-pool.js';
import { type BatchNormTrainOutputs, batchNormTrain } from './batch-norm.js';
import { reluMaxPool } from './relu-max-pool.js';

/** y = MaxPool(k)(Relu(batch norm of x)), with the batch's mean and biased variance (for the running statistics). */
export function batchNormReluMaxPool(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D, varianceEpsilon: number, k: number): BatchNormTrainOutputs {
  if (!fusesBatchNormReluPool(x, k)) {
    const { y, mean, variance } = batchNormTrain(x, scale, offset, varianceEpsilon);
    return { y: reluMaxPool(y as tf.Tensor4D, k), mean, variance };
  }
  const attrs: BatchNormReluMaxPoolAttrs = { varianceEpsilon, k };
  const [y, mean, variance, hits] = tf.engine().runKernel(BatchNormReluMaxPool, { x, scale, offset }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  hits!.dispose(); // the gradient keeps its own reference
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
