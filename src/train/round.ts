/**
 * One round of the study for one model: fresh pairs and fresh weights from seed + round, the
 * model's recipe, then train and test error in inference mode.
 */
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { DigitPools } from '../data/digits.js';
import { generatePairs, makeRoundData, selectPairs } from '../data/pairs.js';
import { CHECK_PAIRS, type TrainedRoundModel } from '../models/model-file.js';
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
  // The test pairs before standardisation (makeRoundData standardised its own in place), drawn again.
  const rawTest = generatePairs(pools.test, config.pairs, seed, 'test-pairs');
  const checks = Int32Array.from({ length: Math.min(CHECK_PAIRS, rawTest.count) }, (_, i) => i);
  const model: TrainedRoundModel = {
    ...job,
    seed,
    hyper,
    mean: data.mean,
    std: data.std,
    errors: { trainErrorPercent: record.trainErrorPercent, testErrorPercent: record.testErrorPercent },
    weights: kept.weights,
    checkPairs: selectPairs(rawTest, checks),
    checkProbabilities: kept.heldOutProbabilities.slice(0, checks.length),
  };
  return { record, model };
}

/** Trains and evaluates `job.model` for round `job.round` of `config`: fresh pairs, fresh weights. */
export function runRound(job: RoundJob, config: ExperimentConfig, pools: DigitPools, onEpoch?: (p: JobProgress) => void): RoundResult {
  return trainRound(job, config, pools, onEpoch).record;
}
