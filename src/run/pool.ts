/**
 * Runs jobs on worker threads, one TensorFlow.js instance each. Every job is seeded by its own
 * fields alone, so results do not depend on which worker ran it or in what order.
 *
 * Failures: a job whose worker dies under it (a crash, a fatal engine error) is retried once on
 * a fresh worker, then recorded as failed; a worker that hit a fatal error is replaced, never
 * reused; a worker that cannot start retires its slot while the other slots carry on, and only
 * when no worker can run at all are the remaining jobs recorded as failed.
 */
import { Worker } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import { failedRecord, type Job, type JobProgress, type JobRecord } from '../train/records.js';
import type { TrainedRoundModel } from '../train/round.js';

/** What a worker thread says to the pool. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'done'; record: JobRecord; model?: TrainedRoundModel }
  /** The engine hit an error it cannot recover from; the worker exits after sending this. */
  | { type: 'fatal'; reason: string };

/** What the pool sends a worker: a job and which attempt at it this is (1-based). */
export interface ToWorker {
  job: Job;
  attempt: number;
}

export interface PoolHandlers<R extends JobRecord> {
  /** A job finished (or failed for good); called in completion order, with its trained model when the pool keeps models. */
  onRecord(record: R, model?: TrainedRoundModel): void;
  /** Epoch-level progress of the job on worker `slot`. */
  onProgress?(slot: number, progress: JobProgress): void;
  /** A worker thread was started on `slot` (again, after a crash or a fatal error). */
  onWorkerStart?(slot: number): void;
}

export interface PoolOptions {
  workers: number;
  /** Runs after the first for a job whose worker died under it (default 1). */
  retries?: number;
  /** Hand back each study round's trained model with its record. */
  keepModels?: boolean;
}

export interface JobPool {
  /** Resolves when every job has a record, or after `stop()` once the workers are gone. */
  done: Promise<void>;
  /** Abandons the jobs in progress and those not started; their rounds stay unrecorded. */
  stop(): Promise<void>;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

interface Pending<J extends Job> {
  job: J;
  attempt: number;
}

export function runJobs<J extends Job, R extends JobRecord>(jobs: J[], config: ExperimentConfig, options: PoolOptions, handlers: PoolHandlers<R>): JobPool {
  const retries = options.retries ?? 1;
  const queue: Pending<J>[] = jobs.map((job) => ({ job, attempt: 1 }));
  const active = new Set<Worker>();
  const retired = new Set<number>();
  let stopped = false;
  // Every problem becomes a record, so `done` only ever resolves.
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let outstanding = jobs.length;
  const seedOf = (job: Job) => config.seed + job.round;

  const record = (r: JobRecord, model?: TrainedRoundModel) => {
    handlers.onRecord(r as R, model);
    if (--outstanding === 0) finish();
  };

  /** The worker running `p` died: run it again on a fresh worker, or record it as failed for good. */
  const lost = (p: Pending<J>, reason: string) => {
    if (p.attempt <= retries && !stopped) queue.unshift({ job: p.job, attempt: p.attempt + 1 });
    else record({ ...failedRecord(p.job, seedOf(p.job), reason, true), attempts: p.attempt });
  };

  /** No slot can run a worker any more: what is left cannot run. */
  const failRemaining = (reason: string) => {
    for (const p of queue.splice(0)) record({ ...failedRecord(p.job, seedOf(p.job), reason, true), attempts: p.attempt - 1 });
  };

  const start = (slot: number) => {
    if (stopped || queue.length === 0) return;
    const worker = new Worker(WORKER_URL, { workerData: { config, slot, keepModels: options.keepModels === true } });
    active.add(worker);
    handlers.onWorkerStart?.(slot);
    let current: Pending<J> | undefined;
    let ready = false;
    let problem = '';
    const next = () => {
      current = queue.shift();
      if (current) worker.postMessage({ job: current.job, attempt: current.attempt } satisfies ToWorker);
      else void worker.terminate();
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'progress') handlers.onProgress?.(slot, message.progress);
      else if (message.type === 'ready') {
        ready = true;
        next();
      } else if (message.type === 'fatal') problem = `engine failed: ${message.reason}`;
      else {
        current = undefined;
        record(message.record, message.model);
        next();
      }
    });
    worker.on('error', (error) => {
      problem ||= `worker crashed: ${error.message}`;
    });
    worker.on('exit', (code) => {
      active.delete(worker);
      if (stopped) {
        if (active.size === 0) finish();
        return;
      }
      if (current) lost(current, problem || `worker crashed: exit code ${code}`);
      current = undefined;
      if (!ready) {
        // It would fail the same way again: retire the slot and leave the jobs to the others.
        retired.add(slot);
        if (retired.size === options.workers) failRemaining(`worker could not start: ${problem || `exit code ${code}`}`);
        return;
      }
      if (queue.length > 0) start(slot); // a fresh worker: never reuse one whose engine failed
    });
  };

  if (jobs.length === 0) finish();
  for (let slot = 0; slot < Math.min(options.workers, jobs.length); slot++) start(slot);
  // Slots beyond the job count never start; they must not count as able to run jobs.
  for (let slot = Math.min(options.workers, jobs.length); slot < options.workers; slot++) retired.add(slot);

  return {
    done,
    async stop() {
      stopped = true;
      queue.length = 0;
      if (active.size === 0) finish();
      await Promise.all([...active].map((w) => w.terminate()));
      await done;
    },
  };
}
