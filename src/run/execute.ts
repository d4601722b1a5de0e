/**
 * What a study and a tuning run share: a run folder holding the resolved config and a log of
 * finished jobs; the jobs not yet in the log run on the worker pool, each appended as it ends;
 * SIGINT/SIGTERM abandon only the jobs in progress; a log that cannot be written stops the run
 * with everything written before it kept.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type ExperimentConfig, recipeOf } from '../config.js';
import { CONFIG_FILE, jobKey, latestRecords, MODELS_DIR, modelDirName, readRecords, readRunFile } from '../run-folder.js';
import type { Job, JobRecord } from '../train/records.js';
import { recordSession, writeRunFile } from './folder.js';
import { appendRecord, dropTornTail, retryable } from './log.js';
import { writeModelFiles } from './model-files.js';
import { type PoolHandlers, runJobs } from './pool.js';
import { makeProgress } from './progress.js';
import type { QueueTarget } from './queue.js';

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

export interface LoggedJobs<R> {
  /** One record per job in the log (earlier sessions' and this one's; a rerun job's latest). */
  records: R[];
  /** True when stopped (SIGINT/SIGTERM) before every job finished. */
  interrupted: boolean;
}

/** The log or a model file could not be written (a full disk, a folder gone): the run stopped; what was written before stands. */
export class LogWriteError extends Error {
  override name = 'LogWriteError';
  constructor(
    readonly path: string,
    readonly cause: unknown,
    readonly written: number,
    readonly runDir: string,
    readonly logPath: string,
  ) {
    super(`cannot write ${path} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`);
  }
}

/** Epochs a job trains, for the progress bar. */
const epochsOf = (config: ExperimentConfig, job: Job) => {
  const recipe = recipeOf(config, job.model);
  return recipe.epochs * (recipe.ensemble ?? 1);
};

/**
 * Runs the `jobs` of `config` that `runDir/logFile` does not hold yet. `command` and `describe`
 * only shape what the user sees. The caller checks the data first (checkData), before making the folder.
 */
export async function runLoggedJobs<J extends Job, R extends JobRecord>(
  command: string,
  config: ExperimentConfig,
  jobs: J[],
  logFile: string,
  options: RunOptions,
  describe: (r: R) => string,
): Promise<LoggedJobs<R>> {
  const { runDir } = options;
  if (!existsSync(join(runDir, CONFIG_FILE))) writeRunFile(runDir, command, config);
  // The queue knows this run's jobs by an id kept in config.json, so a resumed coordinator re-attaches to them.
  // BullMQ and ioredis load only for a queued run (their import costs a local run ~0.2 s of start-up).
  const queueModule = options.queue ? await import('./queue.js') : undefined;
  const queueRunId = queueModule ? queueRunIdOf(runDir, queueModule.newQueueRunId) : undefined;
  const logPath = join(runDir, logFile);
  dropTornTail(logPath);
  const logged = readRecords<R>(logPath);
  const done = new Set(
    latestRecords(logged)
      .filter((r) => !(options.retryFailed && retryable(r)))
      .map(jobKey),
  );
  const todo = jobs.filter((job) => !done.has(jobKey(job)));

  const workers = options.queue
    ? Math.max(0, options.workers ?? availableParallelism())
    : Math.max(1, Math.min(options.workers ?? availableParallelism(), todo.length || 1));
  if (options.progress) {
    const epochs = [...new Set(config.models.map((m) => recipeOf(config, m).epochs))].join('/');
    console.error(
      `digit-pairs ${command} → ${runDir}  (${config.models.join(', ')}; ${epochs} epochs; ${config.backend}; ` +
        `${workers} worker${workers === 1 ? '' : 's'}${options.queue ? ` here + the queue ${options.queue.display}` : ''}; ${todo.length} of ${jobs.length} jobs to run)`,
    );
  }
  const progress = options.progress
    ? makeProgress(
        todo.map((job) => epochsOf(config, job)),
        Math.max(1, workers),
        describe as (r: JobRecord) => string,
        // Through the queue the records come from any machine: the bar counts whole jobs (the host is in each line).
        options.queue ? { epochsOf: (r) => epochsOf(config, r) } : undefined,
      )
    : undefined;
  let writeError: LogWriteError | undefined;
  const handlers: PoolHandlers<R> = {
    onRecord(record, model) {
      if (writeError) return;
      let path = logPath;
      try {
        // The model first: a results line promises its model files are there.
        if (model) {
          path = join(runDir, MODELS_DIR, modelDirName(model.model, model.round));
          writeModelFiles(path, model, runDir);
          path = logPath;
        }
        appendRecord(logPath, record);
      } catch (error) {
        writeError = new LogWriteError(path, error, logged.length, runDir, logPath);
        void pool.stop();
        return;
      }
      logged.push(record);
      progress?.record(record);
    },
    onProgress: (slot, p) => progress?.epoch(slot, p),
  };
  const pool =
    queueModule && options.queue
      ? queueModule.runQueuedJobs<J, R>(
          todo,
          config,
          { target: options.queue, runId: queueRunId!, localWorkers: workers, lockSeconds: options.lockSeconds },
          handlers,
        )
      : runJobs<J, R>(todo, config, { workers, keepModels: options.saveModels === true }, handlers);

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
  if (options.queue) warnMixedHosts(logged);
  recordSession(runDir, { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, workers, jobs: todo.length, interrupted });
  return { records: latestRecords(logged), interrupted };
}

/** The run's id in the queue, made on first use and kept in config.json. */
function queueRunIdOf(runDir: string, newQueueRunId: () => string): string {
  const file = readRunFile(runDir);
  if (typeof file.meta.queueRunId === 'string') return file.meta.queueRunId;
  file.meta.queueRunId = newQueueRunId();
  writeFileSync(join(runDir, CONFIG_FILE), `${JSON.stringify(file, null, 2)}\n`);
  return file.meta.queueRunId as string;
}

/** A run whose rounds ran on different Node versions or CPU architectures may differ in the last bits: say so. */
function warnMixedHosts(records: object[]): void {
  const kinds = new Set(
    records
      .map((r) => r as { node?: string; arch?: string })
      .filter((r) => r.node)
      .map((r) => `${r.node} ${r.arch}`),
  );
  if (kinds.size > 1)
    console.error(`warning: this run's rounds ran on different Node versions or CPU architectures (${[...kinds].join('; ')}); their float rounding may differ`);
}
