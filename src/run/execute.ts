/**
 * What a study and a tuning run share: a run log (src/run/run-log.ts) and a job runner (this
 * machine's threads, or a queue). The jobs not yet in the log run on the runner, each appended
 * as it ends; SIGINT/SIGTERM abandon only the jobs in progress; a log that cannot be written
 * stops the run with everything written before it kept.
 */
import { availableParallelism } from 'node:os';
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { Job, JobRecord } from '../train/records.js';
import { type JobRunner, localRunner } from './pool.js';
import { makeProgress } from './progress.js';
import type { QueueTarget } from './queue.js';
import type { LogWriteError, RunLog } from './run-log.js';

export interface RunOptions {
  /** The run folder: made by createRunDir for a fresh run, existing for a resumed one. */
  runDir: string;
  /** Worker threads (default: the machine's cores). */
  workers?: number;
  /** Show progress (bars on a terminal, lines otherwise). */
  progress?: boolean;
  /** Run again the jobs recorded as failed for a passing reason (not divergences). */
  retryFailed?: boolean;
  /** Write each finished study round's model files into the run folder's models/. */
  saveModels?: boolean;
  /** Run the jobs through this BullMQ queue (any number of `digit-pairs worker` machines); `workers` then counts this process's own, 0 allowed. */
  queue?: QueueTarget;
  /** With `queue`: seconds a job's lock lives without renewal (a killed worker's job is retried after about this long). */
  lockSeconds?: number;
}

/** The runner `options` ask for; a queued one is known to the queue by an id kept in the run's config.json. */
export async function runnerFor(options: RunOptions, log: RunLog<JobRecord>): Promise<JobRunner> {
  if (!options.queue) return localRunner({ workers: options.workers, keepModels: options.saveModels });
  // BullMQ and ioredis load only for a queued run (their import costs a local run ~0.2 s of start-up).
  const { newQueueRunId, queueRunner } = await import('./queue.js');
  return queueRunner({
    target: options.queue,
    runId: log.queueRunId(newQueueRunId),
    localWorkers: Math.max(0, options.workers ?? availableParallelism()),
    lockSeconds: options.lockSeconds,
  });
}

export interface LoggedJobs<R> {
  /** One record per job in the log (earlier sessions' and this one's; a rerun job's latest). */
  records: R[];
  /** True when stopped (SIGINT/SIGTERM) before every job finished. */
  interrupted: boolean;
}

export interface LoggedRun<J extends Job, R extends JobRecord> {
  /** `study` or `tune`, for the first line. */
  command: string;
  config: ExperimentConfig;
  /** Every job of the run; those the log holds are skipped. */
  jobs: J[];
  log: RunLog<R>;
  runner: JobRunner;
  /** One line for a finished job, for the progress output. */
  describe: (r: R) => string;
  progress?: boolean;
  retryFailed?: boolean;
}

/** Epochs a job trains, for the progress bar. */
const epochsOf = (config: ExperimentConfig, job: Job) => {
  const recipe = recipeOf(config, job.model);
  return recipe.epochs * (recipe.ensemble ?? 1);
};

/** Runs the jobs of `run` that its log does not hold yet, appending each record as it comes. The caller checks the data first. */
export async function runLoggedJobs<J extends Job, R extends JobRecord>(run: LoggedRun<J, R>): Promise<LoggedJobs<R>> {
  const { config, log, runner } = run;
  const todo = log.schedule(run.jobs, { retryFailed: run.retryFailed });
  const threads = runner.threadsFor(todo.length);
  if (run.progress) {
    const epochs = [...new Set(config.models.map((m) => recipeOf(config, m).epochs))].join('/');
    console.error(
      `digit-pairs ${run.command} → ${log.runDir}  (${config.models.join(', ')}; ${epochs} epochs; ${config.backend}; ` +
        `${threads} worker${threads === 1 ? '' : 's'}${runner.where ? ` here + ${runner.where}` : ''}; ${todo.length} of ${run.jobs.length} jobs to run)`,
    );
  }
  const progress = run.progress
    ? makeProgress(
        todo.map((job) => epochsOf(config, job)),
        Math.max(1, threads),
        run.describe as (r: JobRecord) => string,
        runner.remote ? { epochsOf: (r) => epochsOf(config, r) } : undefined,
      )
    : undefined;
  let writeError: LogWriteError | undefined;
  const pool = runner.start<R>(todo, config, {
    onRecord(record, model) {
      if (writeError) return;
      try {
        if (log.append(record, model)) progress?.record(record);
      } catch (error) {
        writeError = error as LogWriteError;
        void pool.stop();
      }
    },
    onProgress: (slot, p) => progress?.epoch(slot, p),
  });

  const startedAt = new Date();
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    void pool.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await pool.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    progress?.stop();
  }
  if (writeError) throw writeError;
  if (runner.remote) warnMixedHosts(log.allLines());
  log.recordSession({
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    workers: threads,
    jobs: todo.length,
    interrupted,
  });
  return { records: log.records(), interrupted };
}

/** A run whose rounds ran on different Node versions or CPU architectures may differ in the last bits: say so. */
function warnMixedHosts(records: readonly object[]): void {
  const kinds = new Set(
    records
      .map((r) => r as { node?: string; arch?: string })
      .filter((r) => r.node)
      .map((r) => `${r.node} ${r.arch}`),
  );
  if (kinds.size > 1)
    console.error(`warning: this run's rounds ran on different Node versions or CPU architectures (${[...kinds].join('; ')}); their float rounding may differ`);
}
