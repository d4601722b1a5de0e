/**
 * Several machines on one run, through BullMQ on Redis. The coordinator (the `study` or `tune`
 * process) enqueues one job per round or fold with a deterministic id (run id + job key), so
 * enqueueing again adds nothing; it is the only writer of the run folder and appends each
 * finished job once. `digit-pairs worker` processes on any machine take jobs and train them in
 * worker threads (runJobs), so their event loop stays free to renew BullMQ's job locks; a worker
 * killed mid-job loses its lock and the job goes back to the queue for another machine.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Queue, QueueEvents, WaitingError, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { ExperimentConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { UserError } from '../errors.js';
import { jobKey } from '../run-folder.js';
import { failedRecord, type Job, type JobRecord } from '../train/records.js';
import { codeRevision } from './folder.js';
import type { LoadedModelFile } from './model-code.js';
import { type JobPool, type JobRunner, type PoolHandlers, ThreadPool } from './pool.js';

export const QUEUE_NAME = 'digit-pairs';

/** Where the queue lives, and how to show it without its password. */
export interface QueueTarget {
  connection: RedisOptions;
  /** The URL with any password replaced by ***: the only form that is ever printed or written. */
  display: string;
  /** The password was typed into the URL, where other users of the machine can read it (ps). */
  passwordInUrl?: boolean;
}

/** The environment variable that holds the Redis password, so it never sits on a command line (as redis-cli's REDISCLI_AUTH). */
export const PASSWORD_ENV = 'DIGIT_PAIRS_REDIS_PASSWORD';

const USAGE = 'redis://[:password@]host[:port][/db], rediss://… (TLS) or a unix socket path';

/**
 * `--queue` → ioredis options. The password comes from the URL or, when the URL has none, from
 * $DIGIT_PAIRS_REDIS_PASSWORD; it goes into the options only, never into a message.
 */
