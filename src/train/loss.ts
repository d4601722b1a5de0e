/** The training loss: comparison and digit cross-entropies plus the L2 penalty. */
import * as tf from '@tensorflow/tfjs-core';
import { l2PenaltyValue } from '../engine/ops/l2-penalty.js';
import type { HyperParams } from '../models/hyper.js';
import type { Outputs } from '../models/model.js';
import type { Batch } from './batch.js';

/**
 * Mean softmax cross-entropy of `logits` [B, k] against integer `labels` [B]; with
 * `smoothing` ε the target puts 1 − ε on the label and ε/k on every class.
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  const k = logits.shape[1]!;
  let target: tf.Tensor = tf.oneHot(labels, k);
  if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / k);
  const picked = tf.mul(target, tf.logSoftmax(logits as tf.Tensor2D));
  return tf.neg(tf.mean(tf.sum(picked, 1))) as tf.Scalar;
}

/**
 * The seed's loss: comparison cross-entropy, plus for aux models the cross-entropy of each
 * pair's first and of its second digit (equation 1), plus λ·Σw² over every trainable variable.
 * A recipe may drop the comparison term (a model whose comparison is arithmetic on its digit
 * outputs learns from the digits alone), smooth the digit labels, or halve the digit term.
 */
export function totalLoss(outputs: Outputs, batch: Batch, trainable: tf.Variable[], hyper: LossHyper): tf.Scalar {
  return sumOf([...dataTerms(outputs, batch, hyper), ...(hyper.l2 > 0 ? [l2Penalty(hyper.l2, trainable)] : [])]);
}

type LossHyper = Pick<HyperParams, 'l2' | 'comparisonLoss' | 'labelSmoothing' | 'digitLoss'>;

/** The loss's terms in order, added left to right (so that the sum of the first ones, then the L2 term, is the same number). */
export const sumOf = (terms: tf.Tensor[]): tf.Scalar => terms.reduce((a, b) => tf.add(a, b)) as tf.Scalar;

/** The loss's terms but the L2 penalty: the comparison and the digit cross-entropies, as the recipe asks. */
export function dataTerms(outputs: Outputs, batch: Batch, hyper: LossHyper): tf.Scalar[] {
  const terms: tf.Scalar[] = [];
  if (hyper.comparisonLoss !== false) terms.push(crossEntropy(outputs.comparison, batch.target));
  if (outputs.digits) {
    // The digit logits hold both digits of each pair: mean over 2B, times 2 = first + second
    // (the seed's equation 1); the authors' code takes the mean over the 2B alone.
    const digitCE = crossEntropy(outputs.digits, batch.classes, hyper.labelSmoothing);
    terms.push(hyper.digitLoss === 'mean' ? digitCE : tf.mul(2, digitCE));
  }
  return terms;
}

/**
 * λ·Σ‖w‖² over `vars`, recorded as one op whose gradient is one multiply per variable (when
 * each variable is read by one op, fit.ts leaves it off the tape and Adam adds this gradient).
 *
 * Why: taped op by op (square, sum, addN, mul) its backward pass ran ~5 kernels per variable
 * (the broadcast of Sum's gradient, Square's `dy · (w · 2)`, …), ~110 per CNN step, a few per
 * cent of a 50-pair step. The value is one kernel, the same number as those ops (../engine/ops/l2-penalty.ts). The gradient is the same number:
 * the taped chain computed fl(fl(dy·λ) · fl(w·2)); here fl(w · fl(dy · 2λ)). Doubling is exact
 * in float32 (no overflow for a finite λ or a trained weight), so both round the one real
 * number 2·dy·λ·w, and round it to the same float (loss.test.ts checks this bit for bit).
 */
export function l2Penalty(l2: number, vars: tf.Tensor[]): tf.Scalar {
  const twiceL2 = 2 * Math.fround(l2); // the float32 λ the taped chain multiplied by, doubled exactly
  const penalty = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const inputs = args.slice(0, vars.length) as tf.Tensor[];
    return {
      value: l2PenaltyValue(l2, inputs),
      gradFunc: (dy: tf.Tensor) => {
        const scale = tf.mul(dy, twiceL2);
        return inputs.map((v) => tf.mul(v, scale));
      },
    };
  });
  return penalty(...vars) as tf.Scalar;
}
