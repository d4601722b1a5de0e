/** What every architecture provides, so the trainer and the registry treat them alike. */
import type * as tf from '@tensorflow/tfjs-core';
import type { HyperParams } from './hyper.js';
import type { ForwardContext, Params } from './layers.js';

export interface Outputs {
  /** Comparison logits [N, 2]: class 1 means "first digit ≤ second". */
  comparison: tf.Tensor;
  /** Digit logits [2N, 10] with the pairs' digits interleaved (first₀, second₀, first₁, …), as the digit loss reads them; aux models only. */
  digits?: tf.Tensor;
  /** The tower's digit outputs before its last ReLU, same layout (aux models with a ReLU'd digit layer): for counting dead units. */
  digitsPreReLU?: tf.Tensor;
}

/** Maps a batch of pairs [N, 2, 14, 14] (PyTorch layout) to the outputs. */
export type Forward = (pairs: tf.Tensor, ctx: ForwardContext) => Outputs;

export interface ModelSpec {
  /** What `--models`, the summary and the figures call it (lower-case letters, digits, dashes). */
  name: string;
  /** One line for `--help` and the report. */
  description: string;
  /** Whether the loss includes the digit-classification (auxiliary) term. */
  auxiliaryLoss: boolean;
  /** Default hyper-parameters (the seed's, for the seed's four models). */
  hyper: HyperParams;
  /** Digit towers of an aux model: 1 shared by both digits, 2 (one per digit; their rows alternate in `digits`). */
  digitTowers?: 1 | 2;
  /** Creates fresh parameters in `params` and returns the forward function; `recipe` carries the architecture's options (digitReLU, digitLossOn). */
  build(params: Params, recipe?: HyperParams): Forward;
}
