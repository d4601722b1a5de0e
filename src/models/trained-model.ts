/**
 * A trained model to use: compare two digits with a decoded model file (./model-file.ts), in
 * inference mode (./probabilities.ts). Pure (no files), so the library's loadModel,
 * `digit-pairs predict`, the self-checks of saved models and the browser app all answer
 * through the same code.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Digit, type PairSet, pooledDigit, standardise, unlabelledPairs } from '../data/pairs.js';
import { type DecodedModel, decodeModel, type ModelJson } from './model-file.js';
import { comparisonProbabilities, inferenceContext } from './probabilities.js';

export interface PairPrediction {
  /** P(first ≤ second). */
  probability: number;
  /** Models with a digit head: each digit's class probabilities (index = digit). */
  first?: number[];
  second?: number[];
}

export class TrainedModel {
  readonly meta: ModelJson;
  private readonly decoded: DecodedModel;

  /** A model from a decoded model file (see ./model-file.ts); the engine must be initialised. */
  constructor(decoded: DecodedModel) {
    this.decoded = decoded;
    this.meta = decoded.meta;
  }

  /** A model from model.json's parsed value and weights.bin's bytes; `where` names the file in errors. */
  static fromFiles(json: unknown, weights: Uint8Array, where?: string): TrainedModel {
    return new TrainedModel(decodeModel(json, weights, where));
  }

  /** Standardised pairs [n, 2, 14, 14] from pooled digits, as the run standardised its own. */
  private pairSet(pairs: [Digit, Digit][]): PairSet {
    const set = unlabelledPairs(pairs.map(([first, second]) => [pooledDigit(first), pooledDigit(second)]));
    standardise(set.input, this.meta.input.mean, this.meta.input.std);
    return set;
  }

  /** P(first ≤ second) of each pair, computed as the run computed its test pairs. */
  probabilities(pairs: [Digit, Digit][]): Float32Array {
    return comparisonProbabilities(this.decoded.forward, this.pairSet(pairs), inferenceContext().rng);
  }

  /** What the model makes of two digits: P(first ≤ second) and, with a digit head, each digit's class probabilities. */
  compare(first: Digit, second: Digit): PairPrediction {
    const set = this.pairSet([[first, second]]);
    return tf.tidy(() => {
      const out = this.decoded.forward(tf.tensor4d(set.input, [1, 2, 14, 14]), inferenceContext());
      const probability = tf.softmax(out.comparison as tf.Tensor2D).dataSync()[1];
      if (!out.digits) return { probability };
      const digits = Array.from(tf.softmax(out.digits as tf.Tensor2D).dataSync());
      return { probability, first: digits.slice(0, 10), second: digits.slice(10, 20) };
    });
  }

  /** Whether the model gives the probabilities its run recorded for the test pairs kept in model.json, bit for bit. */
  selfCheck(): { pairs: number; equal: number } {
    const p = this.probabilities(this.meta.checks.map((c) => [c.first, c.second]));
    return { pairs: p.length, equal: this.meta.checks.filter((c, i) => c.probability === p[i]).length };
  }

  dispose(): void {
    this.decoded.params.dispose();
  }
}
