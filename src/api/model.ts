/**
 * A trained model to use: load a model folder, then compare two digits. The library's entry
 * (`import { loadModel } from 'digit-pairs'`), `digit-pairs predict`, and the self-checks of
 * saved models all go through here, so a model answers the same everywhere.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DIGIT_PIXELS, downsample, type PairSet, standardise } from '../data/pairs.js';
import { type BackendName, initBackend } from '../engine/backend.js';
import { UserError } from '../errors.js';
import type { Params } from '../models/layers.js';
import type { Forward } from '../models/model.js';
import { inferenceContext, type ModelJson } from '../models/model-file.js';
import { readModelFiles } from '../run/model-files.js';
import { comparisonProbabilities } from '../train/evaluate.js';

/** A digit: a 28×28 MNIST-style image (784 bytes, 0–255, light on dark), or its 14×14 2×2-average (196 values, 0–255). */
export type Digit = ArrayLike<number>;

export interface PairPrediction {
  /** P(first ≤ second). */
  probability: number;
  /** Models with a digit head: each digit's class probabilities (index = digit). */
  first?: number[];
  second?: number[];
}

/** A digit as the 14×14 pooled values the models were trained on (0–255 scale). */
export function pooledDigit(digit: Digit): Float32Array {
  if (digit.length === DIGIT_PIXELS) return Float32Array.from(digit);
  if (digit.length === 784) {
    const out = new Float32Array(DIGIT_PIXELS);
    downsample(Uint8Array.from(digit), 0, out, 0);
    return out;
  }
  throw new UserError(`a digit is 784 values (28×28) or 196 (14×14), not ${digit.length}`);
}

export class TrainedModel {
  private constructor(
    readonly meta: ModelJson,
    private readonly forward: Forward,
    private readonly params: Params,
  ) {}

  /** Loads a model folder (model.json + weights.bin) on `backend` (initialised on first use). */
  static async load(dir: string, backend: BackendName = 'wasm'): Promise<TrainedModel> {
    await initBackend(backend);
    const { meta, forward, params } = readModelFiles(dir);
    return new TrainedModel(meta, forward, params);
  }

  /** Standardised pairs [n, 2, 14, 14] from pooled digits, as the run standardised its own. */
  private pairSet(pairs: [Digit, Digit][]): PairSet {
    const input = new Float32Array(pairs.length * 2 * DIGIT_PIXELS);
    pairs.forEach(([first, second], i) => {
      input.set(pooledDigit(first), 2 * i * DIGIT_PIXELS);
      input.set(pooledDigit(second), (2 * i + 1) * DIGIT_PIXELS);
    });
    standardise(input, this.meta.input.mean, this.meta.input.std);
    const zeros = new Int32Array(2 * pairs.length);
    return { input, target: zeros.subarray(0, pairs.length), classes: zeros, poolIndex: zeros, count: pairs.length };
  }

  /** P(first ≤ second) of each pair, computed as the run computed its test pairs. */
  probabilities(pairs: [Digit, Digit][]): Float32Array {
    return comparisonProbabilities(this.forward, this.pairSet(pairs), inferenceContext().rng);
  }

  /** What the model makes of two digits: P(first ≤ second) and, with a digit head, each digit's class probabilities. */
  compare(first: Digit, second: Digit): PairPrediction {
    const set = this.pairSet([[first, second]]);
    return tf.tidy(() => {
      const out = this.forward(tf.tensor4d(set.input, [1, 2, 14, 14]), inferenceContext());
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
    this.params.dispose();
  }
}

/** `import { loadModel } from 'digit-pairs'`: a model folder, ready to compare digits. */
export function loadModel(dir: string, options: { backend?: BackendName } = {}): Promise<TrainedModel> {
  return TrainedModel.load(dir, options.backend);
}
