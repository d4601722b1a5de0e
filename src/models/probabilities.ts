/**
 * A model's answer for a set of pairs: P(first ≤ second) of each, from its forward function.
 * Training measures its errors with it (src/train/evaluate.ts) and a trained model answers with
 * it (./trained-model.ts), so a saved model gives the probabilities its run computed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type PairSet, selectPairs } from '../data/pairs.js';
import { makeRng, type Rng } from '../rng.js';
import type { ForwardContext, Mode } from './layers.js';
import type { Forward } from './model.js';

/**
 * Pairs per forward pass when evaluating. Small chunks keep a CNN's activations in cache:
 * evaluating 1000 pairs takes ~25% less time in chunks of 100 than in one pass (wasm,
 * scratch measurements), and the probabilities are bit-identical (inference is per pair).
 */
export const EVAL_CHUNK = 100;

/** Inference-mode context (no randomness is drawn in inference mode; the Rng is a formality). */
export const inferenceContext = (): ForwardContext => ({ mode: 'eval', rng: makeRng(0, 'inference') });

export interface ProbabilityOptions {
  /** Pairs per forward pass (default EVAL_CHUNK). */
  chunk?: number;
  /** 'eval' (default) for inference; 'train' as the authors' code measured: batch statistics, dropout on, and BatchNorm's running statistics move too. */
  mode?: Mode;
}

/** P(first ≤ second) for every pair of `set`, from `forward` over consecutive chunks of pairs. */
export function comparisonProbabilities(
  forward: Forward,
  set: PairSet,
  rng: Rng,
  { chunk = EVAL_CHUNK, mode = 'eval' }: ProbabilityOptions = {},
): Float32Array {
  const ctx: ForwardContext = { mode, rng };
  const out = new Float32Array(set.count);
  for (let start = 0; start < set.count; start += chunk) {
    out.set(
      tf.tidy(() => {
        const pairs = selectPairs(
          set,
          Int32Array.from({ length: Math.min(chunk, set.count - start) }, (_, k) => start + k),
        );
        const logits = forward(tf.tensor4d(pairs.input, [pairs.count, 2, 14, 14]), ctx).comparison;
        return tf.slice(tf.softmax(logits as tf.Tensor2D), [0, 1], [-1, 1]).dataSync() as Float32Array;
      }),
      start,
    );
  }
  return out;
}
