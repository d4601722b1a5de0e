/**
 * `node dist/bench/compare-logs.js BEFORE.jsonl AFTER.jsonl [--as-computed]` or
 * `node dist/bench/compare-logs.js --seed AFTER.jsonl --as-computed`: each model's train and test
 * error in two results logs (or the seed report's Table III, 15 rounds), side by side, with the
 * Welch t of the difference and whether it passes the Bonferroni bound over all cells compared
 * (5 %). `--as-computed` reads an authors-code run's errors as the authors' code computes them.
 * Then, for the CNNs, the rounds that did not fit (train error ≥ NOT_FIT_PERCENT after the last
 * epoch) in each log, compared by Fisher's exact test: a mode that makes rounds fail to fit more
 * often would show there before it moves a mean.
 * Prints Markdown tables; how README and docs compare runs on different data, or fast mode with exact.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ModelName } from '../src/models/registry.js';
import { SEED_TABLE } from '../src/report/seed-table.js';
import { latestRecords } from '../src/run-folder.js';
import { fisherExact, type Sample, sampleOf, welch } from '../src/stats.js';
import type { RoundRecord, RoundResult } from '../src/train/records.js';

type Errors = { trainErrorPercent: number; testErrorPercent: number };
type Samples = Map<string, { train: Sample; test: Sample }>;

const { values, positionals } = parseArgs({ options: { seed: { type: 'boolean' }, 'as-computed': { type: 'boolean' } }, allowPositionals: true });
if (positionals.length !== (values.seed ? 1 : 2)) {
  console.error('usage: compare-logs.js BEFORE.jsonl AFTER.jsonl [--as-computed] | compare-logs.js --seed AFTER.jsonl [--as-computed]');
  process.exit(2);
}

/** A CNN round did not fit when its final train error is at least this (%): the seed study's log has 2 of 30 such rounds (12.4 and 23.7 %), the rest ≤ 5.8 %. */
const NOT_FIT_PERCENT = 10;

function okRecords(path: string): RoundResult[] {
  return latestRecords(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as RoundRecord),
  ).filter((r): r is RoundResult => r.status === 'ok');
}

function fromLog(path: string, asComputed: boolean): Samples {
  const records = okRecords(path);
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

if (!values.seed) {
  /** Rounds of `model` in a log that did not fit, of its rounds. */
  const notFit = (path: string, model: string) => {
    const rounds = okRecords(path).filter((r) => r.model === model);
    return { notFit: rounds.filter((r) => r.trainErrorPercent >= NOT_FIT_PERCENT).length, rounds: rounds.length };
  };
  const cnns = models.filter((m) => m.startsWith('cnn'));
  if (cnns.length) {
    console.log(`\n| CNN rounds that did not fit (train error ≥ ${NOT_FIT_PERCENT} %) | before | after | Fisher exact p |`);
    console.log('|---|---:|---:|---:|');
    const all = { a: { notFit: 0, rounds: 0 }, b: { notFit: 0, rounds: 0 } };
    const row = (name: string, a: { notFit: number; rounds: number }, b: { notFit: number; rounds: number }) =>
      console.log(
        `| ${name} | ${a.notFit} of ${a.rounds} | ${b.notFit} of ${b.rounds} | ${fisherExact(a.notFit, a.rounds - a.notFit, b.notFit, b.rounds - b.notFit).toFixed(3)} |`,
      );
    for (const m of cnns) {
      const [a, b] = [notFit(positionals[0], m), notFit(positionals[1], m)];
      row(m, a, b);
      for (const [k, v] of [['a', a] as const, ['b', b] as const]) {
        all[k].notFit += v.notFit;
        all[k].rounds += v.rounds;
      }
    }
    if (cnns.length > 1) row('all CNN rounds', all.a, all.b);
  }
}
