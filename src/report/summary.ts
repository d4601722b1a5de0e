/**
 * Table III for a run: per model, trainable parameters and train/test error mean ± std over
 * the rounds that finished. Failed rounds are counted apart, never averaged in.
 */
import { join } from 'node:path';
import type { ModelName } from '../models/registry.js';
import { EFFECTS_FILE, SUMMARY_CSV, SUMMARY_JSON, SUMMARY_MD, writeWhole } from '../run-folder.js';
import { meanStd } from '../stats.js';
import type { RoundRecord, RoundResult } from '../train/records.js';
import { ablationEffects, effectsMarkdown } from './effects.js';
import { SEED_TABLE } from './seed-table.js';
import { type Column, isNumber, markdownTable, plusMinus, type TableSpec, terminalTable, thousands } from './table.js';

/** Train and test error, mean ± sample std over rounds. */
export interface ErrorStats {
  trainMean: number;
  trainStd: number;
  testMean: number;
  testStd: number;
}

export interface ModelSummary {
  model: ModelName;
  params: number | null;
  /** Rounds that finished. */
  rounds: number;
  /** Rounds recorded as failed (divergence, crash), with their reasons. */
  failed: { round: number; reason: string }[];
  trainErrorMean: number;
  trainErrorStd: number;
  testErrorMean: number;
  testErrorStd: number;
  /** Mean wall time of a round. */
  secondsMean: number;
  /** Protocol authors-code: the errors as the authors' code computes them (Table III's way: half the pair error for aux models). */
  asComputed?: ErrorStats;
  /** Protocol authors-code: the pair errors of the same weights in inference mode (the main fields: measured in training mode). */
  inference?: ErrorStats;
  /** Aux models: digit-logit units dead on every training digit, per round, and how many rounds had any. */
  deadDigitUnits?: { perRound: number[]; mean: number; roundsWithAny: number };
}

/** Mean ± std of the train and test errors that `pick` finds in each round (undefined when no round has them). */
function errorStats(
  rounds: RoundResult[],
  pick: (r: RoundResult) => { trainErrorPercent: number; testErrorPercent: number } | undefined,
): ErrorStats | undefined {
  const found = rounds.map(pick).filter((e) => e !== undefined);
  if (found.length === 0) return undefined;
  const train = meanStd(found.map((e) => e.trainErrorPercent));
  const test = meanStd(found.map((e) => e.testErrorPercent));
  return { trainMean: train.mean, trainStd: train.std, testMean: test.mean, testStd: test.std };
}

export function summarise(records: RoundRecord[], models: ModelName[]): ModelSummary[] {
  return models.map((model) => {
    const mine = records.filter((r) => r.model === model).sort((a, b) => a.round - b.round);
    const ok = mine.filter((r): r is RoundResult => r.status === 'ok');
    const main = errorStats(ok, (r) => r);
    const asComputed = errorStats(ok, (r) => r.asComputed);
    const inference = errorStats(ok, (r) => r.inference);
    const dead = ok.map((r) => r.deadDigitUnits).filter((d) => d !== undefined);
    return {
      model,
      params: ok[0]?.params ?? null,
      rounds: ok.length,
      failed: mine.flatMap((r) => (r.status === 'failed' ? [{ round: r.round, reason: r.reason }] : [])),
      trainErrorMean: main?.trainMean ?? NaN,
      trainErrorStd: main?.trainStd ?? NaN,
      testErrorMean: main?.testMean ?? NaN,
      testErrorStd: main?.testStd ?? NaN,
      secondsMean: meanStd(ok.map((r) => r.seconds)).mean,
      ...(asComputed ? { asComputed } : {}),
      ...(inference ? { inference } : {}),
      ...(dead.length ? { deadDigitUnits: { perRound: dead, mean: meanStd(dead).mean, roundsWithAny: dead.filter((d) => d > 0).length } } : {}),
    };
  });
}

/** The seed report's mean ± std for a model, "–" for a model the seed did not have. */
function seedPlusMinus(s: ModelSummary, set: 'train' | 'test'): string {
  const [mean, std] = SEED_TABLE[s.model]?.[set] ?? [NaN, NaN];
  return plusMinus(mean, std);
}

/** A Table III number in HTML: the shown text, and the exact value in data-value for a test to read back. */
function fieldSpan(s: ModelSummary, field: keyof ModelSummary, text: string, value?: number): string {
  const exact = isNumber(value) ? ` data-value="${value}"` : '';
  return `<span data-model="${s.model}" data-field="${field}"${exact}>${text}</span>`;
}

