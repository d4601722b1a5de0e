/**
 * Several machines through BullMQ, against a real redis-server that the test starts on a free
 * loopback port (password-protected) and real `digit-pairs worker` processes: a queued run equals
 * a local one round for round, a killed worker's round is trained by another, a coordinator that
 * was away collects what finished meanwhile, foreign code is refused, a model file runs only on
 * a worker that has it (by hash), and the password never shows in any output or file.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Job as BullJob, Queue, Worker } from 'bullmq';
import { parseConfig } from '../config.js';
import { readRecords } from '../run-folder.js';
import { CLI, startCli } from '../testing/cli.js';
import { mlpModelSource } from '../testing/model-file.js';
import { roundNumbers as numbers } from '../testing/records.js';
import type { JobRecord, RoundRecord } from '../train/records.js';
import { codeRevision } from './folder.js';
import { dataFingerprint, parseQueueUrl, QUEUE_NAME, type QueuedJob, runQueuedJobs } from './queue.js';

const PASSWORD = 'pw-Zq81-secret';
const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
// CI installs redis-server (.ci/run): there, a missing one is a failure, not a skip.
if (!hasRedis && process.env.CI) throw new Error('redis-server is not installed, and CI must run the queue tests (apt-get install redis-server)');
let redis: ChildProcess | undefined;
let url = '';
const children: ChildProcess[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function start(args: string[], env?: NodeJS.ProcessEnv) {
  const started = startCli(args, env);
  children.push(started.child);
  return started;
}

/** Waits until `test` holds (or fails after `seconds`). */
async function until(test: () => boolean, seconds: number, what: string): Promise<void> {
  for (let i = 0; i < seconds * 20; i++) {
    if (test()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until an asynchronous `test` holds (or fails after `seconds`). */
async function untilAsync(test: () => Promise<boolean>, seconds: number, what: string): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const onlyRun = (out: string) => join(out, readdirSync(out)[0]!);

/** Waits until a worker holds a job (it is active in the queue). */
async function untilJobInHand(queueUrl = url): Promise<void> {
  const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(queueUrl).connection });
  try {
    await untilAsync(async () => (await queue.getActiveCount()) > 0, 60, 'a job in hand');
  } finally {
    await queue.close();
  }
}

/** A worker whose locks expire after 2 s: a killed or frozen one's job goes back soon. */
const lockedWorker = () => start(['worker', '--queue', url, '--workers', '1', '--lock-seconds', '2']);

/** The study `args` run locally, then started through the queue (coordinator only); `sameAsLocal` compares the two once the coordinator is done. */
function queuedBesideLocal(args: string[], prefix: string) {
  const local = mkdtempSync(join(tmpdir(), 'local-'));
  execFileSync(process.execPath, [CLI, 'study', ...args, '--workers', '1', '--out', local], { stdio: 'ignore' });
  const out = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const coordinator = start(['study', ...args, '--queue', url, '--workers', '0', '--out', out]);
  const results = (dir: string) => readRecords<RoundRecord>(join(onlyRun(dir), 'results.jsonl'));
  return {
    out,
    coordinator,
    /** Every round once, each equal to the local run's. */
    sameAsLocal(message: string) {
      assert.equal(results(out).length, results(local).length, `each round once: ${message}`);
      assert.deepEqual(numbers(results(out)), numbers(results(local)), message);
    },
  };
}
const SMALL = ['--models', 'baseline,cnn', '--rounds', '2', '--epochs', '2', '--pairs', '100'];

before(async () => {
  if (!hasRedis) return;
  const port = await freePort();
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--requirepass', PASSWORD], {
    stdio: 'ignore',
  });
  await until(
    () =>
      spawnSync('redis-cli', ['-p', String(port), '-a', PASSWORD, '--no-auth-warning', 'ping'])
        .stdout?.toString()
        .includes('PONG'),
    10,
    'redis',
  );
  url = `redis://:${PASSWORD}@127.0.0.1:${port}/0`;
});

after(() => {
  for (const c of children) c.kill('SIGKILL');
  redis?.kill('SIGKILL');
});