export function parseQueueUrl(text: string, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  const fromEnv = env[PASSWORD_ENV] ? { password: env[PASSWORD_ENV] } : {};
  if (text.startsWith('/')) return { connection: { path: text, ...fromEnv }, display: text };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`--queue: not a Redis URL; expected ${USAGE}`);
  }
  const display = url.password ? text.replace(`:${url.password}@`, ':***@') : text;
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new UserError(`--queue ${display}: expected ${USAGE}`);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new UserError(`--queue ${display}: the database must be a number (/0, /1, …)`);
  const connection: RedisOptions = {
    host: url.hostname || 'localhost',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : fromEnv),
    ...(db ? { db: Number(db) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return { connection, display, passwordInUrl: url.password !== '' };
}

/** The data a config trains on, as a hash: workers refuse jobs made from other digits. */
const fingerprints = new Map<string | null, string>();
export function dataFingerprint(dataDir: string | null): string {
  let fingerprint = fingerprints.get(dataDir);
  if (!fingerprint) {
    const pools = loadPools(dataDir);
    const hash = createHash('sha256');
    for (const pool of [pools.train, pools.test]) hash.update(pool.images).update(pool.labels);
    fingerprint = hash.digest('hex').slice(0, 16);
    fingerprints.set(dataDir, fingerprint);
  }
  return fingerprint;
}

/** What a queued job carries: the job, the whole config (workers keep no state), and what made it. */
export interface QueuedJob {
  runId: string;
  job: Job;
  config: ExperimentConfig;
  code: { digitPairs: string; commit?: string };
  data: string;
}

/** Where a job ran, recorded on its results line. */
export interface Host {
  host: string;
  node: string;
  arch: string;
}

const thisHost = (): Host => ({ host: hostname(), node: process.version, arch: process.arch });

/** A fresh id for a run's jobs in the queue (the run folder's name need not be unique across machines). */
export const newQueueRunId = () => randomUUID().slice(0, 8);

/** BullMQ job id: run id and job key (no ':' allowed in custom ids). */
const jobId = (runId: string, job: Job) => `${runId}|${jobKey(job)}`.replace(/:/g, '_');

export interface QueueRunOptions {
  target: QueueTarget;
  runId: string;
  /** Worker threads this process runs for the queue too (0: coordinate only). */
  localWorkers: number;
  /** Seconds a job's lock lives without renewal: a killed worker's job is back in the queue after about this long. */
  lockSeconds?: number;
}

/** The queue as a run's job runner (src/run/execute.ts): any machine's `digit-pairs worker` takes the jobs. */
export function queueRunner(options: QueueRunOptions): JobRunner {
  return {
    threadsFor: () => options.localWorkers,
    where: `the queue ${options.target.display}`,
    remote: true,
    start: (jobs, config, handlers) => runQueuedJobs(jobs, config, options, handlers),
  };
}

/**
 * Enqueues `jobs` (those already in the queue are kept, not added twice) and hands each finished
 * job's record to `handlers.onRecord` once, including jobs that finished while no coordinator was
 * attached. Resolves `done` when every job has a record.
 */
export function runQueuedJobs<R extends JobRecord>(jobs: Job[], config: ExperimentConfig, options: QueueRunOptions, handlers: PoolHandlers<R>): JobPool {
  const connection = options.target.connection;
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const pending = new Map(jobs.map((job) => [jobId(options.runId, job), job]));
  // The coordinator's own threads may run the run's own model files (the ones it loaded).
  const ownFiles = new Map(Object.entries(config.modelFiles).map(([name, record]) => [record.sha256, { name, ...record }]));
  const local =
    options.localWorkers > 0
      ? startQueueWorker(options.target, { workers: options.localWorkers, lockSeconds: options.lockSeconds, modelFiles: ownFiles })
      : undefined;
  const message = { runId: options.runId, config, code: codeRevision(), data: dataFingerprint(config.dataDir) };
  const entry = (id: string, job: Job) => ({
    name: 'train',
    data: { ...message, job } satisfies QueuedJob,
    opts: { jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false },
  });
  /** Enqueueing again adds nothing (deterministic ids), so a failed attempt is simply repeated. */
  let enqueued = false;
  const enqueue = async () => {
    await queue.addBulk([...pending].map(([id, job]) => entry(id, job)));
    enqueued = true;
  };

  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  let closed = false;
  let sweeper: NodeJS.Timeout | undefined;
  const close = async () => {
    if (closed) return;
    closed = true;
    clearInterval(sweeper);
    await Promise.all([local?.close(true), events.close(), queue.close()]);
  };

  const collecting = new Set<string>();
  /** Takes a finished job's result into the run, once, and removes it from Redis. */
  const collect = async (id: string) => {
    const job = pending.get(id);
    if (!job || collecting.has(id)) return;
    collecting.add(id);
    try {
      // The state first, then the job: a job read while active and found completed a moment later
      // would carry no result (a worker finishing between the two reads).
      const state = await queue.getJobState(id);
      if (state === 'unknown') {
        // Pending but not in Redis: a Redis restarted without its data lost it. Enqueue it again.
        if (enqueued) {
          const { name, data, opts } = entry(id, job);
          await queue.add(name, data, opts);
        }
        return;
      }
      if (state !== 'completed' && state !== 'failed') return;
      const queued = await queue.getJob(id);
      if (!queued) return; // lost by Redis since: the next sweep enqueues it again
      if (!pending.delete(id)) return;
      const record =
        state === 'completed'
          ? (queued.returnvalue as JobRecord)
          : failedRecord(job, config.seed + job.round, `queue: ${queued.failedReason || 'failed'}`, { transient: true });
      handlers.onRecord(record as R);
      await queued.remove();
      if (pending.size === 0) {
        await close();
        finish();
      }
    } finally {
      collecting.delete(id);
    }
  };
  // Redis may go away for a while: say so once, keep what is collected, and try again on the next sweep.
  let waiting = false;
  const unreachable = (error: Error) => {
    if (!waiting) console.error(`queue ${options.target.display}: ${error.message}; waiting for Redis (finished jobs are safe in the run folder)`);
    waiting = true;
  };
  const sweep = () =>
    Promise.all([...pending.keys()].map(collect)).then(() => {
      if (waiting) console.error(`queue ${options.target.display}: reachable again`);
      waiting = false;
    }, unreachable);
  // Events say at once when a job finishes; the sweep catches jobs that finished while away, and any event missed.
  events.on('completed', ({ jobId: id }) => void collect(id).catch(unreachable));
  events.on('failed', ({ jobId: id }) => void collect(id).catch(unreachable));
  events.on('error', unreachable);
  queue.on('error', unreachable);
  sweeper = setInterval(sweep, 2000);

  (async () => {
    if (pending.size === 0) {
      await close();
      return finish();
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await enqueue();
        break;
      } catch (error) {
        if (closed) return;
        unreachable(error as Error);
        await new Promise((r) => setTimeout(r, Math.min(30_000, 1000 * attempt)));
      }
    }
    await sweep();
  })().catch((error: Error) => fail(error));

  return {
    done,
    async stop() {
      // A Redis that went away must not keep the coordinator from stopping: the run folder is already complete up to here.
      if (!(await settlesWithin(close(), REDIS_STOP_SECONDS * 1000))) {
        console.error(
          `queue ${options.target.display}: no answer from Redis within ${REDIS_STOP_SECONDS} s; stopping without it (the run folder keeps every collected job)`,
        );
      }
      finish();
    },
  };
}

