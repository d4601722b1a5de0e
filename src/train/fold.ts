/**
 * One training of `digit-pairs tune`: k-fold cross-validation on a round's training pairs
 * only (the test pairs are never generated here), at one grid point of learning rate × λ.
 */
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { DigitPools } from '../data/digits.js';
import { generatePairs, type PairSet, pixelStats, selectPairs, standardise } from '../data/pairs.js';
import { makeRng, permutation } from '../rng.js';
import type { FoldJob, FoldResult, JobOptions } from './records.js';
import { fitAsConfigured } from './round.js';

/** Fold of each of `count` pairs: a seeded permutation dealt round-robin, so folds differ in size by ≤ 1. */
export function foldOf(count: number, folds: number, seed: number): Int32Array {
  const order = permutation(count, makeRng(seed, 'folds'));
  const fold = new Int32Array(count);
  for (let position = 0; position < count; position++) fold[order[position]] = position % folds;
  return fold;
}

/**
 * The round's training pairs (the very pairs its study round trains on) split into the
 * training folds and the validation fold, standardised with the training folds' statistics.
 */
export function foldData(pools: DigitPools, config: ExperimentConfig, round: number, fold: number): { train: PairSet; validation: PairSet } {
  const seed = config.seed + round;
  const pairs = generatePairs(pools.train, config.pairs, seed, 'train-pairs');
  const folds = foldOf(pairs.count, config.tune.folds, seed);
  const indices = (inFold: boolean) => Array.from(folds.keys()).filter((i) => (folds[i] === fold) === inFold);
  const train = selectPairs(pairs, indices(false));
  const validation = selectPairs(pairs, indices(true));
  const { mean, std } = pixelStats(train.input);
  standardise(train.input, mean, std);
  standardise(validation.input, mean, std);
  return { train, validation };
}

/** One training of the tuning grid: `job.model` at its grid point, trained on the other folds and validated on `job.fold`. */
export function runFold(job: FoldJob, config: ExperimentConfig, pools: DigitPools, { onEpoch }: Pick<JobOptions, 'onEpoch'> = {}): FoldResult {
  const started = performance.now();
  const seed = config.seed + job.round;
  const { train, validation } = foldData(pools, config, job.round, job.fold);
  const task = `${job.model} fold ${job.fold + 1}/${config.tune.folds} lr ${job.learningRate.toPrecision(2)} λ ${job.l2.toPrecision(2)}`;
  // The grid point's learning rate and λ; the rest of the model's recipe as configured. The
  // same seed for every grid point: each sees the same initial weights and batches, so their
  // differences are the hyper-parameters' alone.
  const hyper = { ...recipeOf(config, job.model), learningRate: job.learningRate, l2: job.l2 };
  const { final, fast } = fitAsConfigured(config, { model: job.model, hyper, train, heldOut: validation, seed, evalEveryEpoch: false, task, onEpoch });
  return {
    ...job,
    seed,
    status: 'ok',
    trainErrorPercent: final.trainErrorPercent,
    validationErrorPercent: final.testErrorPercent,
    seconds: (performance.now() - started) / 1000,
    ...(fast === undefined ? {} : { fast }),
  };
}
