/**
 * What a study and a tuning run share: a run folder holding the resolved config and a log of
 * finished jobs; the jobs not yet in the log run on the worker pool, each appended as it ends;
 * SIGINT/SIGTERM abandon only the jobs in progress; a log that cannot be written stops the run
 * with everything written before it kept.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type ExperimentConfig, recipeOf } from '../config.js';
import type { Job, JobRecord } from '../train/records.js';
import { CONFIG_FILE, recordSession, writeRunFile } from './folder.js';
import { appendRecord, dropTornTail, jobKey, latestRecords, readRecords, retryable } from './log.js';
import { MODELS_DIR, modelDirName, writeModelFiles } from './model-files.js';
import { runJobs } from './pool.js';
import { makeProgress } from './progress.js';

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
}

export interface LoggedJobs<R> {
  /** One record per job in the log (earlier sessions' and this one's; a rerun job's latest). */
  records: R[];
  /** True when stopped (SIGINT/SIGTERM) before every job finished. */
  interrupted: boolean;
}

/** The log or a model file could not be written (a full disk, a folder gone): the run stopped; what was written before stands. */
export class LogWriteError extends Error {
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
  const logPath = join(runDir, logFile);
  dropTornTail(logPath);
  const logged = readRecords<R>(logPath);
  const done = new Set(
    latestRecords(logged)
      .filter((r) => !(options.retryFailed && retryable(r)))
      .map(jobKey),
  );
  const todo = jobs.filter((job) => !done.has(jobKey(job)));

  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), todo.length || 1));
  if (options.progress) {
    const epochs = [...new Set(config.models.map((m) => recipeOf(config, m).epochs))].join('/');
    console.error(
      `digit-pairs ${command} → ${runDir}  (${config.models.join(', ')}; ${epochs} epochs; ${config.backend}; ` +
        `${workers} worker${workers > 1 ? 's' : ''}; ${todo.length} of ${jobs.length} jobs to run)`,
    );
  }
  const progress = options.progress
    ? makeProgress(
        todo.map((job) => epochsOf(config, job)),
        workers,
        describe as (r: JobRecord) => string,
      )
    : undefined;
  let writeError: LogWriteError | undefined;
  const pool = runJobs<J, R>(
    todo,
    config,
    { workers, keepModels: options.saveModels === true },
    {
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
    },
  );

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
  recordSession(runDir, { startedAt: startedAt.toISOString(), seconds: (Date.now() - startedAt.getTime()) / 1000, workers, jobs: todo.length, interrupted });
  return { records: latestRecords(logged), interrupted };
}
