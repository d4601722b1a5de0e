/**
 * `node dist/bench/compare-logs.js BEFORE.jsonl AFTER.jsonl [--as-computed]` or
 * `node dist/bench/compare-logs.js --seed AFTER.jsonl --as-computed`: each model's train and test
 * error in two results logs (or the seed report's Table III, 15 rounds), side by side, with the
 * Welch t of the difference and whether it passes the Bonferroni bound over all cells compared
 * (5 %). `--as-computed` reads an authors-code run's errors as the authors' code computes them.
 * Prints a Markdown table; how README and docs compare runs on different data.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ModelName } from '../src/models/registry.js';
import { SEED_TABLE } from '../src/report/seed-table.js';
import { latestRecords } from '../src/run-folder.js';
import { type Sample, sampleOf, welch } from '../src/stats.js';
import type { RoundRecord, RoundResult } from '../src/train/records.js';

type Errors = { trainErrorPercent: number; testErrorPercent: number };
type Samples = Map<string, { train: Sample; test: Sample }>;

const { values, positionals } = parseArgs({ options: { seed: { type: 'boolean' }, 'as-computed': { type: 'boolean' } }, allowPositionals: true });
if (positionals.length !== (values.seed ? 1 : 2)) {
  console.error('usage: compare-logs.js BEFORE.jsonl AFTER.jsonl [--as-computed] | compare-logs.js --seed AFTER.jsonl [--as-computed]');
  process.exit(2);
}

function fromLog(path: string, asComputed: boolean): Samples {
  const records = latestRecords(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RoundRecord),
  ).filter((r): r is RoundResult => r.status === 'ok');
  const errors = (r: RoundResult): Errors => {
    if (!asComputed) return r;
    const computed = (r as RoundResult & { asComputed?: Errors }).asComputed;
    if (!computed) throw new Error(`${path}: ${r.model} round ${r.round} has no asComputed errors; --as-computed needs an authors-code run`);
    return computed;
  };
  const models = [...new Set(records.map((r) => r.model))];
  return new Map(
    models.map((model) => {
      const mine = records.filter((r) => r.model === model).map(errors);
      return [model, { train: sampleOf(mine.map((e) => e.trainErrorPercent)), test: sampleOf(mine.map((e) => e.testErrorPercent)) }];
    }),
  );
}

const seedSamples: Samples = new Map(
  Object.entries(SEED_TABLE).map(([model, row]) => [
    model,
    { train: { mean: row!.train[0], std: row!.train[1], n: 15 }, test: { mean: row!.test[0], std: row!.test[1], n: 15 } },
  ]),
);

// --as-computed reads both logs the same way, so a cell never compares two different measures.
const asComputed = values['as-computed'] === true;
const before = values.seed ? seedSamples : fromLog(positionals[0], asComputed);
const after = fromLog(positionals.at(-1)!, asComputed);
const models = [...after.keys()].filter((m) => before.has(m)) as ModelName[];
const cells = models.length * 2;
const alpha = 0.05 / cells;
const show = (s: Sample) => `${s.mean.toFixed(2)} ± ${s.std.toFixed(2)}`;
const cell = (a: Sample, b: Sample) => {
  const { difference, t, p } = welch(a, b);
  return `${show(a)} → ${show(b)} (${difference >= 0 ? '+' : '−'}${Math.abs(difference).toFixed(2)}, t ${t.toFixed(2).replace('-', '−')}${p < alpha ? ', **beyond noise**' : ''})`;
};
console.log(`| Model | Train error [%]: ${values.seed ? 'seed' : 'before'} → after (Δ, Welch t) | Test error [%] |`);
console.log('|---|---|---|');
for (const m of models) console.log(`| ${m} | ${cell(before.get(m)!.train, after.get(m)!.train)} | ${cell(before.get(m)!.test, after.get(m)!.test)} |`);
console.log(`\n${cells} cells; a cell is beyond noise when its two-sided Welch p < 0.05 / ${cells} = ${alpha.toPrecision(3)} (Bonferroni).`);
