import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { criticalT, incompleteBeta, meanStd, studentTwoSided, welch } from './stats.js';

const close = (actual: number, expected: number, tolerance: number) => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);

describe('statistics', () => {
  it('mean and sample standard deviation', () => {
    assert.deepEqual(meanStd([2, 4, 4, 4, 5, 5, 7, 9]), { mean: 5, std: Math.sqrt(32 / 7) });
  });

  it('the incomplete beta function equals its closed form for whole a, b', () => {
    close(incompleteBeta(0.5, 2, 3), 11 / 16, 1e-12); // Σ_{j=2..4} C(4,j)/16
    close(incompleteBeta(0.3, 1, 1), 0.3, 1e-12);
    close(incompleteBeta(0.9, 5, 2), 6 * 0.9 ** 5 * 0.1 + 0.9 ** 6, 1e-12); // Σ_{j=5..6} C(6,j) 0.9^j 0.1^(6−j)
  });

  it("Student's t matches the tables (two-sided 5 % and the 8-cell Bonferroni bound)", () => {
    close(studentTwoSided(12.706, 1), 0.05, 1e-4);
    close(studentTwoSided(2.228, 10), 0.05, 2e-4);
    close(studentTwoSided(2.048, 28), 0.05, 2e-4);
    close(criticalT(0.05, 28), 2.0484, 1e-3);
    close(criticalT(0.05 / 8, 28), 2.957, 1e-3);
  });

  it("Welch's t and its degrees of freedom", () => {
    const r = welch({ mean: 0, std: 1, n: 10 }, { mean: 1, std: 2, n: 20 });
    close(r.t, 1 / Math.sqrt(0.3), 1e-12);
    close(r.df, 0.09 / (0.01 / 9 + 0.04 / 19), 1e-9);
    close(r.p, studentTwoSided(r.t, r.df), 0);
    assert.ok(r.p > 0.05 && r.p < 0.1);
  });
});
