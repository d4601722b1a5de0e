/**
 * The digit head of the models whose tower sees one digit at a time: splitting a batch of pairs
 * into its digits and interleaving their outputs, the digit outputs an aux model reads, and the
 * comparison computed from two digits' probabilities.
 */
import * as tf from '@tensorflow/tfjs-core';
import { relu } from '../engine/ops/relu.js';
import type { HyperParams } from './hyper.js';

/** [N, 2, 14, 14] → the first digits and the second digits, each [N, 14, 14, 1] (NHWC). */
export function splitPair(pairs: tf.Tensor): [tf.Tensor, tf.Tensor] {
  const [first, second] = tf.split(pairs, 2, 1);
  return [tf.reshape(first, [-1, 14, 14, 1]), tf.reshape(second, [-1, 14, 14, 1])];
}

/** Two [N, k] outputs → [2N, k] with the rows interleaved (first₀, second₀, first₁, …). */
export function interleave(first: tf.Tensor, second: tf.Tensor): tf.Tensor {
  return tf.reshape(tf.stack([first, second], 1), [-1, first.shape[1]!]);
}

/** U[j][i] = 1 where j ≥ i: b·U gives, for each i, P(b ≥ i). Plain numbers: no tensor is made at import. */
const AT_LEAST = Array.from({ length: 100 }, (_, k) => (Math.floor(k / 10) >= k % 10 ? 1 : 0));

/**
 * Comparison logits from the digit logits [2N, 10] (pairs interleaved): the exact
 * P(first ≤ second) = Σᵢ P(first = i)·P(second ≥ i) under the two softmaxes, as the
 * log-probabilities [log P(>), log P(≤)]. No weights: the comparison is arithmetic, so
 * everything learnt goes into the digit tower.
 */
export function comparisonFromDigits(digitLogits: tf.Tensor): tf.Tensor {
  const probabilities = tf.reshape(tf.softmax(digitLogits as tf.Tensor2D), [-1, 2, 10]);
  const [first, second] = tf.split(probabilities, 2, 1).map((p) => tf.reshape(p, [-1, 10]) as tf.Tensor2D);
  const lessOrEqual = tf.sum(tf.mul(first, tf.matMul(second, tf.tensor2d(AT_LEAST, [10, 10]))), 1, true);
  const clipped = tf.clipByValue(lessOrEqual, 1e-7, 1 - 1e-7); // finite logs for confident pairs
  return tf.log(tf.concat([tf.sub(1, clipped), clipped], 1));
}

/**
 * An aux model's digit outputs from the tower's last linear layer (before its ReLU): what the
 * comparison head reads (`activated`) and what the digit loss reads (`digits`), as the recipe
 * says. The seed's reading: both after the ReLU.
 */
export function digitOutputs(
  preReLU: tf.Tensor,
  recipe: Pick<HyperParams, 'digitReLU' | 'digitLossOn'> = {},
): { activated: tf.Tensor; digits: tf.Tensor; digitsPreReLU: tf.Tensor } {
  const activated = recipe.digitReLU === false ? preReLU : relu(preReLU);
  return { activated, digits: recipe.digitLossOn === 'pre-relu' ? preReLU : activated, digitsPreReLU: preReLU };
}
