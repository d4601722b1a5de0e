/**
 * Runs one job of any kind. A job's own problems become failed records (divergence is a
 * result; a bug in one job must not stop the others); errors that leave the engine unusable
 * (a wasm abort, memory exhausted) are thrown on, so the caller can replace its engine.
 */
import type { ExperimentConfig } from '../config.js';
import type { DigitPools } from '../data/digits.js';
import type { TrainedRoundModel } from '../models/model-file.js';
import { DivergedError } from './fit.js';
import { runFold } from './fold.js';
import { failedRecord, isFold, type Job, type JobOptions, type JobRecord } from './records.js';
import { trainRound } from './round.js';

/** A WebAssembly trap or an exhausted heap: the engine that hit it cannot be trusted with another job. */
export function isFatal(error: unknown): boolean {
  if (error instanceof WebAssembly.RuntimeError) return true;
  return error instanceof RangeError && /memory|allocation failed/i.test(error.message);
}

/** A job's record, and with `keepModel` a study round's trained model. */
export interface JobOutput {
  record: JobRecord;
  model?: TrainedRoundModel;
}

/** Runs `job` (a study round or a tuning fold) into its record; its own failures become failed records. */
export function runJob(job: Job, config: ExperimentConfig, pools: DigitPools, options: JobOptions = {}): JobOutput {
  try {
    return isFold(job) ? { record: runFold(job, config, pools, options) } : trainRound(job, config, pools, options);
  } catch (error) {
    if (isFatal(error)) throw error;
    const reason = error instanceof DivergedError ? `diverged: ${error.message}` : `error: ${(error as Error).message}`;
    return { record: failedRecord(job, config.seed + job.round, reason) };
  }
}
