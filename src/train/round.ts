/**
 * One round of the study for one model: fresh pairs and fresh weights from seed + round, the
 * model's recipe, then train and test error in inference mode.
 */
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { DigitPools } from '../data/mnist.js';
import { makeRoundData } from '../data/pairs.js';
import { type FitOptions, type FitResult, fit } from './fit.js';
import type { JobProgress, RoundJob, RoundResult } from './records.js';

/** How a protocol measures a model's final errors. */
const measureOf = (config: ExperimentConfig) => (config.protocol === 'authors-code' ? 'training-mode' : 'inference');

/** fit() with what the config decides (batch size, measurement), its epochs reported as `task`. */
export function fitAsConfigured(
  config: ExperimentConfig,
  options: Omit<FitOptions, 'batchSize' | 'measure' | 'onEpoch'>,
  task: string,
  onEpoch?: (p: JobProgress) => void,
): FitResult {
  const epochs = options.hyper.epochs * (options.hyper.ensemble ?? 1);
  return fit({
    ...options,
    batchSize: config.batchSize,
    measure: measureOf(config),
    onEpoch: (epoch, loss) => onEpoch?.({ task, epoch, epochs, loss }),
  });
}

/** Trains and evaluates `job.model` for round `job.round` of `config`. */
export function runRound(job: RoundJob, config: ExperimentConfig, pools: DigitPools, onEpoch?: (p: JobProgress) => void): RoundResult {
  const started = performance.now();
  const seed = config.seed + job.round;
  const data = makeRoundData(pools, config.pairs, seed);
  const { final, epochs, ...measured } = fitAsConfigured(
    config,
    { model: job.model, hyper: recipeOf(config, job.model), train: data.train, heldOut: data.test, seed, evalEveryEpoch: config.evalEveryEpoch },
    `${job.model} round ${job.round + 1}/${config.rounds}`,
    onEpoch,
  );
  return {
    ...job,
    seed,
    status: 'ok',
    ...final,
    ...measured,
    epochs: config.evalEveryEpoch ? epochs : [],
    seconds: (performance.now() - started) / 1000,
  };
}
