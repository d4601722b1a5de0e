/** Moving between a batch of pairs and its digits, for the towers that see one digit at a time. */
import * as tf from '@tensorflow/tfjs-core';

/** [N, 2, 14, 14] → the first digits and the second digits, each [N, 14, 14, 1] (NHWC). */
export function splitPair(pairs: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const [first, second] = tf.split(pairs, 2, 1);
  return [tf.reshape(first, [-1, 14, 14, 1]), tf.reshape(second, [-1, 14, 14, 1])];
}

/** Two [N, k] outputs → [2N, k] with the rows interleaved (first₀, second₀, first₁, …). */
export function interleave(first: tf.Tensor, second: tf.Tensor): tf.Tensor {
  return tf.reshape(tf.stack([first, second], 1), [-1, first.shape[1]!]);
}
