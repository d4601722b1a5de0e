/**
 * Training-mode batch normalisation as one op with a closed-form gradient (see
 * ../kernels/batch-norm.ts), in place of tfjs's moments + batchNorm, whose gradient is
 * dominated by a full-size Tile. Same numbers as
 *
 *   const { mean, variance } = tf.moments(x, allAxesButLast);
 *   y = tf.batchNorm(x, mean, variance, offset, scale, varianceEpsilon);
 *
 * including gradients through y, mean and variance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BatchNormTrain, type BatchNormTrainAttrs } from '../kernels/batch-norm.js';

export interface BatchNormTrainOutputs {
  /** The normalised, scaled and shifted x. */
  y: tf.Tensor;
  /** Per-channel batch mean [C]. */
  mean: tf.Tensor1D;
  /** Per-channel *biased* batch variance [C] (divided by the count, as used to normalise). */
  variance: tf.Tensor1D;
}

/**
 * Normalises `x` over every axis but the last with the batch's statistics, then applies
 * `scale` (γ) and `offset` (β), both [C]. Backends without our kernel get the stock ops.
 */
export function batchNormTrain(x: tf.Tensor, scale: tf.Tensor1D, offset: tf.Tensor1D, varianceEpsilon: number): BatchNormTrainOutputs {
  if (tf.getKernel(BatchNormTrain, tf.getBackend()) === undefined) {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(
        x,
        x.shape.slice(0, -1).map((_, i) => i),
      );
      const y = tf.batchNorm(x, mean, variance, offset, scale, varianceEpsilon);
      return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
    });
  }
  const attrs: BatchNormTrainAttrs = { varianceEpsilon };
  const [y, mean, variance] = tf.engine().runKernel(BatchNormTrain, { x, scale, offset }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  return { y: y!, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
