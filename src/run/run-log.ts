/**
 * A run's log as one object: opened fresh or resumed, it knows which jobs are still to run and
 * takes each of their records exactly once (model files first, then the results line), so a
 * late duplicate (a frozen queue worker's result, a job re-enqueued after a Redis restart) never
 * lands twice. A write that fails stops the run with everything written before it kept.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import type { TrainedRoundModel } from '../models/model-file.js';
import { CONFIG_FILE, jobKey, latestRecords, MODELS_DIR, modelDirName, readRecords, readRunFile } from '../run-folder.js';
import type { Job, JobRecord } from '../train/records.js';
import { recordSession, writeRunFile, writeRunFolderFile } from './folder.js';
import { appendRecord, dropTornTail, retryable } from './log.js';
import { writeModelFiles } from './model-files.js';

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

export class RunLog<R extends JobRecord> {
  /** Keys of the jobs scheduled in this session that have no record yet: the only records append takes. */
  private readonly expected = new Set<string>();

  private constructor(
    readonly runDir: string,
    readonly path: string,
    private readonly lines: R[],
  ) {}

  /**
   * Opens the log `logFile` of a run folder: records the config on first use (config.json) and
   * cuts a torn last line left by a crash, so new records start on a line of their own.
   */
  static open<R extends JobRecord>(runDir: string, command: string, config: ExperimentConfig, logFile: string): RunLog<R> {
    if (!existsSync(join(runDir, CONFIG_FILE))) writeRunFile(runDir, command, config);
    const path = join(runDir, logFile);
    dropTornTail(path);
    return new RunLog<R>(runDir, path, readRecords<R>(path));
  }

  /**
   * The `jobs` still to run: those without a record, and with `retryFailed` those that failed
   * for a passing reason (a divergence is a result and stays). Their records are then expected.
   */
  schedule<J extends Job>(jobs: J[], { retryFailed = false } = {}): J[] {
    const done = new Set(
      latestRecords(this.lines)
        .filter((r) => !(retryFailed && retryable(r)))
        .map(jobKey),
    );
    const todo = jobs.filter((job) => !done.has(jobKey(job)));
    for (const job of todo) this.expected.add(jobKey(job));
    return todo;
  }

  /**
   * Writes a scheduled job's record (its model files first: a results line promises they are
   * there). Returns false, writing nothing, for a record of a job not expected (already landed).
   * Throws LogWriteError when the disk refuses; the log keeps only whole lines.
   */
  append(record: R, model?: TrainedRoundModel): boolean {
    const key = jobKey(record);
    if (!this.expected.has(key)) return false;
    let path = this.path;
    try {
      if (model) {
        path = join(this.runDir, MODELS_DIR, modelDirName(model.model, model.round));
        writeModelFiles(path, model, this.runDir);
        path = this.path;
      }
      appendRecord(this.path, record);
    } catch (error) {
      throw new LogWriteError(path, error, this.lines.length, this.runDir, this.path);
    }
    this.expected.delete(key);
    this.lines.push(record);
    return true;
  }

  /** One record per job (earlier sessions' and this one's; a rerun job's latest). */
  records(): R[] {
    return latestRecords(this.lines);
  }

  /** Every line, in the order written. */
  allLines(): readonly R[] {
    return this.lines;
  }

  /** The run's id in the queue, made on first use and kept in config.json, so a resumed coordinator re-attaches to its jobs. */
  queueRunId(make: () => string): string {
    const file = readRunFile(this.runDir);
    if (typeof file.meta.queueRunId !== 'string') {
      file.meta.queueRunId = make();
      writeRunFolderFile(join(this.runDir, CONFIG_FILE), `${JSON.stringify(file, null, 2)}\n`);
    }
    return file.meta.queueRunId as string;
  }

  /** Adds this session (when, how long, how many workers and jobs, whether stopped) to config.json. */
  recordSession(session: { startedAt: string; seconds: number; workers: number; jobs: number; interrupted: boolean }): void {
    recordSession(this.runDir, session);
  }
}
