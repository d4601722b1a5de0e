/** `digit-pairs worker --queue URL`: this machine trains jobs from a queue that `study`/`tune --queue` fill. */
import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';
import { allowedModelFiles } from '../run/model-code.js';
import { REDIS_STOP_SECONDS, settlesWithin, startQueueWorker } from '../run/queue.js';
import { queueFlags } from './flags.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs worker --queue URL [--workers N] [--models-dir DIR] [--lock-seconds S] — take jobs (rounds, folds) from the
queue that \`digit-pairs study|tune --queue URL\` fill, and train them here in N worker threads (default:
one per core). Results go back through the queue; the coordinator writes the run folder.
SIGINT (Ctrl-C) or SIGTERM once: take no more jobs, finish those in hand for up to --stop-seconds,
return the rest to the queue, and exit; if Redis cannot be reached to return them, say so and exit
(their locks expire and they go back then). A second signal exits at once.
Exit codes: 0 stopped cleanly; 1 stopped without Redis (jobs left to their lock expiry); 3 refused
the queue's jobs (other code or digits); 130 a second signal.
A job from other digit-pairs code or other digits is put back for other workers, and this worker
stops with a message naming both (exit code 3). A job whose model comes from a model file runs only
if that file (same SHA-256) is in --models-dir; otherwise it is put back, said once, and the worker
carries on with the jobs it can run.`;

export async function run(args: string[]): Promise<number> {
  const { run, positionals } = parseCommand('worker', args);
  if (positionals.length) throw new UserError(`worker: unexpected argument '${positionals[0]}'`);
  if (run.queue === undefined) throw new UserError('worker: --queue URL is required (the Redis that the coordinator uses)');
  const workers = run.workers ?? availableParallelism();
  if (workers < 1) throw new UserError(`--workers ${workers}: must be at least 1`);
  const modelFiles = run.modelsDir === undefined ? undefined : await allowedModelFiles(run.modelsDir);
  const { queue, lockSeconds } = await queueFlags(run);
  const log = (line: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
  let refused: ((code: number) => void) | undefined;
  const running = startQueueWorker(queue!, {
    workers,
    lockSeconds,
    modelFiles,
    log,
    // Wrong code or digits for this queue: stop taking jobs, so they go to workers that match.
    onRefuse: () => refused?.(3),
  });
  const allowed = modelFiles ? `; model files: ${[...modelFiles.values()].map((m) => `${m.name} (${m.sha256.slice(0, 12)}…)`).join(', ') || 'none'}` : '';
  log(`worker: ${workers} thread${workers === 1 ? '' : 's'} taking jobs from ${queue!.display}${allowed}; Ctrl-C to stop`);
  return new Promise((resolve) => {
    refused = (code) => {
      log("stopping: this worker cannot run the queue's jobs (update digit-pairs, or give it the same --data)");
      void running.close(false).then(() => resolve(code));
    };
    let stopping = false;
    const stop = async () => {
      if (stopping) {
        log('second signal: exiting now (the jobs in hand go back to the queue when their locks expire)');
        process.exit(130);
      }
      stopping = true;
      const stopSeconds = run.stopSeconds;
      log(`stopping: taking no more jobs; finishing the ${running.inHand()} in hand for up to ${stopSeconds} s (a second signal exits at once)`);
      if (await settlesWithin(running.close(false), stopSeconds * 1000)) return resolve(0);
      log(`returning the ${running.inHand()} job(s) still in hand to the queue`);
      if (await settlesWithin(running.close(true), REDIS_STOP_SECONDS * 1000)) return resolve(0);
      log(
        `no answer from Redis at ${queue!.display} within ${REDIS_STOP_SECONDS} s: exiting without it; jobs in hand go back to the queue when their locks expire (${lockSeconds} s)`,
      );
      resolve(1);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
  });
}
