/** Small statistics shared by the summary, the ablation's effects and tuning. */

/** Mean and sample standard deviation (n − 1; 0 for a single value; NaN for none). */
export function meanStd(values: number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/** A sample as summary statistics: mean, sample standard deviation, size. */
export interface Sample {
  mean: number;
  std: number;
  n: number;
}

export const sampleOf = (values: number[]): Sample => ({ ...meanStd(values), n: values.length });

/** A t test of a difference: the difference, its standard error, t, the degrees of freedom and the two-sided p-value. */
export interface TTest {
  difference: number;
  se: number;
  t: number;
  df: number;
  p: number;
}

/** t and p of `difference` with standard error `se` on `df` degrees of freedom; a zero se gives t ±∞ (p 0) or 0 (p 1). */
function tTest(difference: number, se: number, df: number): TTest {
  if (se === 0) return { difference, se, t: difference === 0 ? 0 : Math.sign(difference) * Infinity, df, p: difference === 0 ? 1 : 0 };
  const t = difference / se;
  return { difference, se, t, df, p: studentTwoSided(t, df) };
}

/**
 * Welch's t test of `b.mean − a.mean` (unequal variances): the difference, t, the
 * Welch–Satterthwaite degrees of freedom and the two-sided p-value.
 */
export function welch(a: Sample, b: Sample): TTest {
  const [va, vb] = [a.std ** 2 / a.n, b.std ** 2 / b.n];
  const se = Math.sqrt(va + vb);
  const df = se === 0 ? a.n + b.n - 2 : (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  return tTest(b.mean - a.mean, se, df);
}

/**
 * The paired t test of `differences` (b − a, one per pair): their mean, its standard error
 * sd/√n, n − 1 degrees of freedom and the two-sided p-value. NaN with fewer than two pairs.
 */
export function pairedT(differences: number[]): TTest {
  const { mean, std, n } = sampleOf(differences);
  if (n < 2) return { difference: mean, se: NaN, t: NaN, df: n - 1, p: NaN };
  return tTest(mean, std / Math.sqrt(n), n - 1);
}

/** The two-sided confidence interval of a t test's difference (95 % by default): difference ± t·se; NaN where the test has none. */
export function confidenceInterval(test: TTest, level = 0.95): { low: number; high: number } {
  if (!(test.df > 0) || !Number.isFinite(test.se)) return { low: NaN, high: NaN };
  const half = criticalT(1 - level, test.df) * test.se;
  return { low: test.difference - half, high: test.difference + half };
}

/** P(|T| ≥ |t|) for Student's t with `df` degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTwoSided(t: number, df: number): number {
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** |t| past which a two-sided test at `alpha` rejects, for `df` degrees of freedom (bisection on studentTwoSided). */
export function criticalT(alpha: number, df: number): number {
  let [lo, hi] = [0, 1000];
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTwoSided(mid, df) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The regularised incomplete beta function I_x(a, b), by its continued fraction (Numerical Recipes' betacf). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (const numerator of [(m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)), (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))]) {
      d = 1 + numerator * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + numerator / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return (front * h) / a;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: ~15 digits). */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = g[0];
  for (let i = 1; i < 9; i++) sum += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** log(n!) by summing logs (exact enough for the small tables of Fisher's test). */
function logFactorial(n: number): number {
  let sum = 0;
  for (let k = 2; k <= n; k++) sum += Math.log(k);
  return sum;
}

/**
 * Fisher's exact test of a 2 × 2 table [[a, b], [c, d]] (rows: two groups; columns: an outcome
 * and its absence), two-sided as R's fisher.test computes it: the probability, with the margins
 * fixed, of every table no more likely than the one seen.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const [row1, col1, n] = [a + b, a + c, a + b + c + d];
  const logP = (x: number) =>
    logFactorial(row1) +
    logFactorial(n - row1) +
    logFactorial(col1) +
    logFactorial(n - col1) -
    (logFactorial(x) + logFactorial(row1 - x) + logFactorial(col1 - x) + logFactorial(n - row1 - col1 + x) + logFactorial(n));
  const seen = logP(a);
  let p = 0;
  for (let x = Math.max(0, row1 + col1 - n); x <= Math.min(row1, col1); x++) {
    const lp = logP(x);
    if (lp <= seen + 1e-7) p += Math.exp(lp); // R's relative tolerance for ties
  }
  return Math.min(1, p);
}
