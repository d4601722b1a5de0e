/**
 * Runs (model, round) jobs on worker threads, one TensorFlow.js instance each. Every job is
 * seeded by its round alone, so results do not depend on which worker ran it or in what order.
 */
import { Worker } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import type { RoundRecord } from './results-log.js';
import type { RoundJob, RoundProgress } from './round.js';

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: RoundProgress }
  | { type: 'done'; record: RoundRecord };

export interface PoolHandlers {
  /** A job finished (or failed); called in completion order. */
  onRecord(record: RoundRecord): void;
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

export function runJobs(jobs: RoundJob[], config: ExperimentConfig, workers: number, handlers: PoolHandlers): JobPool {
  const queue = [...jobs];
  const active = new Set<Worker>();
  let stopped = false;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  let outstanding = jobs.length;

  const record = (r: RoundRecord) => {
    handlers.onRecord(r);
    if (--outstanding === 0) finish();
  };

  const start = (slot: number) => {
    if (stopped || queue.length === 0) return;
    const worker = new Worker(WORKER_URL, { workerData: { config } });
    active.add(worker);
    let current: RoundJob | undefined;
    const next = () => {
      current = queue.shift();
      if (current) worker.postMessage(current);
      else void worker.terminate();
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'progress') handlers.onProgress?.(slot, message.progress);
      else if (message.type === 'ready') next();
      else {
        current = undefined;
        record(message.record);
        next();
      }
    });
    // A worker that dies takes only its current round with it: record that round as failed
    // and carry on with a fresh worker.
    worker.on('error', (error) => {
      if (current) record({ ...current, seed: config.seed + current.round, status: 'failed', reason: `worker crashed: ${error.message}` });
      current = undefined;
    });
    worker.on('exit', (code) => {
      active.delete(worker);
      if (stopped) {
        if (active.size === 0) finish();
        return;
      }
      if (current) record({ ...current, seed: config.seed + current.round, status: 'failed', reason: `worker exited with code ${code}` });
      if (queue.length > 0) start(slot);
    });
  };

  if (jobs.length === 0) finish();
  for (let slot = 0; slot < Math.min(workers, jobs.length); slot++) start(slot);

  return {
    done: done.catch((error: Error) => { throw error; }),
    async stop() {
      stopped = true;
      queue.length = 0;
      if (active.size === 0) finish();
      await Promise.all([...active].map((w) => w.terminate()));
      await done;
    },
  };
  // `fail` is kept for symmetry with `finish`; workers report problems as failed records.
  void fail;
}
