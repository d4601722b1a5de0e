/** `digit-pairs worker --queue URL`: this machine trains jobs from a queue that `study`/`tune --queue` fill. */
import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';
import { allowedModelFiles } from '../run/model-code.js';
import { startQueueWorker } from '../run/queue.js';
import { queueFlags } from './flags.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs worker --queue URL [--workers N] [--models-dir DIR] [--lock-seconds S] — take jobs (rounds, folds) from the
queue that \`digit-pairs study|tune --queue URL\` fill, and train them here in N worker threads (default:
one per core). Results go back through the queue; the coordinator writes the run folder.
Ctrl-C once: finish the jobs in hand and take no more. Twice: abandon them (they go back to the queue).
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
    const stop = () => {
      if (stopping) {
        log('abandoning the jobs in hand (they go back to the queue)');
        void running.close(true).then(() => resolve(130));
        return;
      }
      stopping = true;
      log('finishing the jobs in hand, taking no more (Ctrl-C again to abandon them)');
      void running.close(false).then(() => resolve(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
