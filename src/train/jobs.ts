/**
 * The units of work a worker runs: a study round, or one fold of one grid point of a tuning
 * run. Errors become failed records, so one bad job never stops the others.
 */
import type { ExperimentConfig } from '../config.js';
import type { DigitPools } from '../data/mnist.js';
import type { FailedRound, RoundRecord } from './results-log.js';
import { DivergedError, type RoundJob, type RoundProgress, runRound } from './round.js';
import { type FoldJob, type FoldRecord, runFold } from './tune.js';

export type Job = RoundJob | FoldJob;
export type JobRecord = RoundRecord | FoldRecord;

const isFold = (job: Job): job is FoldJob => 'fold' in job;

/** The record of a job that did not finish, with why. */
export function failedRecord<J extends Job>(job: J, config: ExperimentConfig, reason: string): J & FailedRound {
  const failure: FailedRound = { model: job.model, round: job.round, seed: config.seed + job.round, status: 'failed', reason };
  return { ...job, ...failure };
}

export function runJob(job: Job, config: ExperimentConfig, pools: DigitPools, onEpoch: (p: RoundProgress) => void): JobRecord {
  try {
    return isFold(job) ? runFold(job, config, pools, onEpoch) : runRound(job, config, pools, onEpoch);
  } catch (error) {
    const reason = error instanceof DivergedError ? `diverged: ${error.message}` : `error: ${(error as Error).message}`;
    return failedRecord(job, config, reason);
  }
}
