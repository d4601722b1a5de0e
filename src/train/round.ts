/**
 * One round of the study for one model: fresh pairs and fresh weights from seed + round, the
 * model's recipe, then train and test error measured as the protocol says. Pure compute: the
 * trained model comes back as data, and the run layer writes its files.
 */
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { DigitPools } from '../data/digits.js';
import { generatePairs, makeRoundData, selectPairs } from '../data/pairs.js';
import { routes, setRoutes } from '../engine/routes.js';
import { fusedKernelsAvailable } from '../engine/simd/kernels.js';
import { CHECK_PAIRS, type TrainedRoundModel } from '../models/model-file.js';
import { type FitOptions, type FitResult, fit } from './fit.js';
import type { JobOptions, RoundJob, RoundResult } from './records.js';

/** What a job fits: fit()'s options but those the config decides, and the job's progress under its name. */
export interface JobFitOptions extends Omit<FitOptions, 'batchSize' | 'protocol' | 'onEpoch'>, Pick<JobOptions, 'onEpoch'> {
  /** What is training, for the progress display: "cnn round 3/15". */
  task: string;
}

/**
 * fit() with what the config decides (batch size, protocol, fast mode), its epochs reported as
 * the job's progress. With --fast the result says whether the fused kernels ran (`fast`).
 */
export function fitAsConfigured(config: ExperimentConfig, { task, onEpoch, ...options }: JobFitOptions): FitResult & { fast?: boolean } {
  const epochs = options.hyper.epochs * (options.hyper.ensemble ?? 1);
  const fused = config.fast && fusedKernelsAvailable();
  const previous = routes.fast;
  setRoutes({ fast: fused });
  try {
    const result = fit({
      ...options,
      batchSize: config.batchSize,
      protocol: config.protocol,
      onEpoch: (epoch, losses, errors) => onEpoch?.({ task, epoch, epochs, loss: losses[losses.length - 1], batchLoss: losses, ...(errors ? { errors } : {}) }),
    });
    return config.fast ? { ...result, fast: fused } : result;
  } finally {
    setRoutes({ fast: previous });
  }
}

/**
 * Round `job.round` of the study for `job.model`: draws the round's pairs and initial weights
 * from seed + round, trains the model's recipe and measures it as the config's protocol says.
 * Returns the round's record and, with `keepModel`, the trained model for a model file.
 */
export function trainRound(
  job: RoundJob,
  config: ExperimentConfig,
  pools: DigitPools,
  { onEpoch, keepModel = false }: JobOptions = {},
): { record: RoundResult; model?: TrainedRoundModel } {
  const started = performance.now();
  const seed = config.seed + job.round;
  const data = makeRoundData(pools, config.pairs, seed);
  const hyper = recipeOf(config, job.model);
  const { final, epochs, kept, ...measured } = fitAsConfigured(config, {
    model: job.model,
    hyper,
    train: data.train,
    heldOut: data.test,
    seed,
    evalEveryEpoch: config.evalEveryEpoch,
    epochEvalPairs: config.epochEvalPairs ?? undefined,
    keepWeights: keepModel,
    task: `${job.model} round ${job.round + 1}/${config.rounds}`,
    onEpoch,
  });
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