export interface QueueWorker {
  /** Finishes the jobs in hand and takes no more; with `force`, abandons them (they go back to the queue). */
  close(force?: boolean): Promise<void>;
  /** Jobs being trained now. */
  inHand(): number;
}

/** Whether `promise` settles within `ms` (it keeps running either way). */
export const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => resolve(true),
      () => resolve(true),
    );
    promise.finally(() => clearTimeout(timer)).catch(() => {});
  });

/**
 * How often a job may stall (its worker stopped renewing the lock) and still go back to the queue;
 * once more and it is failed. A stall is nearly always the machine's doing, not the job's: a worker
 * killed, frozen or cut off, or a Redis restart that outlived the locks (a crashed thread is the
 * pool's to retry, and does not stall). With one allowed, a round in hand at two such moments was
 * recorded as failed; the bound still stops a job that takes down every worker that runs it.
 */
export const MAX_STALLS = 5;

/** How long a stop waits for Redis (returning jobs, closing connections) before it gives up and says so. */
export const REDIS_STOP_SECONDS = 5;

/**
 * Takes jobs from the queue and trains each in a worker thread, `workers` at a time. A job from
 * other code or other data is put back for other workers and `onRefuse` is told why (a worker
 * with the wrong code should stop, not fail the run's jobs).
 */
