/**
 * A worker thread: its own TensorFlow.js instance and digit pools, running the jobs the pool
 * sends it, one at a time. An error that leaves the engine unusable is reported and ends the
 * thread, so the pool replaces it rather than reusing it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { initBackend } from '../engine/backend.js';
import { type JobOutput, runJob } from '../train/jobs.js';
import { failedRecord, type Job } from '../train/records.js';
import { faultFor, parseFaults } from './faults.js';
import type { FromWorker, ToWorker } from './pool.js';

const port = parentPort!;
const { config, slot, keepModels } = workerData as { config: ExperimentConfig; slot: number; keepModels: boolean };
const send = (message: FromWorker) => port.postMessage(message);
const faults = parseFaults();

if (faults.some((f) => f.kind === 'start' && f.slot === slot + 1)) throw new Error(`injected start failure of worker slot ${slot + 1}`);
await initBackend(config.backend);
const pools = loadPools(config.dataDir);

/** The job's record (and model), or an injected fault in its place. */
function run(job: Job, attempt: number): JobOutput {
  const fault = faultFor(faults, job, attempt);
  if (fault?.kind === 'nan') return { record: failedRecord(job, config.seed + job.round, 'diverged: loss became NaN in epoch 1 (injected)') };
  if (fault?.kind === 'crash') process.exit(70); // ends this thread only, as a native crash would
  if (fault?.kind === 'abort') throw new WebAssembly.RuntimeError('unreachable (injected)');
  return runJob(job, config, pools, (progress) => send({ type: 'progress', progress }), keepModels);
}

port.on('message', ({ job, attempt }: ToWorker) => {
  try {
    send({ type: 'done', ...run(job, attempt) });
  } catch (error) {
    // runJob turns a job's own errors into records; what reaches here broke the engine.
    send({ type: 'fatal', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    process.exit(1);
  }
});
send({ type: 'ready' });