describe('--queue URLs', () => {
  it('take the password into the connection only; messages show ***', () => {
    const target = parseQueueUrl('redis://:s3cret@example.org:6380/2');
    assert.deepEqual(target.connection, { host: 'example.org', port: 6380, password: 's3cret', db: 2 });
    assert.equal(target.display, 'redis://:***@example.org:6380/2');
    assert.deepEqual(parseQueueUrl('rediss://u:p@h').connection, { host: 'h', port: 6379, username: 'u', password: 'p', tls: {} });
    assert.deepEqual(parseQueueUrl('/run/redis.sock').connection, { path: '/run/redis.sock' });
    // The password from the environment, when the URL has none; the URL's own wins.
    const env = { DIGIT_PAIRS_REDIS_PASSWORD: 'from-env' };
    assert.deepEqual(parseQueueUrl('redis://h:1', env), {
      connection: { host: 'h', port: 1, password: 'from-env' },
      display: 'redis://h:1',
      passwordInUrl: false,
    });
    assert.equal(parseQueueUrl('redis://:typed@h:1', env).connection.password, 'typed');
    assert.equal(parseQueueUrl('/run/redis.sock', env).connection.password, 'from-env');
    assert.throws(
      () => parseQueueUrl('http://:s3cret@h'),
      (e: Error) => /expected redis:\/\//.test(e.message) && !e.message.includes('s3cret'),
    );
  });

  it('that cannot be reached are refused before any work, in one line, exit 2', async () => {
    const out = mkdtempSync(join(tmpdir(), 'queue-'));
    const run = start(['study', ...SMALL, '--queue', 'redis://:nope-secret@127.0.0.1:1', '--out', out]);
    assert.equal(await run.exited, 2);
    assert.match(
      run.output(),
      /^digit-pairs: warning: the Redis password in --queue can be read by other users .*; give it in \$DIGIT_PAIRS_REDIS_PASSWORD instead$/m,
    );
    assert.match(run.output(), /^digit-pairs: --queue redis:\/\/:\*\*\*@127\.0\.0\.1:1: cannot reach Redis/m);
    assert.doesNotMatch(run.output(), /nope-secret/);
    assert.deepEqual(readdirSync(out), []);
  });
});

