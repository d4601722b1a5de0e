import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confidenceInterval, criticalT, fisherExact, incompleteBeta, meanStd, pairedT, sampleOf, studentTwoSided, welch } from './stats.js';

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

  it("Fisher's exact test gives R's fisher.test: tea tasting 0.4857, [[1, 9], [11, 3]] 0.002759, [[0, 15], [2, 13]] 0.4828, no difference 1", () => {
    assert.ok(Math.abs(fisherExact(3, 1, 1, 3) - 0.4857) < 1e-4);
    assert.ok(Math.abs(fisherExact(1, 9, 11, 3) - 0.002759) < 1e-6);
    assert.ok(Math.abs(fisherExact(0, 15, 2, 13) - 0.4828) < 1e-4);
    assert.equal(fisherExact(2, 13, 2, 13), 1);
  });

  it("Welch's t and its degrees of freedom", () => {
    const r = welch({ mean: 0, std: 1, n: 10 }, { mean: 1, std: 2, n: 20 });
    close(r.t, 1 / Math.sqrt(0.3), 1e-12);
    close(r.df, 0.09 / (0.01 / 9 + 0.04 / 19), 1e-9);
    close(r.p, studentTwoSided(r.t, r.df), 0);
    assert.ok(r.p > 0.05 && r.p < 0.1);
  });

  it('the paired t interval of three differences, by hand: 2 ± t₂·1/√3, p = 1 − t/√(2 + t²)', () => {
    // d = 1, 2, 3: mean 2, sd 1, se 1/√3, t = 2√3; Student's t with 2 df has the closed form above.
    const r = pairedT([1, 2, 3]);
    close(r.difference, 2, 1e-15);
    close(r.se, 1 / Math.sqrt(3), 1e-15);
    assert.equal(r.df, 2);
    close(r.t, 2 * Math.sqrt(3), 1e-12);
    close(r.p, 1 - (2 * Math.sqrt(3)) / Math.sqrt(14), 1e-12);
    const { low, high } = confidenceInterval(r);
    const half = 4.302653 / Math.sqrt(3); // t₀.₉₇₅ with 2 df (tables: 4.303)
    close(low, 2 - half, 1e-5);
    close(high, 2 + half, 1e-5);
  });

  // Student's sleep data (Cushny & Peebles), the textbook example of R's t.test: extra sleep under two drugs, ten patients.
  const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
  const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

  it("the paired t test of Student's sleep data gives R's t.test(paired = TRUE): t 4.0621, df 9, p 0.002833, CI [0.7001, 2.4599]", () => {
    const r = pairedT(drug2.map((v, i) => v - drug1[i]));
    close(r.difference, 1.58, 1e-12);
    close(r.t, 4.062128, 1e-5);
    assert.equal(r.df, 9);
    close(r.p, 0.00283289, 1e-8);
    const { low, high } = confidenceInterval(r);
    close(low, 0.7001142, 1e-6);
    close(high, 2.4598858, 1e-6);
  });

  it("Welch's interval on the same data as two groups gives R's t.test: t 1.8608, df 17.776, p 0.07939, CI [−0.2055, 3.3655]", () => {
    const r = welch(sampleOf(drug1), sampleOf(drug2));
    close(r.t, 1.860813, 1e-5);
    close(r.df, 17.77647, 1e-4);
    close(r.p, 0.07939414, 1e-6);
    const { low, high } = confidenceInterval(r);
    close(low, -0.2054832, 1e-6);
    close(high, 3.3654832, 1e-6);
  });

  it('has no interval or p-value for fewer than two pairs, and a zero-width one for identical differences', () => {
    const one = pairedT([1.5]);
    assert.ok(Number.isNaN(one.p));
    assert.ok(Number.isNaN(confidenceInterval(one).low));
    const same = pairedT([0.5, 0.5, 0.5]);
    assert.equal(same.p, 0);
    assert.deepEqual(confidenceInterval(same), { low: 0.5, high: 0.5 });
  });
});
