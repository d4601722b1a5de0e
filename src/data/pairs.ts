/**
 * Pairs of digits: the PairSet every stage passes along (its layout, its targets, picking and
 * slicing pairs out of it), and the seed's `generate_pair_sets` that draws a round's pairs,
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

/** The seed's target of a pair: 1 iff the first digit's class ≤ the second's. */
export const targetOf = (firstClass: number, secondClass: number): number => (firstClass <= secondClass ? 1 : 0);

/** Digits laid out as a PairSet's, two by two: digit 2i is pair i's first, digit 2i + 1 its second. */
type PairedDigits = Pick<PairSet, 'input' | 'classes' | 'poolIndex'>;

/** Pairs of `digits` taken two by two, each target from the two classes. */
export function pairUp(digits: PairedDigits): PairSet {
  const count = digits.classes.length / 2;
  const target = Int32Array.from({ length: count }, (_, i) => targetOf(digits.classes[2 * i], digits.classes[2 * i + 1]));
  return { ...digits, target, count };
}

/** Copies the digits of `set` at digit indices `digits` (pair i holds digits 2i and 2i + 1), in that order. */
function copyDigits(set: PairSet, digits: ArrayLike<number>): PairedDigits {
  const input = new Float32Array(digits.length * DIGIT_PIXELS);
  const classes = new Int32Array(digits.length);
  const poolIndex = new Int32Array(digits.length);
  for (let slot = 0; slot < digits.length; slot++) {
    const from = digits[slot];
    input.set(set.input.subarray(from * DIGIT_PIXELS, (from + 1) * DIGIT_PIXELS), slot * DIGIT_PIXELS);
    classes[slot] = set.classes[from];
    poolIndex[slot] = set.poolIndex[from];
  }
  return { input, classes, poolIndex };
}

/** The pairs of `set` at `indices`, in that order, copied into a new set (a batch, a fold). */
export function selectPairs(set: PairSet, indices: ArrayLike<number>): PairSet {
  const digits = Int32Array.from({ length: 2 * indices.length }, (_, slot) => 2 * indices[slot >> 1] + (slot & 1));
  const target = Int32Array.from({ length: indices.length }, (_, k) => set.target[indices[k]]);
  return { ...copyDigits(set, digits), target, count: indices.length };
}

/** The digits of `set` at digit indices `digits`, paired anew two by two, each target from the new pair's classes. */
export function repairDigits(set: PairSet, digits: ArrayLike<number>): PairSet {
  return pairUp(copyDigits(set, digits));
}

/** The first `n` pairs of `set` (all of it if it has no more), sharing its arrays. */
export function firstPairs(set: PairSet, n: number): PairSet {
  const count = Math.min(n, set.count);
  return {
    input: set.input.subarray(0, count * 2 * DIGIT_PIXELS),
    target: set.target.subarray(0, count),
    classes: set.classes.subarray(0, 2 * count),
    poolIndex: set.poolIndex.subarray(0, 2 * count),
    count,
  };
}

/** Pair `i`'s two digits, sharing the set's pixels. */
export function digitsOfPair(set: PairSet, i: number): [Float32Array, Float32Array] {
  const digit = (d: number) => set.input.subarray(d * DIGIT_PIXELS, (d + 1) * DIGIT_PIXELS);
  return [digit(2 * i), digit(2 * i + 1)];
}

/** Pairs of given 14×14 digits whose classes nobody knows, for a model to answer: classes and targets read 0. */
export function unlabelledPairs(pairs: [ArrayLike<number>, ArrayLike<number>][]): PairSet {
  const input = new Float32Array(pairs.length * 2 * DIGIT_PIXELS);
  pairs.forEach(([first, second], i) => {
    input.set(first, 2 * i * DIGIT_PIXELS);
    input.set(second, (2 * i + 1) * DIGIT_PIXELS);
  });
  const zeros = new Int32Array(2 * pairs.length);
  return { input, target: zeros.subarray(0, pairs.length), classes: zeros, poolIndex: zeros, count: pairs.length };
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
  // Says no flag or field: the caller knows what the user called `count` (the CLI checks it first).
  if (2 * count > pool.count) {
    throw new UserError(`${count} pairs need ${2 * count} digits but the pool holds ${pool.count} (at most ${Math.floor(pool.count / 2)} pairs)`);
  }
  const order = permutation(pool.count, makeRng(seed, stream)).subarray(0, 2 * count);
  const input = new Float32Array(2 * count * DIGIT_PIXELS);
  const classes = new Int32Array(2 * count);
  order.forEach((poolIdx, slot) => {
    downsample(pool.images, poolIdx * MNIST_SIDE * MNIST_SIDE, input, slot * DIGIT_PIXELS);
    classes[slot] = pool.labels[poolIdx];
  });
  return pairUp({ input, classes, poolIndex: Int32Array.from(order) });
}

/** Pixel mean and (unbiased, as torch.std) standard deviation of a set. */
export function pixelStats(values: Float32Array): { mean: number; std: number } {
  // Indexed loops, not for…of: this runs once per round, mostly before the JIT has optimised
  // it, and the iterator took ~70 ms per round there (the same sums, in the same order).
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
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
