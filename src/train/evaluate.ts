/** Measuring a model in training: its comparison error on a set (from ../models/probabilities.ts) and its dead digit units. */
import * as tf from '@tensorflow/tfjs-core';
import type { PairSet } from '../data/pairs.js';
import type { ForwardContext } from '../models/layers.js';
import type { Forward } from '../models/model.js';
import { comparisonProbabilities, EVAL_CHUNK } from '../models/probabilities.js';
import type { Rng } from '../rng.js';
import { takeBatch } from './batch.js';

/** Pairs whose probability P(first ≤ second) is on the wrong side of ½. */
export function wrongPairs(probabilities: Float32Array, set: PairSet): number {
  let wrong = 0;
  for (let i = 0; i < set.count; i++) if ((probabilities[i] > 0.5 ? 1 : 0) !== set.target[i]) wrong++;
  return wrong;
}

/** Comparison error (%) of probabilities P(first ≤ second) against the set's targets. */
export function errorOfProbabilities(probabilities: Float32Array, set: PairSet): number {
  return (100 * wrongPairs(probabilities, set)) / set.count;
}

/**
 * Digit-logit units of an aux model that its last ReLU clamps to zero for every digit of `set`
 * (inference mode): they pass no gradient back, so a tower that loses one cannot learn it
 * again. With two towers (rows alternating), each tower's 10 units count apart.
 */
export function deadDigitUnits(forward: Forward, set: PairSet, rng: Rng, towers: 1 | 2): number | undefined {
  const ctx: ForwardContext = { mode: 'eval', rng };
  let max: Float32Array | undefined; // per tower × unit: the largest pre-ReLU value seen
  for (let start = 0; start < set.count; start += EVAL_CHUNK) {
    const indices = Array.from({ length: Math.min(EVAL_CHUNK, set.count - start) }, (_, k) => start + k);
    const values = tf.tidy(() => forward(takeBatch(set, indices).pairs, ctx).digitsPreReLU?.dataSync() as Float32Array | undefined);
    if (!values) return undefined;
    const units = values.length / (2 * indices.length);
    max ??= new Float32Array(towers * units).fill(-Infinity);
    for (let row = 0; row < 2 * indices.length; row++) {
      const tower = towers === 2 ? row % 2 : 0;
      for (let u = 0; u < units; u++) max[tower * units + u] = Math.max(max[tower * units + u], values[row * units + u]);
    }
  }
  return max ? max.filter((m) => m <= 0).length : undefined;
}

/** Comparison error (%) of `forward` in inference mode over a whole set. */
export function errorPercent(forward: Forward, set: PairSet, rng: Rng): number {
  return errorOfProbabilities(comparisonProbabilities(forward, set, rng), set);
}
