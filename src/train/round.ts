/**
 * One round of the study for one model: fresh pairs and fresh weights from seed + round, the
 * model's recipe, then train and test error in inference mode.
 */

import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { DigitPools } from '../data/digits.js';
import { DIGIT_PIXELS, generatePairs, makeRoundData } from '../data/pairs.js';
import type { HyperParams } from '../models/hyper.js';
import { type CheckPair, encodeModel, type ModelJson, type WeightValues } from '../models/model-file.js';
import type { ModelName } from '../models/registry.js';
import { type FitOptions, type FitResult, fit } from './fit.js';
import type { JobProgress, RoundJob, RoundResult } from './records.js';

/** fit() with what the config decides (batch size, protocol), its epochs reported as `task`. */
export function fitAsConfigured(
  config: ExperimentConfig,
  options: Omit<FitOptions, 'batchSize' | 'protocol' | 'onEpoch'>,
  task: string,
  onEpoch?: (p: JobProgress) => void,
): FitResult {
  const epochs = options.hyper.epochs * (options.hyper.ensemble ?? 1);
  return fit({
    ...options,
    batchSize: config.batchSize,
    protocol: config.protocol,
    onEpoch: (epoch, losses, errors) => onEpoch?.({ task, epoch, epochs, loss: losses[losses.length - 1], batchLoss: losses, ...(errors ? { errors } : {}) }),
  });
}

/** Test pairs kept in a model file for self-checks. */
export const CHECK_PAIRS = 8;

/** A trained round's model, for a model file (the run layer adds where and with what code it was made). */
export interface TrainedRoundModel {
  model: ModelName;
  round: number;
  seed: number;
  hyper: HyperParams;
  mean: number;
  std: number;
  errors: { trainErrorPercent: number; testErrorPercent: number };
  checks: CheckPair[];
  weights: WeightValues[];
}

/** What every model file says of its input. */
export const INPUT_LAYOUT = '[N, 2, 14, 14] pairs: channel 0 the first digit, channel 1 the second';
export const INPUT_PREPARATION =
  'MNIST-style 28×28 digits (0–255, light on dark), 2×2 average pooling to 14×14, then (v − mean) / std with the mean and std below';

/** A trained round's model file (model.json's value and weights.bin's bytes), saying which code made it and in which run. */
export function encodeRoundModel(
  trained: TrainedRoundModel,
  origin: { digitPairs: ModelJson['digitPairs']; run: string },
): { json: ModelJson; bin: Uint8Array } {
  return encodeModel(
    {
      model: trained.model,
      digitPairs: origin.digitPairs,
      tfjs: tfjsVersion,
      run: origin.run,
      round: trained.round,
      seed: trained.seed,
      hyper: trained.hyper,
      input: { layout: INPUT_LAYOUT, preparation: INPUT_PREPARATION, mean: trained.mean, std: trained.std },
      errors: trained.errors,
      checks: trained.checks,
    },
    trained.weights,
  );
}

/** The first test pairs as pooled 0–255 digits (the round's test pairs before standardisation) with the model's probabilities. */
function checkPairs(pools: DigitPools, config: ExperimentConfig, seed: number, probabilities: Float32Array): CheckPair[] {
  const raw = generatePairs(pools.test, config.pairs, seed, 'test-pairs');
  return Array.from({ length: Math.min(CHECK_PAIRS, raw.count) }, (_, i) => ({
    first: Array.from(raw.input.subarray(2 * i * DIGIT_PIXELS, (2 * i + 1) * DIGIT_PIXELS)),
    second: Array.from(raw.input.subarray((2 * i + 1) * DIGIT_PIXELS, (2 * i + 2) * DIGIT_PIXELS)),
    firstClass: raw.classes[2 * i],
    secondClass: raw.classes[2 * i + 1],
    target: raw.target[i],
    probability: probabilities[i],
  }));
}

/** Trains and evaluates `job.model` for round `job.round` of `config`; with `keepModel`, also hands back the trained model. */
export function trainRound(
  job: RoundJob,
  config: ExperimentConfig,
  pools: DigitPools,
  onEpoch?: (p: JobProgress) => void,
  keepModel = false,
): { record: RoundResult; model?: TrainedRoundModel } {
  const started = performance.now();
  const seed = config.seed + job.round;
  const data = makeRoundData(pools, config.pairs, seed);
  const hyper = recipeOf(config, job.model);
  const { final, epochs, kept, ...measured } = fitAsConfigured(
    config,
    {
      model: job.model,
      hyper,
      train: data.train,
      heldOut: data.test,
      seed,
      evalEveryEpoch: config.evalEveryEpoch,
      epochEvalPairs: config.epochEvalPairs ?? undefined,
      keepWeights: keepModel,
    },
    `${job.model} round ${job.round + 1}/${config.rounds}`,
    onEpoch,
  );
  const record: RoundResult = {
    ...job,
    seed,
    status: 'ok',
    ...final,
    ...measured,
    epochs: config.evalEveryEpoch ? epochs : [],
    seconds: (performance.now() - started) / 1000,
  };
  if (!kept) return { record };
  const model = {
    ...job,
    seed,
    hyper,
    mean: data.mean,
    std: data.std,
    errors: { trainErrorPercent: record.trainErrorPercent, testErrorPercent: record.testErrorPercent },
    checks: checkPairs(pools, config, seed, kept.heldOutProbabilities),
    weights: kept.weights,
  };
  return { record, model };
}

/** Trains and evaluates `job.model` for round `job.round` of `config`: fresh pairs, fresh weights. */
export function runRound(job: RoundJob, config: ExperimentConfig, pools: DigitPools, onEpoch?: (p: JobProgress) => void): RoundResult {
  return trainRound(job, config, pools, onEpoch).record;
}
