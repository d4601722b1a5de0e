/**
 * Runs jobs on worker threads, one TensorFlow.js instance each. Every job is seeded by its own
 * fields alone, so results do not depend on which worker ran it or in what order.
 */
import { Worker } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import { failedRecord, type Job, type JobRecord } from './jobs.js';
import type { RoundProgress } from './round.js';

export type FromWorker = { type: 'ready' } | { type: 'progress'; progress: RoundProgress } | { type: 'done'; record: JobRecord };

export interface PoolHandlers<R extends JobRecord> {
  /** A job finished (or failed); called in completion order. */
  onRecord(record: R): void;
  /** Epoch-level progress of the job on worker `slot`. */
  onProgress?(slot: number, progress: RoundProgress): void;
}

export interface JobPool {
  /** Resolves when every job has a record, or after `stop()` once the workers are gone. */
  done: Promise<void>;
  /** Abandons the jobs in progress and those not started; their rounds stay unrecorded. */
  stop(): Promise<void>;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

export function runJobs<J extends Job, R extends JobRecord>(jobs: J[], config: ExperimentConfig, workers: number, handlers: PoolHandlers<R>): JobPool {
  const queue = [...jobs];
  const active = new Set<Worker>();
  let stopped = false;
  // Workers report every problem as a failed record, so `done` only ever resolves.
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let outstanding = jobs.length;

  const record = (r: JobRecord) => {
    handlers.onRecord(r as R);
    if (--outstanding === 0) finish();
  };

  const start = (slot: number) => {
    if (stopped || queue.length === 0) return;
    const worker = new Worker(WORKER_URL, { workerData: { config } });
    active.add(worker);
    let current: J | undefined;
    let ready = false;
    let crash = '';
    const next = () => {
      current = queue.shift();
      if (current) worker.postMessage(current);
      else void worker.terminate();
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'progress') handlers.onProgress?.(slot, message.progress);
      else if (message.type === 'ready') {
        ready = true;
        next();
      } else {
        current = undefined;
        record(message.record);
        next();
      }
    });
    // A worker that dies takes only its current round with it: record that round as failed
    // and carry on with a fresh worker.
    worker.on('error', (error) => {
      crash = error.message;
      if (current) record(failedRecord(current, config, `worker crashed: ${error.message}`));
      current = undefined;
    });
    worker.on('exit', (code) => {
      active.delete(worker);
      if (stopped) {
        if (active.size === 0) finish();
        return;
      }
      if (current) record(failedRecord(current, config, `worker exited with code ${code}`));
      // A worker that cannot even start would fail the same way again: fail what is left instead.
      if (!ready) for (const job of queue.splice(0)) record(failedRecord(job, config, `worker could not start: ${crash || `exit code ${code}`}`));
      if (queue.length > 0) start(slot);
    });
  };

  if (jobs.length === 0) finish();
  for (let slot = 0; slot < Math.min(workers, jobs.length); slot++) start(slot);

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
