/**
 * The seed's `generate_pair_sets`: pairs of 14×14 digits, target 1 iff first ≤ second,
 * standardised with the train set's statistics.
 */

import { UserError } from '../errors.js';
import { makeRng, permutation } from '../rng.js';
import { type DigitPool, type DigitPools, MNIST_PIXELS, MNIST_SIDE } from './digits.js';

export const SIDE = 14;
export const DIGIT_PIXELS = SIDE * SIDE;

/** N pairs in PyTorch's layout [N, 2, 14, 14]: channel 0 the first digit, channel 1 the second. */
export interface PairSet {
  /** Pixels, N·2·14·14 values. */
  input: Float32Array;
  /** 1 iff classes[2i] ≤ classes[2i+1]. */
  target: Int32Array;
  /** The two digits' classes, interleaved: [first₀, second₀, first₁, second₁, …]. */
  classes: Int32Array;
  /** Which pool images the pairs were drawn from, interleaved like `classes` (for tests and figures). */
  poolIndex: Int32Array;
  count: number;
}

/** The first `n` pairs of `set` (all of it if it has no more), sharing its arrays. */
export function firstPairs(set: PairSet, n: number): PairSet {
  const count = Math.min(n, set.count);
  const pixels = set.input.length / set.count;
  return {
    input: set.input.subarray(0, count * pixels),
    target: set.target.subarray(0, count),
    classes: set.classes.subarray(0, 2 * count),
    poolIndex: set.poolIndex.subarray(0, 2 * count),
    count,
  };
}

export interface RoundData {
  train: PairSet;
  test: PairSet;
  /** The train set's pixel mean and std, used to standardise both sets. */
  mean: number;
  std: number;
}

/** 2×2 average pooling of one 28×28 byte image into 14×14 floats (0–255 scale). */
export function downsample(image: Uint8Array, offset: number, out: Float32Array, outOffset: number): void {
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const i = offset + 2 * r * MNIST_SIDE + 2 * c;
      out[outOffset + r * SIDE + c] = (image[i] + image[i + 1] + image[i + MNIST_SIDE] + image[i + MNIST_SIDE + 1]) / 4;
    }
  }
}

/** A digit: a 28×28 MNIST-style image (784 bytes, 0–255, light on dark), or its 14×14 2×2-average (196 values, 0–255). */
export type Digit = ArrayLike<number>;

/** A digit as the 14×14 pooled values the models were trained on (0–255 scale): `predict`, the library and the browser app use this one. */
export function pooledDigit(digit: Digit): Float32Array {
  if (digit.length === DIGIT_PIXELS) return Float32Array.from(digit);
  if (digit.length === MNIST_PIXELS) {
    const out = new Float32Array(DIGIT_PIXELS);
    downsample(Uint8Array.from(digit), 0, out, 0);
    return out;
  }
  throw new UserError(`a digit is ${MNIST_PIXELS} values (28×28) or ${DIGIT_PIXELS} (14×14), not ${digit.length}`);
}

/**
 * Draws `count` pairs from `pool` without replacement: a seeded permutation, whose first
 * 2·count indices are taken two by two (as the seed's `randperm(...)[:2N].view(N, 2, …)`).
 */
export function generatePairs(pool: DigitPool, count: number, seed: number, stream: string): PairSet {
  if (2 * count > pool.count) {
    throw new UserError(`--pairs ${count} needs ${2 * count} digits but the pool holds ${pool.count} (at most ${Math.floor(pool.count / 2)} pairs)`);
  }
  const order = permutation(pool.count, makeRng(seed, stream)).subarray(0, 2 * count);
  const input = new Float32Array(2 * count * DIGIT_PIXELS);
  const classes = new Int32Array(2 * count);
  const target = new Int32Array(count);
  order.forEach((poolIdx, slot) => {
    downsample(pool.images, poolIdx * MNIST_SIDE * MNIST_SIDE, input, slot * DIGIT_PIXELS);
    classes[slot] = pool.labels[poolIdx];
  });
  for (let i = 0; i < count; i++) target[i] = classes[2 * i] <= classes[2 * i + 1] ? 1 : 0;
  return { input, target, classes, poolIndex: Int32Array.from(order), count };
}

/** Pixel mean and (unbiased, as torch.std) standard deviation of a set. */
export function pixelStats(values: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / (values.length - 1)) };
}

/** Standardises in place: (v − mean) / std. */
export function standardise(values: Float32Array, mean: number, std: number): void {
  for (let i = 0; i < values.length; i++) values[i] = (values[i] - mean) / std;
}

/** One round's data: fresh train and test pairs, both standardised with the train statistics. */
export function makeRoundData(pools: DigitPools, pairs: number, roundSeed: number): RoundData {
  const train = generatePairs(pools.train, pairs, roundSeed, 'train-pairs');
  const test = generatePairs(pools.test, pairs, roundSeed, 'test-pairs');
  const { mean, std } = pixelStats(train.input);
  standardise(train.input, mean, std);
  standardise(test.input, mean, std);
  return { train, test, mean, std };
}
