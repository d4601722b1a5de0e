/** What every architecture provides, so the trainer and the registry treat them alike. */
import type * as tf from '@tensorflow/tfjs-core';
import type { AffineJitter } from '../data/augment.js';
import type { ForwardContext, Params } from './layers.js';

export interface Outputs {
  /** Comparison logits [N, 2]: class 1 means "first digit ≤ second". */
  comparison: tf.Tensor;
  /** Digit logits [2N, 10] with the pairs' digits interleaved (first₀, second₀, first₁, …); aux models only. */
  digits?: tf.Tensor;
}

/** Maps a batch of pairs [N, 2, 14, 14] (PyTorch layout) to the outputs. */
export type Forward = (pairs: tf.Tensor, ctx: ForwardContext) => Outputs;

/** The training hyper-parameters that differ between models (the optional ones default to the seed's plain recipe). */
export interface HyperParams {
  /** Adam's learning rate. */
  learningRate: number;
  /** λ of the L2 penalty λ·Σw² added to the loss. */
  l2: number;
  /** Learning-rate schedule over the epochs: constant (the seed's), or cosine decay towards 0. */
  schedule?: 'constant' | 'cosine';
  /** Re-pair the round's 2N training digits into new pairs every epoch. */
  repairEachEpoch?: boolean;
  /** Random rotation, zoom and translation of every training digit, drawn afresh each epoch. */
  augment?: AffineJitter;
  /** Members trained per round from different initial weights, their predicted probabilities averaged. */
  ensemble?: number;
  /** Pairs per mini-batch for this model (default: the config's batch size). */
  batchSize?: number;
  /** Label smoothing ε of the digit cross-entropy (default 0). */
  labelSmoothing?: number;
  /** Whether the comparison cross-entropy is part of the loss (default true). */
  comparisonLoss?: boolean;
}

export interface ModelSpec {
  /** One line for `--help` and the report. */
  description: string;
  /** Whether the loss includes the digit-classification (auxiliary) term. */
  auxiliaryLoss: boolean;
  /** Default hyper-parameters (the seed's, for the seed's four models). */
  hyper: HyperParams;
  /** Creates fresh parameters in `params` and returns the forward function. */
  build(params: Params): Forward;
}
