import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { learningRateAt } from './fit.js';

describe('learningRateAt', () => {
  it('is constant by default and decays along a half cosine when asked', () => {
    assert.equal(learningRateAt({ learningRate: 0.1, l2: 0 }, 7, 10), 0.1);
    const cosine = { learningRate: 0.1, l2: 0, schedule: 'cosine' as const };
    assert.equal(learningRateAt(cosine, 0, 10), 0.1);
    assert.ok(Math.abs(learningRateAt(cosine, 5, 10) - 0.05) < 1e-12);
    assert.ok(learningRateAt(cosine, 9, 10) < 0.003);
  });
});