describe('a study through the queue', { skip: hasRedis ? false : 'redis-server is not installed' }, () => {
  it('equals the local study round for round; a password given as the docs recommend appears in no output, no file and no process argument', async () => {
    const local = mkdtempSync(join(tmpdir(), 'local-'));
    execFileSync(process.execPath, [CLI, 'study', ...SMALL, '--workers', '1', '--out', local], { stdio: 'ignore' });
    const out = mkdtempSync(join(tmpdir(), 'queued-'));
    // As docs/several-machines.md recommends: the password in the environment, the URL without it.
    const env = { ...process.env, DIGIT_PAIRS_REDIS_PASSWORD: PASSWORD };
    const bare = url.replace(`:${PASSWORD}@`, '');
    const workers = [start(['worker', '--queue', bare, '--workers', '1'], env), start(['worker', '--queue', bare, '--workers', '1'], env)];
    const coordinator = start(['study', ...SMALL, '--queue', bare, '--workers', '0', '--out', out], env);
    await until(() => /taking jobs from/.test(workers[1].output()), 30, 'the workers');
    for (const p of [...workers, coordinator]) {
      const args = execFileSync('ps', ['-o', 'args=', '-p', String(p.child.pid)], { encoding: 'utf8' });
      assert.match(args, /digit-pairs|main\.js/);
      assert.doesNotMatch(args, new RegExp(PASSWORD), 'ps shows no password');
    }
    assert.equal(await coordinator.exited, 0, coordinator.output());
    for (const worker of workers) {
      worker.child.kill('SIGINT');
      assert.equal(await worker.exited, 0, worker.output());
    }
    const runDir = onlyRun(out);
    const queued = readRecords<RoundRecord>(join(runDir, 'results.jsonl'));
    assert.deepEqual(numbers(queued), numbers(readRecords<RoundRecord>(join(onlyRun(local), 'results.jsonl'))));
    assert.ok(
      queued.every((r) => (r as { host?: string }).host),
      'each line records its host',
    );
    for (const text of [
      coordinator.output(),
      ...workers.map((w) => w.output()),
      ...readdirSync(runDir)
        .filter((f) => f.endsWith('.json') || f.endsWith('.md') || f.endsWith('.jsonl') || f.endsWith('.html'))
        .map((f) => readFileSync(join(runDir, f), 'utf8')),
    ]) {
      assert.doesNotMatch(text, new RegExp(PASSWORD));
    }
  });

  it("trains a killed worker's round on another worker; every round lands exactly once", async () => {
    const out = mkdtempSync(join(tmpdir(), 'killed-'));
    const args = ['--models', 'cnn', '--rounds', '3', '--epochs', '6', '--pairs', '300'];
    const coordinator = start(['study', ...args, '--queue', url, '--workers', '0', '--out', out]);
    const doomed = start(['worker', '--queue', url, '--workers', '1', '--lock-seconds', '2']);
    // Kill it while it trains: after it has started a job and before that job can finish.
    await until(() => existsSync(out) && readdirSync(out).length === 1, 30, 'the run folder');
    await untilJobInHand();
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    const rescuer = start(['worker', '--queue', url, '--workers', '1', '--lock-seconds', '2']);
    assert.equal(await coordinator.exited, 0, coordinator.output());
    rescuer.child.kill('SIGINT');
    await rescuer.exited;
    const records = readRecords<RoundRecord>(join(onlyRun(out), 'results.jsonl'));
    assert.deepEqual(records.map((r) => r.round).sort(), [0, 1, 2]);
    assert.ok(
      records.every((r) => r.status === 'ok'),
      JSON.stringify(records.map((r) => r.status === 'failed' && r.reason)),
    );
  });

  it('a worker stopped (SIGTERM) with a job in hand puts it back, not failed: another worker trains it and the run equals the local one', async () => {
    const { out, coordinator, sameAsLocal } = queuedBesideLocal(['--models', 'cnn', '--rounds', '2', '--epochs', '6', '--pairs', '300'], 'returned');
    // --stop-seconds 0: the job in hand is returned at once rather than finished.
    const quitter = start(['worker', '--queue', url, '--workers', '1', '--stop-seconds', '0']);
    await until(() => existsSync(out) && readdirSync(out).length === 1, 30, 'the run folder');
    await untilJobInHand();
    const since = performance.now();
    quitter.child.kill('SIGTERM');
    assert.equal(await quitter.exited, 0, quitter.output());
    assert.ok(performance.now() - since < 30_000, 'within the 30 s bound');
    assert.match(quitter.output(), /returning the 1 job\(s\) still in hand to the queue/);
    const rescuer = start(['worker', '--queue', url, '--workers', '1']);
    assert.equal(await coordinator.exited, 0, coordinator.output());
    rescuer.child.kill('SIGINT');
    await rescuer.exited;
    sameAsLocal('no round failed or differs');
  });

  it('a round whose worker is killed twice (two stalls) still trains, on a third worker, and equals the local run', async () => {
    const { coordinator, sameAsLocal } = queuedBesideLocal(['--models', 'cnn', '--rounds', '1', '--epochs', '6', '--pairs', '300'], 'stalls');
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).connection });
    try {
      // Each worker in turn takes the job (its attempts say whose turn it is) and is killed holding it.
      for (const attempt of [1, 2]) {
        const doomed = lockedWorker();
        await untilAsync(async () => (await queue.getActive()).some((j) => j.attemptsStarted >= attempt), 90, `attempt ${attempt}`);
        doomed.child.kill('SIGKILL');
        await doomed.exited;
      }
    } finally {
      await queue.close();
    }
    const last = lockedWorker();
    assert.equal(await coordinator.exited, 0, coordinator.output());
    last.child.kill('SIGINT');
    await last.exited;
    sameAsLocal('not failed after two stalls');
  });

  it('a worker frozen (SIGSTOP) past its lock and then resumed has its late result refused: no round lands twice or differs from the local run', async () => {
    const { coordinator, sameAsLocal } = queuedBesideLocal(['--models', 'cnn', '--rounds', '2', '--epochs', '6', '--pairs', '300'], 'frozen');
    const frozen = lockedWorker();
    await untilJobInHand();
    frozen.child.kill('SIGSTOP');
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).connection });
    let rescuer: ReturnType<typeof lockedWorker>;
    try {
      // Another worker finds the frozen one's lock expired, puts its job back and takes it (a second start).
      rescuer = lockedWorker();
      await untilAsync(async () => (await queue.getActive()).some((j) => j.attemptsStarted >= 2), 90, 'the job taken again');
    } finally {
      frozen.child.kill('SIGCONT');
      await queue.close();
    }
    assert.equal(await coordinator.exited, 0, coordinator.output());
    await until(() => /Missing (lock|key) for job/.test(frozen.output()), 60, "the frozen worker's late result to be refused");
    for (const w of [frozen, rescuer]) {
      w.child.kill('SIGINT');
      assert.equal(await w.exited, 0, w.output());
    }
    sameAsLocal('the late result landed nowhere');
  });

  it("collects a job that finishes between the coordinator's reads of it with its result, not an empty one", async () => {
    const target = parseQueueUrl(url);
    const config = parseConfig({ models: ['baseline'], rounds: 1, epochs: 1, pairs: 40 });
    const result = { model: 'baseline', round: 0, seed: 0, status: 'ok' } as unknown as JobRecord;
    const byHand = new Worker(QUEUE_NAME, null, { connection: target.connection });
    const token = 'by-hand';
    let taken: BullJob | undefined;
    const reads = { getJob: Queue.prototype.getJob, getJobState: Queue.prototype.getJobState };
    // The coordinator's first read of the job while a worker has it is followed at once by the job's end.
    const thenFinish = <T>(read: Promise<T>, id: string) =>
      read.then(async (value) => {
        const job = taken;
        if (job && id === job.id) {
          taken = undefined;
          await job.moveToCompleted(result, token, false);
        }
        return value;
      });
    Queue.prototype.getJob = function (this: Queue, id: string) {
      return thenFinish(reads.getJob.call(this, id), id);
    } as typeof reads.getJob;
    Queue.prototype.getJobState = function (this: Queue, id: string) {
      return thenFinish(reads.getJobState.call(this, id), id);
    };
    const records: JobRecord[] = [];
    try {
      const pool = runQueuedJobs(
        [{ model: 'baseline', round: 0 }],
        config,
        { target, runId: `race${Date.now()}`, localWorkers: 0 },
        { onRecord: (r) => records.push(r) },
      );
      for (let i = 0; i < 200 && !taken; i++) {
        taken = await byHand.getNextJob(token);
        if (!taken) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(taken, 'the job was taken by hand');
      await pool.done;
    } finally {
      Object.assign(Queue.prototype, reads);
      await byHand.close();
    }
    assert.deepEqual(records, [result]);
  });

  it('a coordinator that was away collects on --resume what finished meanwhile, without training it again', async () => {
    const out = mkdtempSync(join(tmpdir(), 'away-'));
    const first = start(['study', ...SMALL, '--queue', url, '--workers', '0', '--out', out]);
    await until(() => existsSync(out) && readdirSync(out).length === 1 && existsSync(join(onlyRun(out), 'config.json')), 30, 'the run folder');
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).connection });
    try {
      for (let i = 0; i < 200 && (await queue.getWaitingCount()) < 4; i++) await new Promise((r) => setTimeout(r, 50));
      first.child.kill('SIGKILL'); // away: nobody collects
      await first.exited;
      const worker = start(['worker', '--queue', url, '--workers', '2']);
      for (let i = 0; i < 1200 && (await queue.getCompletedCount()) < 4; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await queue.getCompletedCount(), 4, 'the worker finished all four while the coordinator was away');
      worker.child.kill('SIGINT');
      await worker.exited;
    } finally {
      await queue.close();
    }
    const resumed = start(['study', '--resume', onlyRun(out), '--queue', url, '--workers', '0']);
    assert.equal(await resumed.exited, 0, resumed.output());
    assert.equal(readRecords(join(onlyRun(out), 'results.jsonl')).length, 4);
  });

  /** A job put into the queue by hand with `made` (code, digits) overriding this checkout's: the worker must put it back and stop (exit 3), saying `why`. */
  async function assertRefused(made: Partial<Pick<QueuedJob, 'code' | 'data'>>, why: RegExp): Promise<void> {
    const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url).connection });
    const worker = start(['worker', '--queue', url, '--workers', '1']);
    try {
      const config = parseConfig({ models: ['baseline'], rounds: 1, epochs: 1, pairs: 40 });
      const data: QueuedJob = { runId: 'refused', job: { model: 'baseline', round: 0 }, config, code: codeRevision(), data: dataFingerprint(null), ...made };
      const job = await queue.add('train', data, { jobId: 'refused|baseline#0', attempts: 1 });
      assert.equal(await worker.exited, 3, worker.output());
      assert.match(worker.output(), why);
      const back = await queue.getJob(job.id!);
      assert.ok(['delayed', 'waiting'].includes(await back!.getState()), 'the job is back in the queue for other workers');
      await back!.remove();
    } finally {
      worker.child.kill('SIGINT');
      await worker.exited;
      await queue.close();
    }
  }

  it('a worker refuses a job from other code, naming both versions, puts it back and stops (exit 3)', () =>
    assertRefused(
      { code: { digitPairs: '0.0.1', commit: 'abc' } },
      new RegExp(`refused by .*: the job comes from digit-pairs 0\\.0\\.1 \\(commit abc\\), this worker runs ${codeRevision().digitPairs}`),
    ));

  it('a worker refuses a job made from other digits (its fingerprint), names both, puts it back and stops (exit 3)', () =>
    assertRefused(
      { data: '0123456789abcdef' },
      new RegExp(`the job's digits \\(fingerprint 0123456789abcdef\\) differ from this machine's MNIST \\(${dataFingerprint(null)}\\)`),
    ));

  it("a model file trains on a worker that has it in --models-dir; one without puts the job back; the job's path is never imported; --resume refuses the changed file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-file-'));
    const source = mlpModelSource('queued-mlp');
    const path = join(dir, 'queued-mlp.mjs');
    writeFileSync(path, source);
    const allowDir = join(dir, 'allowed');
    mkdirSync(allowDir);
    copyFileSync(path, join(allowDir, 'my-copy.mjs')); // the worker's own copy: same bytes, another path
    const emptyDir = join(dir, 'empty');
    mkdirSync(emptyDir);
    const args = ['--models', `baseline,${path}`, '--rounds', '1', '--epochs', '2', '--pairs', '100'];
    const local = mkdtempSync(join(tmpdir(), 'local-'));
    execFileSync(process.execPath, [CLI, 'study', ...args, '--workers', '1', '--out', local], { stdio: 'ignore' });

    const out = mkdtempSync(join(tmpdir(), 'queued-file-'));
    const without = start(['worker', '--queue', url, '--workers', '1', '--models-dir', emptyDir]);
    const coordinator = start(['study', ...args, '--queue', url, '--workers', '0', '--out', out]);
    await until(
      () => /queued-mlp comes from a model file \(sha256 \w{12}…\) that is not in this worker's --models-dir/.test(without.output()),
      60,
      'the refusal',
    );
    // From here on the job's path holds code that would leave a mark if any worker imported it.
    const marker = join(dir, 'imported');
    writeFileSync(path, `process.getBuiltinModule('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x');\n${source}`);
    const withFile = start(['worker', '--queue', url, '--workers', '1', '--models-dir', allowDir]);
    assert.equal(await coordinator.exited, 0, coordinator.output());
    for (const worker of [without, withFile]) {
      worker.child.kill('SIGINT');
      assert.equal(await worker.exited, 0, worker.output());
    }
    assert.equal(without.output().match(/not in this worker's --models-dir/g)?.length, 1, 'said once, while the job came back');
    assert.match(withFile.output(), /model files: queued-mlp \(\w{12}…\)/);
    assert.match(withFile.output(), /queued-mlp round 1: ok/);
    assert.ok(!existsSync(marker), "no worker imported the job's path");
    const runDir = onlyRun(out);
    assert.deepEqual(
      numbers(readRecords<RoundRecord>(join(runDir, 'results.jsonl'))),
      numbers(readRecords<RoundRecord>(join(onlyRun(local), 'results.jsonl'))),
    );

    const resumed = start(['study', '--resume', runDir, '--queue', url, '--workers', '0']);
    assert.equal(await resumed.exited, 2, resumed.output());
    assert.match(resumed.output(), /queued-mlp\.mjs: the model file changed since the run was made/);
    assert.ok(!existsSync(marker), '--resume checks the hash before importing');
  });
});

