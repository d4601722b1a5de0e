/**
 * The pool's failure handling, with real worker threads and faults injected through
 * DIGIT_PAIRS_FAULT (src/run/faults.ts): a crashed job is retried once, a worker whose engine
 * failed is replaced, and a worker that cannot start leaves its jobs to the others.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import type { JobRecord, RoundJob } from '../train/records.js';
import { FAULT_VARIABLE } from './faults.js';
import { nextJobIndex, runJobs } from './pool.js';
import { allJobs } from './study.js';

const config = parseConfig({ models: ['baseline'], rounds: 3, epochs: 1, pairs: 40, batchSize: 20 });

/** Runs every job of `config` on `workers` threads with `fault` injected; returns the records by round and the worker starts per slot. */
async function run(fault: string, workers = 1, jobs: RoundJob[] = allJobs(config)) {
  process.env[FAULT_VARIABLE] = fault;
  const records: JobRecord[] = [];
  const starts: number[] = [];
  const pool = runJobs(
    jobs,
    config,
    { workers },
    {
      onRecord: (r) => records.push(r),
      onWorkerStart: (slot) => {
        starts[slot] = (starts[slot] ?? 0) + 1;
      },
    },
  );
  await pool.done;
  return { records: records.sort((a, b) => a.round - b.round), starts };
}

afterEach(() => {
  delete process.env[FAULT_VARIABLE];
});

describe('worker pool failures', () => {
  it('retries a round whose worker crashed, once, on a fresh worker', async () => {
    const { records, starts } = await run('crash:baseline:2');
    assert.deepEqual(
      records.map((r) => [r.round, r.status]),
      [
        [0, 'ok'],
        [1, 'ok'],
        [2, 'ok'],
      ],
    );
    assert.equal(starts[0], 2, 'the crashed worker was replaced');
  });

  it('records a round that crashes on its retry too as failed, transient, after 2 attempts; the others finish', async () => {
    const { records } = await run('crash:baseline:2:2');
    const failed = records.filter((r) => r.status === 'failed');
    assert.equal(failed.length, 1);
    assert.deepEqual(
      failed.map((r) => [r.round, r.transient, r.attempts]),
      [[1, true, 2]],
    );
    assert.match(failed[0].status === 'failed' ? failed[0].reason : '', /^worker crashed: exit code 70/);
    assert.equal(records.filter((r) => r.status === 'ok').length, 2);
  });

  it('replaces a worker whose engine failed (a wasm trap) instead of reusing it, and retries its round', async () => {
    const { records, starts } = await run('abort:baseline:1');
    assert.ok(records.every((r) => r.status === 'ok'));
    assert.equal(starts[0], 2);
  });

  it('names the engine failure when the retry fails the same way', async () => {
    const { records } = await run('abort:baseline:1:2');
    assert.match(records[0].status === 'failed' ? records[0].reason : '', /^engine failed: RuntimeError: unreachable/);
  });

  it('keeps a diverged round as a result: no retry', async () => {
    const { records, starts } = await run('nan:baseline:3');
    assert.deepEqual(
      records.map((r) => [r.round, r.status, r.status === 'failed' ? r.attempts : undefined]),
      [
        [0, 'ok', undefined],
        [1, 'ok', undefined],
        [2, 'failed', undefined],
      ],
    );
    assert.equal(starts[0], 1);
  });

  it('runs every job on the healthy worker when another cannot start', async () => {
    const { records } = await run('start:1', 2);
    assert.ok(
      records.every((r) => r.status === 'ok'),
      JSON.stringify(records),
    );
    assert.equal(records.length, 3);
  });

  it('fails the jobs, naming why, when no worker can start', async () => {
    const { records } = await run('start:1,start:2', 2);
    assert.equal(records.length, 3);
    for (const r of records) assert.match(r.status === 'failed' ? r.reason : '', /^worker could not start: .*injected start failure/);
  });
});

describe('job order', () => {
  const queue = [
    { model: 'baseline', round: 1 },
    { model: 'cnn', round: 1 },
    { model: 'cnn-aux', round: 1 },
    { model: 'cnn-aux', round: 0 },
    { model: 'baseline', round: 2 },
  ] as const;

  it('takes the lowest round first, whatever the timings', () => {
    assert.equal(nextJobIndex(queue, new Map([['baseline', 100]])), 3);
  });

  it('within a round, takes the model whose last round took longest; an untimed model first, ties in queue order', () => {
    const rest = queue.filter((j) => j.round !== 0); // baseline 1, cnn 1, cnn-aux 1, baseline 2
    const timed = (entries: [string, number][]) => nextJobIndex(rest, new Map(entries));
    assert.equal(
      timed([
        ['baseline', 2],
        ['cnn', 10],
        ['cnn-aux', 18],
      ]),
      2,
      'cnn-aux, the longest',
    );
    assert.equal(
      timed([
        ['baseline', 2],
        ['cnn-aux', 18],
      ]),
      1,
      'cnn, untimed',
    );
    assert.equal(nextJobIndex(rest, new Map()), 0, 'nothing timed: queue order');
  });
});
