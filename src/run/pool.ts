/**
 * Worker threads, one TensorFlow.js instance each, that train jobs. Every job is seeded by its
 * own fields alone, so results do not depend on which thread ran it or in what order. A thread
 * keeps its engine and digits between jobs (the config travels with each job), so a pool can
 * live as long as a queue worker does.
 *
 * Failures: a job whose thread dies under it (a crash, a fatal engine error) is retried once on
 * a fresh thread, then recorded as failed; a thread that hit a fatal error is replaced, never
 * reused; a thread that cannot start retires its slot while the other slots carry on, and only
 * when no slot can run a thread are the waiting jobs recorded as failed.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import { type DigitPools, loadPools } from '../data/mnist.js';
import type { TrainedRoundModel } from '../models/model-file.js';
import type { JobOutput } from '../train/jobs.js';
import { failedRecord, type Job, type JobProgress, type JobRecord } from '../train/records.js';

/** What a worker thread says to the pool. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: JobProgress }
  | { type: 'done'; record: JobRecord; model?: TrainedRoundModel }
  /** The engine hit an error it cannot recover from; the thread exits after sending this. */
  | { type: 'fatal'; reason: string };

/** What the pool sends a thread: a job, its run's config, which attempt at it this is (1-based), and the digits. */
export interface ToWorker {
  job: Job;
  config: ExperimentConfig;
  attempt: number;
  /** The config's digits as this process loaded them: their bytes are SharedArrayBuffers, so every thread reads one copy. Absent when they cannot be read here (the thread then fails the job with the reason). */
  pools?: DigitPools;
}

export interface ThreadPoolOptions {
  /** Runs after the first for a job whose thread died under it (default 1). */
  retries?: number;
  /** Hand back each study round's trained model with its record. */
  keepModels?: boolean;
  /** Epoch-level progress of the job on thread `slot`. */
  onProgress?(slot: number, progress: JobProgress): void;
  /** A thread was started on `slot` (again, after a crash or a fatal error). */
  onWorkerStart?(slot: number): void;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** This process's copy of a data folder's digits (loaded once, in shared memory), or undefined when it cannot be read. */
function sharedPools(dataDir: string | null): DigitPools | undefined {
  try {
    return loadPools(dataDir);
  } catch {
    return undefined; // the thread loads them itself and fails the job with the reason
  }
}

interface Task {
  job: Job;
  config: ExperimentConfig;
  attempt: number;
  /** With the job's output, or undefined when the pool was closed before it finished. */
  settle(output: JobOutput | undefined): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  current?: Task;
  problem: string;
}

/**
 * Which queued job a free thread takes: the lowest round first, so a stopped study has about
 * as many rounds of every model; within it, the job whose model's last round took longest (a
 * model not timed yet counts as longest; ties keep queue order). Taking a round's long jobs
 * first lets its short ones fill in beside them, instead of one long job running alone at
 * the very end: on the default study (2 threads) that idle tail was ~6 s of ~250 s.
 */
export function nextJobIndex(queue: readonly Pick<Job, 'model' | 'round'>[], secondsByModel: ReadonlyMap<string, number>): number {
  let best = 0;
  for (let i = 1; i < queue.length; i++) {
    const [a, b] = [queue[i]!, queue[best]!];
    const longer = (secondsByModel.get(a.model) ?? Number.POSITIVE_INFINITY) > (secondsByModel.get(b.model) ?? Number.POSITIVE_INFINITY);
    if (a.round < b.round || (a.round === b.round && longer)) best = i;
  }
  return best;
}

export class ThreadPool {
  private readonly queue: Task[] = [];
  /** The last finished round's seconds, by model (for nextJobIndex). */
  private readonly secondsByModel = new Map<string, number>();
  private readonly slots: (Slot | undefined)[];
  private readonly retired = new Set<number>();
  private closed = false;

  constructor(
    readonly size: number,
    private readonly options: ThreadPoolOptions = {},
  ) {
    this.slots = Array.from({ length: size }, () => undefined);
  }

  /** Trains `job` of `config` on the next free thread; resolves with its output (failed records included), or undefined if the pool closes first. */
  submit(job: Job, config: ExperimentConfig): Promise<JobOutput | undefined> {
    return new Promise((settle) => {
      if (this.closed) return settle(undefined);
      this.queue.push({ job, config, attempt: 1, settle });
      this.dispatch();
    });
  }

