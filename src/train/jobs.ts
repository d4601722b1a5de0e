/**
 * Runs one job of any kind. A job's own problems become failed records (divergence is a
 * result; a bug in one job must not stop the others); errors that leave the engine unusable
 * (a wasm abort, memory exhausted) are thrown on, so the caller can replace its engine.
 */
import type { ExperimentConfig } from '../config.js';
import type { DigitPools } from '../data/mnist.js';
import { DivergedError } from './fit.js';
import { runFold } from './fold.js';
import { failedRecord, isFold, type Job, type JobProgress, type JobRecord } from './records.js';
import { runRound } from './round.js';

/** A WebAssembly trap or an exhausted heap: the engine that hit it cannot be trusted with another job. */
export function isFatal(error: unknown): boolean {
  if (error instanceof WebAssembly.RuntimeError) return true;
  return error instanceof RangeError && /memory|allocation failed/i.test(error.message);
}

export function runJob(job: Job, config: ExperimentConfig, pools: DigitPools, onEpoch: (p: JobProgress) => void): JobRecord {
  try {
    return isFold(job) ? runFold(job, config, pools, onEpoch) : runRound(job, config, pools, onEpoch);
  } catch (error) {
    if (isFatal(error)) throw error;
    const reason = error instanceof DivergedError ? `diverged: ${error.message}` : `error: ${(error as Error).message}`;
    return failedRecord(job, config.seed + job.round, reason);
  }
}
