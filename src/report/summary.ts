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
}

export function summarise(records: RoundRecord[], models: ModelName[]): ModelSummary[] {
  return models.map((model) => {
    const mine = records.filter((r) => r.model === model).sort((a, b) => a.round - b.round);
    const ok = mine.filter((r): r is RoundResult => r.status === 'ok');
    const train = meanStd(ok.map((r) => r.trainErrorPercent));
    const test = meanStd(ok.map((r) => r.testErrorPercent));
    return {
      model,
      params: ok[0]?.params ?? null,
      rounds: ok.length,
      failed: mine.flatMap((r) => (r.status === 'failed' ? [{ round: r.round, reason: r.reason }] : [])),
      trainErrorMean: train.mean,
      trainErrorStd: train.std,
      testErrorMean: test.mean,
      testErrorStd: test.std,
      secondsMean: meanStd(ok.map((r) => r.seconds)).mean,
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
  ].join('\n');
}

export function toCsv(summary: ModelSummary[]): string {
  const header = 'model,params,rounds,failed,train_error_mean,train_error_std,test_error_mean,test_error_std,seconds_mean';
  const rows = summary.map((s) =>
    [s.model, s.params ?? '', s.rounds, s.failed.length, s.trainErrorMean, s.trainErrorStd, s.testErrorMean, s.testErrorStd, s.secondsMean]
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