  /** Terminates every thread; jobs not finished settle as undefined. */
  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.settle(undefined);
    await Promise.all(this.slots.map((s) => s?.worker.terminate()));
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot?.ready && !slot.current && this.queue.length) {
        const next = nextJobIndex(
          this.queue.map((t) => t.job),
          this.secondsByModel,
        );
        this.send(slot, this.queue.splice(next, 1)[0]!);
      }
    }
    // Threads to start: one per waiting job beyond those a starting thread will take.
    let starting = this.slots.filter((s) => s && !s.ready).length;
    for (let i = 0; i < this.size && this.queue.length > starting; i++) {
      if (!this.slots[i] && !this.retired.has(i)) {
        this.start(i);
        starting++;
      }
    }
  }

  private send(slot: Slot, task: Task): void {
    slot.current = task;
    slot.worker.postMessage({ job: task.job, config: task.config, attempt: task.attempt, pools: sharedPools(task.config.dataDir) } satisfies ToWorker);
  }

  private fail(task: Task, reason: string, attempts: number): void {
    task.settle({ record: { ...failedRecord(task.job, task.config.seed + task.job.round, reason, { transient: true }), attempts } });
  }

  private start(index: number): void {
    const worker = new Worker(WORKER_URL, { workerData: { slot: index, keepModels: this.options.keepModels === true } });
    const slot: Slot = { worker, ready: false, problem: '' };
    this.slots[index] = slot;
    this.options.onWorkerStart?.(index);
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'progress') this.options.onProgress?.(index, message.progress);
      else if (message.type === 'ready') {
        slot.ready = true;
        this.dispatch();
      } else if (message.type === 'fatal') slot.problem = `engine failed: ${message.reason}`;
      else {
        const task = slot.current!;
        slot.current = undefined;
        if (message.record.status === 'ok') this.secondsByModel.set(message.record.model, message.record.seconds);
        task.settle({ record: message.record, model: message.model });
        this.dispatch();
      }
    });
    worker.on('error', (error) => {
      slot.problem ||= `worker crashed: ${error.message}`;
    });
    worker.on('exit', (code) => {
      this.slots[index] = undefined;
      const task = slot.current;
      if (this.closed) return task?.settle(undefined);
      if (task) {
        // Run it again on a fresh thread, or record it as failed for good.
        const reason = slot.problem || `worker crashed: exit code ${code}`;
        if (task.attempt <= (this.options.retries ?? 1)) this.queue.unshift({ ...task, attempt: task.attempt + 1 });
        else this.fail(task, reason, task.attempt);
      }
      // A thread that never started would fail the same way again: retire its slot. Any other
      // is replaced by a fresh one as jobs wait: never reuse an engine that failed.
      if (!slot.ready) {
        this.retired.add(index);
        if (this.retired.size === this.size) {
          for (const t of this.queue.splice(0)) this.fail(t, `worker could not start: ${slot.problem || `exit code ${code}`}`, t.attempt - 1);
        }
      }
      this.dispatch();
    });
  }
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
  retries?: number;
  keepModels?: boolean;
}

export interface JobPool {
  /** Resolves when every job has a record, or after `stop()`. */
  done: Promise<void>;
  /** Abandons the jobs in progress and those not started; their rounds stay unrecorded. */
  stop(): Promise<void>;
}

/** Runs `jobs` of one config on `options.workers` threads, handing each record to `handlers.onRecord` as it comes. */
export function runJobs<J extends Job, R extends JobRecord>(jobs: J[], config: ExperimentConfig, options: PoolOptions, handlers: PoolHandlers<R>): JobPool {
  const pool = new ThreadPool(Math.max(1, Math.min(options.workers, jobs.length)), {
    retries: options.retries,
    keepModels: options.keepModels,
    onProgress: handlers.onProgress,
    onWorkerStart: handlers.onWorkerStart,
  });
  let stopped = false;
  const done = Promise.all(
    jobs.map((job) =>
      pool.submit(job, config).then((output) => {
        if (output && !stopped) handlers.onRecord(output.record as R, output.model);
      }),
    ),
  ).then(() => pool.close());
  return {
    done,
    async stop() {
      stopped = true;
      await pool.close();
      await done;
    },
  };
}

/** Where a run's jobs are trained: this machine's worker threads, or a queue that any machine takes jobs from. */
export interface JobRunner {
  /** Threads training here for `jobs` jobs (a local pool starts no more threads than jobs). */
  threadsFor(jobs: number): number;
  /** How the run's first line names it beside the thread count ("the queue redis://…"). */
  readonly where?: string;
  /** Records come from other machines, which report no epochs: progress counts whole jobs. */
  readonly remote: boolean;
  /** Starts `jobs`, handing each record to `handlers.onRecord` once. */
  start<R extends JobRecord>(jobs: Job[], config: ExperimentConfig, handlers: PoolHandlers<R>): JobPool;
}

/** This machine's worker threads (src/run/pool.ts). */
export function localRunner(options: { workers?: number; keepModels?: boolean }): JobRunner {
  const threadsFor = (jobs: number) => Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs || 1));
  return {
    threadsFor,
    remote: false,
    start: (jobs, config, handlers) => runJobs(jobs, config, { workers: threadsFor(jobs.length), keepModels: options.keepModels === true }, handlers),
  };
}
