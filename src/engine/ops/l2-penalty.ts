/**
 * λ·Σ‖w‖² over `vars` as one kernel (../kernels/l2-penalty.ts), the same number as the stock
 * ops below it; backends without our kernels run those ops. Untaped: the caller owns the gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { L2Penalty, penaltyInputs } from '../kernels/l2-penalty.js';

export function l2PenaltyValue(l2: number, vars: tf.Tensor[]): tf.Scalar {
  if (tf.getKernel(L2Penalty, tf.getBackend()) === undefined) return tf.mul(l2, tf.addN(vars.map((v) => tf.sum(tf.square(v)))));
  return tf.engine().runKernel(L2Penalty, penaltyInputs(vars) as tf.NamedTensorMap, { l2 }) as tf.Scalar;
}
