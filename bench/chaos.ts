/**
 * `npm run chaos -- [--minutes M] [--seed S] [--rounds N] [--faults N] [--models a,b] [--epochs E]
 * [--pairs P] [--lock-seconds L] [--dir DIR]`: a queued study on 3 workers and a Redis of its own,
 * with faults at seeded moments (src/testing/chaos.ts), then the checks. Without --rounds, the
 * study is sized from one local round so that the whole command (the local reference run, then
 * the chaos) lasts about M minutes on this machine; faults default to one per 10 s of M. Exit 0
 * when every check passes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readRecords } from '../src/run-folder.js';
import { Chaos, formatSummary } from '../src/testing/chaos.js';
import { CLI } from '../src/testing/cli.js';
import type { RoundRecord } from '../src/train/records.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    rounds: { type: 'string' },
    faults: { type: 'string' },
    models: { type: 'string', default: 'baseline,baseline-aux,cnn' },
    epochs: { type: 'string', default: '2' },
    pairs: { type: 'string', default: '200' },
    'lock-seconds': { type: 'string', default: '2' },
    dir: { type: 'string' },
  },
});
const minutes = Number(values.minutes);
const models = values.models.split(',');
const [epochs, pairs] = [Number(values.epochs), Number(values.pairs)];

/**
 * Rounds for about `minutes` in all: one local round of each model, timed (training seconds only).
 * The reference then takes about 40 % of the time and the chaos 60 % (measured: --minutes 10 gave
 * 933 rounds, 246 s of reference and 374 s of chaos, 10.8 min in all).
 */
function sizeRounds(): number {
  const out = mkdtempSync(join(tmpdir(), 'chaos-size-'));
  execFileSync(
    process.execPath,
    [CLI, 'study', '--models', models.join(','), '--rounds', '1', '--epochs', String(epochs), '--pairs', String(pairs), '--workers', '1', '--out', out],
    { stdio: 'ignore' },
  );
  const records = readRecords<RoundRecord>(join(out, readdirSync(out)[0]!, 'results.jsonl'));
  const perRound = records.reduce((sum, r) => sum + ((r as { seconds?: number }).seconds ?? 0), 0);
  // × 1.5: the timed round includes its thread's warm-up, so it overstates a round's cost.
  return Math.max(4, Math.round((1.5 * minutes * 60) / Math.max(perRound, 0.05)));
}

const load = () => readFileSync('/proc/loadavg', 'utf8').trim();
const rounds = values.rounds ? Number(values.rounds) : sizeRounds();
const faults = values.faults ? Number(values.faults) : Math.max(7, Math.round(minutes * 6));
const seed = Number(values.seed);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {}
console.log(`chaos: seed ${seed}, ${models.join(',')} × ${rounds} rounds (--epochs ${epochs} --pairs ${pairs}), ${faults} faults; commit ${commit}`);
console.log(`load before: ${load()}`);
const chaos = new Chaos({
  seed,
  models,
  rounds,
  epochs,
  pairs,
  faults,
  lockSeconds: Number(values['lock-seconds']),
  deadlineSeconds: 4 * minutes * 60 + 180,
  dir: values.dir,
  log: (line) => console.error(`chaos: ${line}`),
});
// Ctrl-C: leave nothing running behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    chaos.killAll();
    process.exit(130);
  });
}
const summary = await chaos.run();
console.log(formatSummary(summary));
console.log(`load after: ${load()}`);
process.exitCode = summary.failures.length ? 1 : 0;
