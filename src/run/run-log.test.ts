import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { RESULTS_FILE } from '../run-folder.js';
import { failedRecord, type RoundJob, type RoundRecord } from '../train/records.js';
import { RunLog } from './run-log.js';

const config = parseConfig({ models: ['baseline', 'cnn'], rounds: 2 });
const jobs: RoundJob[] = [0, 1].flatMap((round) => config.models.map((model) => ({ model, round })));
const result = (job: RoundJob, testErrorPercent: number) =>
  ({ ...job, seed: job.round, status: 'ok', trainErrorPercent: 1, testErrorPercent, epochs: [], seconds: 1 }) as unknown as RoundRecord;
const lines = (dir: string) => readFileSync(join(dir, RESULTS_FILE), 'utf8').trim().split('\n');

describe('RunLog', () => {
  it('takes each scheduled job once: a late duplicate and an unscheduled job are not written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-log-'));
    const log = RunLog.open<RoundRecord>(dir, 'study', config, RESULTS_FILE);
    assert.equal(log.schedule(jobs.slice(0, 3)).length, 3);
    assert.equal(log.append(result(jobs[0], 10)), true);
    assert.equal(log.append(result(jobs[0], 99)), false, 'a second record of a landed job');
    assert.equal(log.append(result(jobs[3], 10)), false, 'a job this session did not schedule');
    assert.deepEqual(
      lines(dir).map((l) => JSON.parse(l).testErrorPercent),
      [10],
    );
  });

  it('resumes: finished jobs are not scheduled again; failed ones only with retryFailed, and their rerun lands', () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-log-'));
    const first = RunLog.open<RoundRecord>(dir, 'study', config, RESULTS_FILE);
    first.schedule(jobs);
    first.append(result(jobs[0], 10));
    first.append(failedRecord(jobs[1], 0, 'worker crashed', { transient: true }) as RoundRecord);
    first.append(failedRecord(jobs[2], 1, 'diverged (loss NaN)') as RoundRecord);

    const resumed = RunLog.open<RoundRecord>(dir, 'study', config, RESULTS_FILE);
    assert.deepEqual(resumed.schedule(jobs), [jobs[3]]);
    const retried = RunLog.open<RoundRecord>(dir, 'study', config, RESULTS_FILE);
    assert.deepEqual(retried.schedule(jobs, { retryFailed: true }), [jobs[1], jobs[3]]);
    assert.equal(retried.append(result(jobs[1], 20)), true);
    assert.deepEqual(
      retried.records().map((r) => [r.model, r.round, r.status]),
      [
        ['baseline', 0, 'ok'],
        ['cnn', 0, 'ok'],
        ['baseline', 1, 'failed'],
      ],
    );
    assert.equal(lines(dir).length, 4);
  });
});