export function startQueueWorker(
  target: QueueTarget,
  options: {
    workers: number;
    lockSeconds?: number;
    log?: (line: string) => void;
    onRefuse?: (why: string) => void;
    /** The model files this worker may run, by SHA-256 (its --models-dir); a job names a model file by hash only. */
    modelFiles?: ReadonlyMap<string, LoadedModelFile>;
  },
): QueueWorker {
  const lockMs = 1000 * (options.lockSeconds ?? 30);
  const mine = codeRevision();
  // A model this worker lacks is said once, and the worker keeps taking the jobs it can run.
  const refusedModels = new Set<string>();
  let inHand = 0;
  // One pool of threads for the worker's life: each keeps its engine and digits between jobs.
  const threads = new ThreadPool(options.workers);
  const worker = new Worker<QueuedJob, JobRecord & Partial<Host>>(
    QUEUE_NAME,
    async (queued, token) => {
      const { job, config, code, data } = queued.data;
      const host = thisHost();
      /** Puts the job back for another worker; `stop` when this worker can run none of the queue's jobs. */
      const refuse = async (why: string, stop = true): Promise<never> => {
        if (stop || !refusedModels.has(why)) options.log?.(`refused by ${host.host}: ${why}; the job goes back to the queue for another worker`);
        refusedModels.add(why);
        if (stop) options.onRefuse?.(why);
        await queued.moveToDelayed(Date.now() + 2000, token);
        throw new DelayedError();
      };
      if (code.digitPairs !== mine.digitPairs || code.commit !== mine.commit) {
        await refuse(
          `the job comes from digit-pairs ${code.digitPairs} (commit ${code.commit ?? 'unknown'}), this worker runs ${mine.digitPairs} (commit ${mine.commit ?? 'unknown'})`,
        );
      }
      if (data !== dataFingerprint(config.dataDir)) {
        await refuse(`the job's digits (fingerprint ${data}) differ from this machine's ${config.dataDir ?? 'MNIST'} (${dataFingerprint(config.dataDir)})`);
      }
      const local = await localModelFile(job, config, options.modelFiles, refuse);
      inHand++;
      const output = await threads.submit(job, local).finally(() => inHand--);
      if (!output) {
        // Stopped with the job in hand: put it back as it was. Throwing would fail it (one attempt), and the run would record a failed round.
        await queued.moveToWait(token);
        throw new WaitingError();
      }
      const { record } = output;
      options.log?.(`${job.model} round ${job.round + 1}${'fold' in job ? ` fold ${job.fold + 1}` : ''}: ${record.status}`);
      return { ...record, ...host };
    },
    {
      connection: { ...target.connection, maxRetriesPerRequest: null },
      concurrency: options.workers,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: MAX_STALLS,
    },
  );
  worker.on('error', (error) => options.log?.(`queue error: ${error.message}`));
  return {
    async close(force = false) {
      // With `force` the jobs in hand end without output and each is put back by its processor; BullMQ's own
      // force close would drop the connection under those moves, so it is never used.
      if (force) await threads.close();
      await worker.close();
      await threads.close();
    },
    inHand: () => inHand,
  };
}

/**
 * The job's config as this worker runs it: a job whose model comes from a model file runs the
 * worker's own copy, found by the hash the job names; the job's path (another machine's) is never
 * read. A hash outside the allow-list is refused.
 */
async function localModelFile(
  job: Job,
  config: ExperimentConfig,
  allowed: ReadonlyMap<string, LoadedModelFile> | undefined,
  refuse: (why: string, stop: boolean) => Promise<never>,
): Promise<ExperimentConfig> {
  const record = config.modelFiles[job.model];
  if (!record) return { ...config, modelFiles: {} };
  const mine = allowed?.get(record.sha256);
  if (!mine) {
    return refuse(`the model ${job.model} comes from a model file (sha256 ${record.sha256.slice(0, 12)}…) that is not in this worker's --models-dir`, false);
  }
  return { ...config, modelFiles: { [job.model]: { ...record, path: mine.path } } };
}

/** Connects once, so a wrong URL or a Redis that is down is said in one line before any work (BullMQ itself would retry forever). */
export async function checkQueue(target: QueueTarget, timeoutMs = 5000): Promise<void> {
  const client = new Redis({ ...target.connection, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  // connect() rejects with "Connection is closed."; the cause (refused, unknown host, auth) comes as an error event.
  let cause: Error | undefined;
  client.on('error', (error: Error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const { host, port, path } = target.connection as { host?: string; port?: number; path?: string };
    const where = path ?? `${host ?? '127.0.0.1'}:${port ?? 6379}`;
    const why = (cause ?? (error as Error)).message.replace(target.connection.password ?? '\u0000', '***');
    throw new UserError(`--queue ${target.display}: cannot reach Redis at ${where} (${why}); is redis-server running there?`);
  } finally {
    client.disconnect();
  }
}
