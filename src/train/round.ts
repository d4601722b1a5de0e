/**
 * One round of the study for one model: fresh pairs and fresh weights from seed + round, the
 * model's recipe, then train and test error in inference mode.
 */
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { DigitPools } from '../data/mnist.js';
import { makeRoundData } from '../data/pairs.js';
import { fit } from './fit.js';
import type { JobProgress, RoundJob, RoundResult } from './records.js';

/** How a protocol measures a model's final errors. */
export const measureOf = (config: ExperimentConfig) => (config.protocol === 'authors-code' ? 'training-mode' : 'inference');

/** Trains and evaluates `job.model` for round `job.round` of `config`. */
export function runRound(job: RoundJob, config: ExperimentConfig, pools: DigitPools, onEpoch?: (p: JobProgress) => void): RoundResult {
  const started = performance.now();
  const seed = config.seed + job.round;
  const hyper = recipeOf(config, job.model);
  const data = makeRoundData(pools, config.pairs, seed);
  const task = `${job.model} round ${job.round + 1}/${config.rounds}`;
  const epochs = hyper.epochs * (hyper.ensemble ?? 1);
  const {
    final,
    epochs: curves,
    ...measured
  } = fit({
    model: job.model,
    hyper,
    train: data.train,
    heldOut: data.test,
    seed,
    batchSize: config.batchSize,
    evalEveryEpoch: config.evalEveryEpoch,
    measure: measureOf(config),
    onEpoch: (epoch, loss) => onEpoch?.({ task, epoch, epochs, loss }),
  });
  return {
    ...job,
    seed,
    status: 'ok',
    ...final,
    ...measured,
    epochs: config.evalEveryEpoch ? curves : [],
    seconds: (performance.now() - started) / 1000,
  };
}
