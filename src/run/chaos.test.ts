/**
 * The short chaos run (src/testing/chaos.ts; `npm run chaos` is the long one): a queued study on
 * 3 worker processes while one fault of each kind hits it at seeded moments — a worker killed,
 * frozen past its lock, stopped; Redis restarted with and without its data; the coordinator killed
 * and resumed; its disk filled. Every round must land once, equal to the local run's, every
 * SIGTERM be honoured within 30 s, and no process be left.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { Chaos, FAULT_KINDS, formatSummary } from '../testing/chaos.js';

const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis && process.env.CI) throw new Error('redis-server is not installed, and CI must run the chaos test (apt-get install redis-server)');

describe('a short chaos run', { skip: hasRedis ? false : 'redis-server is not installed' }, () => {
  const chaos = new Chaos({
    seed: 1,
    models: ['baseline', 'cnn'],
    rounds: 12,
    epochs: 2,
    pairs: 200,
    faults: FAULT_KINDS.length,
    lockSeconds: 2,
    // Generous for a busy 2-core machine: the run takes under a minute when idle.
    deadlineSeconds: 180,
  });
  // Even when the run fails or the test is cancelled, nothing it started stays behind.
  after(() => chaos.killAll());

  it('lands every round once, equal to the local run, honours every SIGTERM in time and leaves no process', { timeout: 240_000 }, async (t) => {
    const summary = await chaos.run();
    const text = formatSummary(summary);
    t.diagnostic(text);
    assert.deepEqual(summary.failures, [], text);
    assert.equal(summary.duplicates, 0, text);
    assert.equal(summary.lost, 0, text);
    assert.ok(summary.equalToLocal, text);
    assert.deepEqual(summary.processesLeft, [], text);
    assert.equal(summary.sigterms.late, 0, text);
    assert.ok(summary.sigterms.sent >= 3, `the workers were stopped with SIGTERM: ${text}`);
    // Faults come at fractions of the training; the last may come too late only if the run ended first.
    const injected = Object.values(summary.faults).reduce((a, b) => a + b, 0);
    assert.ok(injected >= FAULT_KINDS.length - 2, `faults injected: ${text}`);
  });
});