describe('stopping when Redis has gone away', { skip: hasRedis ? false : 'redis-server is not installed' }, () => {
  /** A Redis of this test's own (the others keep theirs), and a way to take it away. */
  async function ownRedis(): Promise<{ url: string; kill: () => Promise<void> }> {
    const port = await freePort();
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(server);
    await until(
      () =>
        spawnSync('redis-cli', ['-p', String(port), 'ping'])
          .stdout?.toString()
          .includes('PONG'),
      10,
      'redis',
    );
    return {
      url: `redis://127.0.0.1:${port}/0`,
      kill: () =>
        new Promise((resolve) => {
          server.once('exit', () => resolve());
          server.kill('SIGKILL');
        }),
    };
  }

  const seconds = (since: number) => (performance.now() - since) / 1000;

  it('a worker exits on the first SIGTERM within its bound, saying it gave up on Redis', async () => {
    const redis = await ownRedis();
    const idle = start(['worker', '--queue', redis.url, '--workers', '1', '--stop-seconds', '1']);
    await until(() => /taking jobs from/.test(idle.output()), 30, 'the worker');
    await redis.kill();
    await until(() => /queue error/.test(idle.output()), 20, 'the worker to notice');

    const since = performance.now();
    idle.child.kill('SIGTERM');
    const code = await idle.exited;
    // 1 s to finish the jobs in hand (none), then at most 5 s for Redis, plus the process's own exit.
    assert.ok(seconds(since) < 10, `exited after ${seconds(since).toFixed(1)} s`);
    assert.match(idle.output(), /stopping: taking no more jobs; finishing the 0 in hand for up to 1 s/);
    // An idle worker whose connections hold no pending command closes them at once (ioredis resolves QUIT
    // offline), a clean stop (0); one with a command waiting for Redis gives up on it (1). Which depends on timing.
    assert.ok(code === 0 || code === 1, idle.output());
    if (code === 1) assert.match(idle.output(), /no answer from Redis at redis:\/\/127\.0\.0\.1:\d+\/0 within 5 s: exiting without it/);
  });

  it('a second signal exits at once (130), while the first waits for the job in hand and Redis has gone', async () => {
    const redis = await ownRedis();
    const out = mkdtempSync(join(tmpdir(), 'twice-'));
    // A job that takes far longer than the test waits, so only the second signal can end the worker in time
    // (an idle worker may finish its clean stop before a second signal arrives).
    const worker = start(['worker', '--queue', redis.url, '--workers', '1', '--stop-seconds', '120']);
    const coordinator = start(['study', '--models', 'cnn-aux', '--rounds', '1', '--epochs', '200', '--queue', redis.url, '--workers', '0', '--out', out]);
    await untilJobInHand(redis.url);
    worker.child.kill('SIGTERM');
    await until(() => /finishing the 1 in hand for up to 120 s/.test(worker.output()), 10, 'the first signal');
    await redis.kill();
    coordinator.child.kill('SIGKILL');
    const since = performance.now();
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 130, worker.output());
    assert.ok(seconds(since) < 3, `exited after ${seconds(since).toFixed(1)} s`);
    assert.match(worker.output(), /second signal: exiting now/);
  });

  it('a worker that trained jobs exits on the first SIGTERM within its bound after Redis went away with a job in hand', async () => {
    const redis = await ownRedis();
    const out = mkdtempSync(join(tmpdir(), 'after-jobs-'));
    const worker = start(['worker', '--queue', redis.url, '--workers', '1', '--stop-seconds', '2']);
    const coordinator = start([
      'study',
      '--models',
      'baseline,cnn',
      '--rounds',
      '4',
      '--epochs',
      '8',
      '--pairs',
      '300',
      '--queue',
      redis.url,
      '--workers',
      '0',
      '--out',
      out,
    ]);
    // After its first finished job, with the next one in hand: then Redis goes away.
    await until(() => /: ok/.test(worker.output()), 120, 'a finished job');
    await redis.kill();
    coordinator.child.kill('SIGKILL');
    const since = performance.now();
    worker.child.kill('SIGTERM');
    const code = await worker.exited;
    // --stop-seconds 2 for the job in hand, then at most 5 s for Redis, plus the process's own exit.
    assert.ok(seconds(since) < 15, `exited after ${seconds(since).toFixed(1)} s`);
    assert.ok(code === 0 || code === 1, worker.output());
    assert.match(worker.output(), /stopping: taking no more jobs; finishing the [01] in hand for up to 2 s/);
  });

  it('a coordinator stops on SIGINT with Redis gone, keeping what it collected', async () => {
    const redis = await ownRedis();
    const out = mkdtempSync(join(tmpdir(), 'no-redis-'));
    const coordinator = start(['study', ...SMALL, '--queue', redis.url, '--workers', '0', '--out', out]);
    await until(() => existsSync(out) && readdirSync(out).length === 1 && existsSync(join(onlyRun(out), 'config.json')), 30, 'the run folder');
    await redis.kill();
    await until(() => /waiting for Redis/.test(coordinator.output()), 20, 'the coordinator to notice');
    const since = performance.now();
    coordinator.child.kill('SIGINT');
    const code = await coordinator.exited;
    assert.ok(seconds(since) < 30, `exited after ${seconds(since).toFixed(1)} s`);
    assert.notEqual(code, null, coordinator.output());
    assert.match(coordinator.output(), /no answer from Redis within 5 s; stopping without it/);
    assert.match(coordinator.output(), /study --resume/, 'says how to continue');
  });
});