/** Mean ± std of a Table III field pair; in HTML each number in its own span. */
function errorColumn(header: string, mean: 'trainErrorMean' | 'testErrorMean', std: 'trainErrorStd' | 'testErrorStd'): Column<ModelSummary> {
  const span = (s: ModelSummary, field: typeof mean | typeof std) => fieldSpan(s, field, s[field].toFixed(2), s[field]);
  return {
    header,
    align: 'right',
    text: (s) => plusMinus(s[mean], s[std]),
    // A model with no finished round has no mean: one dash, not "– ± –".
    html: (s) => (isNumber(s[mean]) ? `${span(s, mean)} ± ${span(s, std)}` : '–'),
  };
}

const failedNote = (s: ModelSummary) => (s.failed.length ? ` (${s.failed.length} failed)` : '');

/** Table III: our errors per model beside the seed report's (the terminal keeps to this run's columns). */
export const TABLE_III: TableSpec<ModelSummary> = [
  { header: 'Model', align: 'left', text: (s) => s.model },
  { header: 'Parameters', align: 'right', text: (s) => thousands(s.params), html: (s) => fieldSpan(s, 'params', thousands(s.params)) },
  errorColumn('Train error [%]', 'trainErrorMean', 'trainErrorStd'),
  errorColumn('Test error [%]', 'testErrorMean', 'testErrorStd'),
  {
    header: 'Rounds',
    align: 'right',
    text: (s) => `${s.rounds}${failedNote(s)}`,
    html: (s) => `${fieldSpan(s, 'rounds', String(s.rounds))}${failedNote(s)}`,
  },
  { header: 's/round', align: 'right', in: ['terminal'], text: (s) => (isNumber(s.secondsMean) ? s.secondsMean.toFixed(1) : '–') },
  { header: 'Seed parameters', align: 'right', in: ['html'], htmlClass: 'seed', text: (s) => thousands(SEED_TABLE[s.model]?.params) },
  { header: 'Seed train [%]', align: 'right', in: ['markdown', 'html'], htmlClass: 'seed', text: (s) => seedPlusMinus(s, 'train') },
  { header: 'Seed test [%]', align: 'right', in: ['markdown', 'html'], htmlClass: 'seed', text: (s) => seedPlusMinus(s, 'test') },
];

/** "train / test" error, each mean ± std; "– / –" for a reading a round did not record. */
const trainSlashTest = (e: ErrorStats | undefined) => (e ? `${plusMinus(e.trainMean, e.trainStd)} / ${plusMinus(e.testMean, e.testStd)}` : '– / –');

/** The main fields' errors, which for protocol authors-code are the true pair errors in training mode. */
const mainErrors = (s: ModelSummary): ErrorStats => ({
  trainMean: s.trainErrorMean,
  trainStd: s.trainErrorStd,
  testMean: s.testErrorMean,
  testStd: s.testErrorStd,
});

/** Protocol authors-code: its three readings of the same rounds beside the seed's Table III (rows: models with asComputed). */
export const AUTHORS_CODE_TABLE: TableSpec<ModelSummary> = [
  { header: 'Model', align: 'left', text: (s) => s.model },
  {
    header: 'Seed train / test [%]',
    align: 'right',
    in: ['markdown', 'html'],
    htmlClass: 'seed',
    text: (s) => `${seedPlusMinus(s, 'train')} / ${seedPlusMinus(s, 'test')}`,
  },
  { header: "As the authors' code computes them", align: 'right', text: (s) => trainSlashTest(s.asComputed) },
  { header: 'True pair error, training mode', align: 'right', text: (s) => trainSlashTest(mainErrors(s)) },
  { header: 'Pair error, inference mode', align: 'right', text: (s) => trainSlashTest(s.inference) },
];

/** Aux models: how often a digit-logit unit died (rows: models with deadDigitUnits). */
export const DEAD_UNITS_TABLE: TableSpec<ModelSummary> = [
  { header: 'Model', align: 'left', text: (s) => s.model },
  { header: 'Mean dead units per round', align: 'right', text: (s) => s.deadDigitUnits!.mean.toFixed(2) },
  { header: 'Rounds with any', align: 'right', text: (s) => `${s.deadDigitUnits!.roundsWithAny} of ${s.deadDigitUnits!.perRound.length}` },
  { header: 'Per round', align: 'left', text: (s) => s.deadDigitUnits!.perRound.join(' ') },
];

/** Markdown: our Table III, with the seed's values beside each seed model. */
export function toMarkdown(summary: ModelSummary[]): string {
  const failures = summary.flatMap((s) => s.failed.map((f) => `- ${s.model} round ${f.round + 1}: ${f.reason}`));
  return [
    markdownTable(TABLE_III, summary),
    '',
    'Mean ± sample standard deviation (n − 1) over the rounds that finished; failed rounds are listed, not averaged.',
    ...(failures.length ? ['', 'Failed rounds:', ...failures] : []),
    '',
    ...authorsCodeMarkdown(summary),
    ...deadUnitsMarkdown(summary),
  ].join('\n');
}

