/**
 * `digit-pairs tune`: k-fold cross-validation on the training pairs only, over a grid of
 * learning rate × L2 λ per model, as the seed's "2-fold cross validation to find the best
 * hyper-parameters". The test pairs are never generated here.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import type { DigitPools } from '../data/mnist.js';
import { DIGIT_PIXELS, generatePairs, type PairSet, pixelStats, standardise } from '../data/pairs.js';
import type { HyperParams } from '../models/model.js';
import { MODELS, type ModelName } from '../models/registry.js';
import { meanStd } from '../report/summary.js';
import { makeRng, permutation } from '../rng.js';
import type { FailedRound } from './results-log.js';
import { fit, type RoundProgress } from './round.js';
import { type RunOptions, runLoggedJobs } from './run-folder.js';

export const FOLDS_FILE = 'folds.jsonl';
export const HPARAMS_FILE = 'hparams.json';

/** One training: `model` at one grid point, validated on fold `fold` of round `round`'s training pairs. */
export interface FoldJob {
  model: ModelName;
  round: number;
  fold: number;
  learningRate: number;
  l2: number;
}

export interface FoldResult extends FoldJob {
  seed: number;
  status: 'ok';
  trainErrorPercent: number;
  validationErrorPercent: number;
  seconds: number;
}

export type FoldRecord = FoldResult | (FoldJob & FailedRound);

/** Fold of each of `count` pairs: a seeded permutation dealt round-robin, so folds differ in size by ≤ 1. */
export function foldOf(count: number, folds: number, seed: number): Int32Array {
  const order = permutation(count, makeRng(seed, 'folds'));
  const fold = new Int32Array(count);
  for (let position = 0; position < count; position++) fold[order[position]] = position % folds;
  return fold;
}

/** The pairs of `set` at `indices`, as a new set. */
export function subset(set: PairSet, indices: number[]): PairSet {
  const input = new Float32Array(indices.length * 2 * DIGIT_PIXELS);
  const pick = <T extends Int32Array>(src: T, width: number) => {
    const out = new Int32Array(indices.length * width);
    for (const [k, i] of indices.entries()) out.set(src.subarray(i * width, (i + 1) * width), k * width);
    return out;
  };
  for (const [k, i] of indices.entries()) input.set(set.input.subarray(i * 2 * DIGIT_PIXELS, (i + 1) * 2 * DIGIT_PIXELS), k * 2 * DIGIT_PIXELS);
  return { input, target: pick(set.target, 1), classes: pick(set.classes, 2), poolIndex: pick(set.poolIndex, 2), count: indices.length };
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
  const train = subset(pairs, indices(false));
  const validation = subset(pairs, indices(true));
  const { mean, std } = pixelStats(train.input);
  standardise(train.input, mean, std);
  standardise(validation.input, mean, std);
  return { train, validation };
}

export function runFold(job: FoldJob, config: ExperimentConfig, pools: DigitPools, onEpoch?: (p: RoundProgress) => void): FoldResult {
  const started = performance.now();
  const seed = config.seed + job.round;
  const { train, validation } = foldData(pools, config, job.round, job.fold);
  const task = `${job.model} fold ${job.fold + 1}/${config.tune.folds} lr ${job.learningRate.toPrecision(2)} λ ${job.l2.toPrecision(2)}`;
  // The same seed for every grid point: each sees the same initial weights and batches, so
  // their differences are the hyper-parameters' alone.
  // The grid point's learning rate and λ; the rest of the model's recipe as configured.
  const hyper = { ...(config.hyper[job.model] ?? MODELS[job.model].hyper), learningRate: job.learningRate, l2: job.l2 };
  const { final } = fit(job.model, hyper, train, validation, seed, { ...config, evalEveryEpoch: false }, (epoch, loss) =>
    onEpoch?.({ task, epoch, epochs: config.epochs * (hyper.ensemble ?? 1), loss }),
  );
  return {
    ...job,
    seed,
    status: 'ok',
    trainErrorPercent: final.trainErrorPercent,
    validationErrorPercent: final.testErrorPercent,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The grid of a model: the config's factors × its default learning rate and λ. */
export function grid(config: ExperimentConfig, model: ModelName): Pick<HyperParams, 'learningRate' | 'l2'>[] {
  const base = MODELS[model].hyper;
  const round6 = (v: number) => Number(v.toPrecision(6));
  return config.tune.learningRateFactors.flatMap((f) =>
    config.tune.l2Factors.map((g) => ({ learningRate: round6(f * base.learningRate), l2: round6(g * base.l2) })),
  );
}

export function tuneJobs(config: ExperimentConfig): FoldJob[] {
  return config.models.flatMap((model) =>
    grid(config, model).flatMap((point) =>
      Array.from({ length: config.rounds }, (_, round) => Array.from({ length: config.tune.folds }, (_, fold) => ({ model, round, fold, ...point }))).flat(),
    ),
  );
}

export interface GridPoint extends Pick<HyperParams, 'learningRate' | 'l2'> {
  validationErrorMean: number;
  validationErrorStd: number;
  /** Folds × rounds that finished. */
  folds: number;
}

export interface HParamsFile {
  /** The chosen learning rate and λ per model. */
  chosen: Partial<Record<ModelName, Pick<HyperParams, 'learningRate' | 'l2'>>>;
  /** Every grid point's validation error, per model. */
  grid: Partial<Record<ModelName, GridPoint[]>>;
  folds: number;
  rounds: number;
}

/** Lowest mean validation error wins; ties go to the smaller λ (the simpler fit), then the smaller lr. */
export function selectHyper(records: FoldRecord[], config: ExperimentConfig): HParamsFile {
  const result: HParamsFile = { chosen: {}, grid: {}, folds: config.tune.folds, rounds: config.rounds };
  for (const model of config.models) {
    const points = grid(config, model).map((point): GridPoint => {
      const errors = records
        .filter((r): r is FoldResult => r.status === 'ok' && r.model === model && r.learningRate === point.learningRate && r.l2 === point.l2)
        .map((r) => r.validationErrorPercent);
      const { mean, std } = meanStd(errors);
      return { ...point, validationErrorMean: mean, validationErrorStd: std, folds: errors.length };
    });
    const ranked = points
      .filter((p) => p.folds > 0)
      .sort((a, b) => a.validationErrorMean - b.validationErrorMean || a.l2 - b.l2 || a.learningRate - b.learningRate);
    result.grid[model] = points;
    if (ranked.length) result.chosen[model] = { learningRate: ranked[0].learningRate, l2: ranked[0].l2 };
  }
  return result;
}

function describeFold(r: FoldRecord, folds: number): string {
  const what = `${r.model} round ${r.round + 1} fold ${r.fold + 1}/${folds} lr ${r.learningRate} λ ${r.l2}`;
  return r.status === 'ok' ? `${what}: validation ${r.validationErrorPercent.toFixed(1)}%  (${r.seconds.toFixed(1)} s)` : `${what}: FAILED (${r.reason})`;
}

/** Runs (or resumes) the search and writes hparams.json into the run folder. */
export async function runTune(config: ExperimentConfig, options: RunOptions): Promise<{ hparams: HParamsFile; interrupted: boolean }> {
  const { records, interrupted } = await runLoggedJobs<FoldJob, FoldRecord>('tune', config, tuneJobs(config), FOLDS_FILE, options, (r) =>
    describeFold(r, config.tune.folds),
  );
  const hparams = selectHyper(records, config);
  writeFileSync(join(options.runDir, HPARAMS_FILE), `${JSON.stringify(hparams, null, 2)}\n`);
  return { hparams, interrupted };
}
