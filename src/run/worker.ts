/**
 * A worker thread: its own TensorFlow.js instance, running the jobs the pool sends it, one at a
 * time. The config comes with each job; the engine and the digits are kept for the next job of
 * the same backend and data. An error that leaves the engine unusable is reported and ends the
 * thread, so the pool replaces it rather than reusing it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import { type DigitPools, loadPools } from '../data/mnist.js';
import { type BackendName, initBackend } from '../engine/backend.js';
import { UserError } from '../errors.js';
import { type JobOutput, runJob } from '../train/jobs.js';
import { failedRecord, type Job } from '../train/records.js';
import { faultFor, parseFaults } from './faults.js';
import { useModelFiles } from './model-code.js';
import type { FromWorker, ToWorker } from './pool.js';

const port = parentPort!;
const { slot, keepModels } = workerData as { slot: number; keepModels: boolean };
const send = (message: FromWorker) => port.postMessage(message);
const faults = parseFaults();

if (faults.some((f) => f.kind === 'start' && f.slot === slot + 1)) throw new Error(`injected start failure of worker slot ${slot + 1}`);

let backend: BackendName | undefined;

/**
 * The engine `config` needs, kept from earlier jobs when it matches; the job's model file, if it
 * has one (loaded once per thread); and the digits: the pool's shared ones, else read here.
 */
async function prepare(job: Job, config: ExperimentConfig, shared: DigitPools | undefined): Promise<DigitPools> {
  if (backend !== config.backend) {
    await initBackend(config.backend);
    backend = config.backend;
  }
  await useModelFiles(config, [job.model]);
  return shared ?? loadPools(config.dataDir);
}

/** The job's record (and model), or an injected fault in its place. */
function run(job: Job, config: ExperimentConfig, digits: DigitPools, attempt: number): JobOutput {
  const fault = faultFor(faults, job, attempt);
  if (fault?.kind === 'nan') return { record: failedRecord(job, config.seed + job.round, 'diverged: loss became NaN in epoch 1 (injected)') };
  if (fault?.kind === 'crash') process.exit(70); // ends this thread only, as a native crash would
  if (fault?.kind === 'abort') throw new WebAssembly.RuntimeError('unreachable (injected)');
  return runJob(job, config, digits, { onEpoch: (progress) => send({ type: 'progress', progress }), keepModel: keepModels });
}

port.on('message', async ({ job, config, attempt, pools }: ToWorker) => {
  let digits: DigitPools;
  try {
    digits = await prepare(job, config, pools);
  } catch (error) {
    // Digits or a model file that cannot be read fail this job, not the thread.
    if (error instanceof UserError) return send({ type: 'done', record: failedRecord(job, config.seed + job.round, `error: ${error.message}`) });
    send({ type: 'fatal', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    return process.exit(1);
  }
  try {
    send({ type: 'done', ...run(job, config, digits, attempt) });
  } catch (error) {
    // runJob turns a job's own errors into records; what reaches here broke the engine.
    send({ type: 'fatal', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    process.exit(1);
  }
});
send({ type: 'ready' });
