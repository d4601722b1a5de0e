/**
 * Table III for a run: per model, trainable parameters and train/test error mean ± std over
 * the rounds that finished. Failed rounds are counted apart, never averaged in.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelName } from '../models/registry.js';
import { meanStd } from '../stats.js';
import type { RoundRecord, RoundResult } from '../train/records.js';
import { ablationEffects, effectsMarkdown } from './effects.js';
import { SEED_TABLE } from './seed-table.js';

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

const pm = (mean: number, std: number) => (Number.isNaN(mean) ? '–' : `${mean.toFixed(2)} ± ${std.toFixed(2)}`);
const thousands = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));

/** Markdown: our Table III, with the seed's values beside each seed model. */
export function toMarkdown(summary: ModelSummary[]): string {
  const rows = summary.map((s) => {
    const seed = SEED_TABLE[s.model];
    const failed = s.failed.length ? ` (${s.failed.length} failed)` : '';
    return `| ${s.model} | ${thousands(s.params)} | ${pm(s.trainErrorMean, s.trainErrorStd)} | ${pm(s.testErrorMean, s.testErrorStd)} | ${s.rounds}${failed} | ${
      seed ? `${pm(...seed.train)} | ${pm(...seed.test)}` : '– | –'
    } |`;
  });
  const failures = summary.flatMap((s) => s.failed.map((f) => `- ${s.model} round ${f.round + 1}: ${f.reason}`));
  return [
    '| Model | Parameters | Train error [%] | Test error [%] | Rounds | Seed train [%] | Seed test [%] |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows,
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
  const cell = (e: ErrorStats | undefined, set: 'train' | 'test') => (e ? pm(e[`${set}Mean`], e[`${set}Std`]) : '–');
  const seedCell = (s: ModelSummary, set: 'train' | 'test') => {
    const seed = SEED_TABLE[s.model];
    return seed ? pm(seed[set][0], seed[set][1]) : '–';
  };
  const main = (s: ModelSummary): ErrorStats => ({
    trainMean: s.trainErrorMean,
    trainStd: s.trainErrorStd,
    testMean: s.testErrorMean,
    testStd: s.testErrorStd,
  });
  return [
    "## Protocol authors-code: Table III's way and the true errors",
    '',
    "| Model | Seed train / test [%] | As the authors' code computes them | True pair error, training mode | Pair error, inference mode |",
    '|---|---:|---:|---:|---:|',
    ...rows.map(
      (s) =>
        `| ${s.model} | ${seedCell(s, 'train')} / ${seedCell(s, 'test')} | ${cell(s.asComputed, 'train')} / ${cell(s.asComputed, 'test')} | ${cell(main(s), 'train')} / ${cell(main(s), 'test')} | ${cell(s.inference, 'train')} / ${cell(s.inference, 'test')} |`,
    ),
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
    '| Model | Mean dead units per round | Rounds with any | Per round |',
    '|---|---:|---:|---|',
    ...rows.map(
      (s) =>
        `| ${s.model} | ${s.deadDigitUnits!.mean.toFixed(2)} | ${s.deadDigitUnits!.roundsWithAny} of ${s.deadDigitUnits!.perRound.length} | ${s.deadDigitUnits!.perRound.join(' ')} |`,
    ),
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

/** A fixed-width table for the terminal. */
export function toTerminal(summary: ModelSummary[]): string {
  const head = ['model', 'params', 'train error %', 'test error %', 'rounds', 's/round'];
  const body = summary.map((s) => [
    s.model,
    thousands(s.params),
    pm(s.trainErrorMean, s.trainErrorStd),
    pm(s.testErrorMean, s.testErrorStd),
    `${s.rounds}${s.failed.length ? ` +${s.failed.length} failed` : ''}`,
    Number.isNaN(s.secondsMean) ? '–' : s.secondsMean.toFixed(1),
  ]);
  const table = [fixedWidth(head, body)];
  const authors = summary.filter((s) => s.asComputed);
  if (authors.length) {
    const pair = (e: ErrorStats) => `${pm(e.trainMean, e.trainStd)} / ${pm(e.testMean, e.testStd)}`;
    table.push(
      '',
      'protocol authors-code, train / test error %:',
      fixedWidth(
        ['model', "as the authors' code computes", 'true pair error (training mode)', 'inference mode'],
        authors.map((s) => [
          s.model,
          pair(s.asComputed!),
          pair({ trainMean: s.trainErrorMean, trainStd: s.trainErrorStd, testMean: s.testErrorMean, testStd: s.testErrorStd }),
          s.inference ? pair(s.inference) : '–',
        ]),
      ),
    );
  }
  return table.join('\n');
}

function fixedWidth(head: string[], body: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/**
 * Writes summary.{json,md,csv} for the records so far (and effects.json when the run holds
 * ablation pairs) and returns the summary.
 */
export function writeSummary(runDir: string, models: ModelName[], records: RoundRecord[]): ModelSummary[] {
  const summary = summarise(records, models);
  const effects = ablationEffects(records);
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (effects.length) writeFileSync(join(runDir, 'effects.json'), `${JSON.stringify(effects, null, 2)}\n`);
  const effectsSection = effects.length ? `\n## Effects of weight sharing and the auxiliary loss\n\n${effectsMarkdown(effects)}` : '';
  writeFileSync(join(runDir, 'summary.md'), toMarkdown(summary) + effectsSection);
  writeFileSync(join(runDir, 'summary.csv'), toCsv(summary));
  return summary;
}
