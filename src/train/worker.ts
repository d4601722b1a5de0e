/**
 * A worker thread: its own TensorFlow.js instance and digit pools, running the (model, round)
 * jobs the pool sends it, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExperimentConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { initBackend } from '../engine/backend.js';
import { DivergedError, runRound, type RoundJob } from './round.js';
import type { FromWorker } from './pool.js';

const port = parentPort!;
const { config } = workerData as { config: ExperimentConfig };
const send = (message: FromWorker) => port.postMessage(message);

await initBackend(config.backend);
const pools = loadPools(config.dataDir);

port.on('message', (job: RoundJob) => {
  try {
    const result = runRound(job, config, pools, (progress) => send({ type: 'progress', progress }));
    send({ type: 'done', record: result });
  } catch (error) {
    const reason = error instanceof DivergedError ? `diverged: ${error.message}` : `error: ${(error as Error).message}`;
    send({ type: 'done', record: { ...job, seed: config.seed + job.round, status: 'failed', reason } });
  }
});
send({ type: 'ready' });
