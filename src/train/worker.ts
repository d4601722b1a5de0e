/**
 * A worker thread: its own TensorFlow.js instance and digit pools, running the jobs the pool
 * sends it, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { initBackend } from '../engine/backend.js';
import { type Job, runJob } from './jobs.js';
import type { FromWorker } from './pool.js';

const port = parentPort!;
const { config } = workerData as { config: ExperimentConfig };
const send = (message: FromWorker) => port.postMessage(message);

await initBackend(config.backend);
const pools = loadPools(config.dataDir);

port.on('message', (job: Job) => {
  send({ type: 'done', record: runJob(job, config, pools, (progress) => send({ type: 'progress', progress })) });
});
send({ type: 'ready' });
