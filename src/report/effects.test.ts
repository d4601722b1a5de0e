import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RoundRecord } from '../train/records.js';
import { ablationEffects, pairedDeltas } from './effects.js';

const ok = (model: string, round: number, testErrorPercent: number) =>
  ({ model, round, seed: round, status: 'ok', params: 1, trainErrorPercent: 0, testErrorPercent, epochs: [], batchLoss: [], seconds: 1 }) as RoundRecord;

describe('ablation effects', () => {
  const records: RoundRecord[] = [
    ok('cnn', 0, 20),
    ok('cnn', 1, 22),
    ok('cnn', 2, 24),
    ok('cnn-shared', 0, 15),
    ok('cnn-shared', 1, 18),
    ok('cnn-shared', 2, 18),
    { model: 'cnn-shared', round: 3, seed: 3, status: 'failed', reason: 'x' },
    ok('cnn', 3, 30),
  ];

  it('pairs test errors by round, skipping rounds where either model failed', () => {
    assert.deepEqual(pairedDeltas(records, 'cnn', 'cnn-shared'), [-5, -4, -6]);
  });

  it('gives the mean paired difference with a 95% t interval, only where both models ran', () => {
    const effects = ablationEffects(records);
    assert.equal(effects.length, 1);
    const [e] = effects;
    assert.equal(e.effect, 'weight sharing (no aux)');
    assert.equal(e.meanDelta, -5);
    // sd of (−5, −4, −6) is 1; t(0.975, 2) = 4.303; half-width 4.303/√3.
    assert.ok(Math.abs(e.high - (-5 + 4.303 / Math.sqrt(3))) < 1e-9);
  });
});