/** The authors-code protocol's three readings of the same rounds beside the seed's Table III. */
function authorsCodeMarkdown(summary: ModelSummary[]): string[] {
  const rows = summary.filter((s) => s.asComputed);
  if (rows.length === 0) return [];
  return [
    "## Protocol authors-code: Table III's way and the true errors",
    '',
    markdownTable(AUTHORS_CODE_TABLE, rows),
    '',
    "As computed: wrong pairs ÷ input rows, measured in training mode (dropout on, BatchNorm on batch statistics) over the training batches' chunks, as the authors' `Model.__compute_errors` does; aux models feed two rows per pair, so this is half their pair error. True pair error: the same predictions ÷ pairs. Inference mode: the same weights measured as the report protocol measures.",
    '',
  ];
}

/** Aux models: how often a digit-logit unit died (its ReLU zero on every training digit). */
function deadUnitsMarkdown(summary: ModelSummary[]): string[] {
  const rows = summary.filter((s) => s.deadDigitUnits);
  if (rows.length === 0) return [];
  return [
    '## Dead digit-logit units',
    '',
    markdownTable(DEAD_UNITS_TABLE, rows),
    '',
    "A unit is dead when the tower's last ReLU clamps it to zero for every training digit (inference mode, after the last epoch): it passes no gradient, so its digit class cannot be learnt again. 10 units per tower.",
    '',
  ];
}

export function toCsv(summary: ModelSummary[]): string {
  const stats = (e: ErrorStats | undefined) => (e ? [e.trainMean, e.trainStd, e.testMean, e.testStd] : ['', '', '', '']);
  const header =
    'model,params,rounds,failed,train_error_mean,train_error_std,test_error_mean,test_error_std,seconds_mean,' +
    'as_computed_train_mean,as_computed_train_std,as_computed_test_mean,as_computed_test_std,' +
    'inference_train_mean,inference_train_std,inference_test_mean,inference_test_std,dead_digit_units_mean';
  const rows = summary.map((s) =>
    [
      s.model,
      s.params ?? '',
      s.rounds,
      s.failed.length,
      s.trainErrorMean,
      s.trainErrorStd,
      s.testErrorMean,
      s.testErrorStd,
      s.secondsMean,
      ...stats(s.asComputed),
      ...stats(s.inference),
      s.deadDigitUnits?.mean ?? '',
    ]
      .map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v)))
      .join(','),
  );
  return [header, ...rows, ''].join('\n');
}

/** Table III for the terminal, and the authors-code readings when the run has them. */
export function toTerminal(summary: ModelSummary[], records: RoundRecord[] = []): string {
  const authors = summary.filter((s) => s.asComputed);
  const table = [terminalTable(TABLE_III, summary)];
  const fastNote = fastModeNote(records);
  if (fastNote) table.push(fastNote);
  if (authors.length) table.push('', 'protocol authors-code, train / test error %:', terminalTable(AUTHORS_CODE_TABLE, authors));
  return table.join('\n');
}

/** A run made with --fast says so under its tables: how many rounds ran the fused kernels. */
export function fastModeNote(records: RoundRecord[]): string {
  const fast = records.filter((r): r is RoundResult => r.status === 'ok' && r.fast !== undefined);
  if (!fast.length) return '';
  const fused = fast.filter((r) => r.fast).length;
  return (
    `Fast mode (--fast): the fused multiply-add kernels were on in ${fused} of ${fast.length} rounds (they change the convolutions only)` +
    `${fused < fast.length ? ' (the others ran on a runtime without relaxed SIMD, in exact mode)' : ''}; ` +
    'the numbers differ from exact mode in rounding, not bit for bit.'
  );
}

/**
 * Writes summary.{json,md,csv} for the records so far (and effects.json when the run holds
 * ablation pairs) and returns the summary.
 */
export function writeSummary(runDir: string, models: ModelName[], records: RoundRecord[]): ModelSummary[] {
  const summary = summarise(records, models);
  const effects = ablationEffects(records);
  writeWhole(join(runDir, SUMMARY_JSON), `${JSON.stringify(summary, null, 2)}\n`);
  if (effects.length) writeWhole(join(runDir, EFFECTS_FILE), `${JSON.stringify(effects, null, 2)}\n`);
  const effectsSection = effects.length ? `\n## Effects of weight sharing and the auxiliary loss\n\n${effectsMarkdown(effects)}` : '';
  const fastNote = fastModeNote(records);
  writeWhole(join(runDir, SUMMARY_MD), toMarkdown(summary) + (fastNote ? `\n${fastNote}\n` : '') + effectsSection);
  writeWhole(join(runDir, SUMMARY_CSV), toCsv(summary));
  return summary;
}
