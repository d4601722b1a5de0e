/**
 * Side by side: our training (TensorFlow.js, default backend) against the PyTorch reference
 * (bench/reference/torch_study.py), same protocol, per-epoch evaluation included on both sides.
 *
 *   npm run bench                         one round per model (25 epochs, 1000 pairs, batch 100)
 *   npm run bench -- --full               …then the full study both ways (4 models × 15 rounds)
 *   options: --models a,b  --epochs N  --rounds N (full)  --torch-threads N (default: cores)
 *            --no-torch  --json OUT
 *
 * Single rounds: each model runs `runRound` (src/train/round.ts) in a child Node process of its
 * own, so its peak RSS is its own; the timing is runRound's wall time (data preparation
 * included) on one thread (TensorFlow.js's wasm backend is single-threaded in Node).
 * Full study: `runStudy` with one worker per core, timed wall to wall.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentConfig, parseConfig } from '../src/config.js';
import { loadPools } from '../src/data/mnist.js';
import { initBackend } from '../src/engine/backend.js';
import { MODEL_NAMES, type ModelName, SEED_MODELS } from '../src/models/registry.js';
import { runStudy } from '../src/run/study.js';
import { runRound } from '../src/train/round.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..'); // dist/bench → project root
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = join(ROOT, 'bench', 'reference', 'torch_study.py');
const CORES = availableParallelism();

/** What a child process reports for one model's round. */
interface OurRound {
  model: ModelName;
  seconds: number;
  epochs: number;
  tensorsBefore: number;
  tensorsAfter: number;
  maxRssMb: number;
  testErrorPercent: number;
}

interface TorchModel {
  totals: { seconds: number };
  rounds: { seconds: number; testErrorPercent: number }[];
}

interface TorchReport {
  threads: number;
  maxRssKb: number;
  models: Record<string, TorchModel>;
}

const mb = (kb: number) => kb / 1024;

/** Child mode: one round of `model`, reported as one JSON line on stdout. */
async function childRound(model: ModelName, epochs: number): Promise<void> {
  const config = parseConfig({ models: [model], epochs });
  await initBackend(config.backend);
  const pools = loadPools(config.dataDir);
  const tensorsBefore = tf.memory().numTensors;
  const result = runRound({ model, round: 0 }, config, pools);
  const report: OurRound = {
    model,
    seconds: result.seconds,
    epochs,
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
    maxRssMb: mb(process.resourceUsage().maxRSS),
    testErrorPercent: result.testErrorPercent,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runOurRound(model: ModelName, epochs: number): OurRound {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', model, '--epochs', String(epochs)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`our ${model} round failed (exit ${child.status})`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as OurRound;
}

/** Why the reference cannot run, or undefined if it can. */
function torchMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${PYTHON} cannot import torch/numpy`;
}

function runTorch(models: ModelName[], rounds: number, epochs: number, threads: number): { report: TorchReport; wallSeconds: number } {
  const out = join(mkdtempSync(join(tmpdir(), 'digit-pairs-bench-')), 'torch.json');
  const args = [
    TORCH_SCRIPT,
    '--models',
    models.join(','),
    '--rounds',
    String(rounds),
    '--epochs',
    String(epochs),
    '--pairs',
    '1000',
    '--batch',
    '100',
    '--seed',
    '0',
    '--threads',
    String(threads),
    '--eval-every-epoch',
    '--json',
    out,
  ];
  const started = performance.now();
  const child = spawnSync(PYTHON, args, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'inherit'] });
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`the PyTorch reference failed (exit ${child.status})`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as TorchReport;
  rmSync(dirname(out), { recursive: true, force: true });
  return { report, wallSeconds };
}

/** Right-aligned table with a header row. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

const fmt = (x: number | undefined, digits = 1) => (x === undefined ? '—' : x.toFixed(digits));
const ratio = (ours: number, theirs: number | undefined) => (theirs === undefined ? '—' : `${(ours / theirs).toFixed(2)}×`);

function singleRounds(models: ModelName[], epochs: number, torchThreads: number, withTorch: boolean) {
  console.error(`single rounds: ${models.join(', ')}; ${epochs} epochs, 1000 pairs, batch 100, evaluation after every epoch`);
  const ours = models.map((m) => {
    const r = runOurRound(m, epochs);
    console.error(`  ours    ${m.padEnd(13)} ${r.seconds.toFixed(2)} s  test ${r.testErrorPercent.toFixed(1)}%`);
    return r;
  });
  const torch = withTorch ? runTorch(models, 1, epochs, torchThreads).report : undefined;
  const rows = [['model', 'ours s', 'PyTorch s', 'ours/PyTorch', 'ours s/epoch', 'PyTorch s/epoch', 'ours peak RSS MB', 'tensors before→after']];
  for (const r of ours) {
    const t = torch?.models[r.model]?.totals.seconds;
    rows.push([
      r.model,
      fmt(r.seconds, 2),
      fmt(t, 2),
      ratio(r.seconds, t),
      fmt(r.seconds / r.epochs, 3),
      fmt(t === undefined ? undefined : t / epochs, 3),
      fmt(r.maxRssMb, 0),
      `${r.tensorsBefore}→${r.tensorsAfter}`,
    ]);
  }
  const ourTotal = ours.reduce((s, r) => s + r.seconds, 0);
  const torchTotal = torch ? Object.values(torch.models).reduce((s, m) => s + m.totals.seconds, 0) : undefined;
  rows.push(['total', fmt(ourTotal, 2), fmt(torchTotal, 2), ratio(ourTotal, torchTotal), '', '', fmt(Math.max(...ours.map((r) => r.maxRssMb)), 0), '']);
  console.log(`\nOne round per model (ours: runRound, 1 thread; PyTorch: ${torch ? `${torch.threads} thread(s)` : 'not run'})`);
  console.log(table(rows));
  if (torch) console.log(`PyTorch process peak RSS: ${mb(torch.maxRssKb).toFixed(0)} MB`);
  return { ours, torch };
}

async function fullStudy(models: ModelName[], rounds: number, epochs: number, torchThreads: number, withTorch: boolean) {
  const config: ExperimentConfig = parseConfig({ models, rounds, epochs });
  const runDir = mkdtempSync(join(tmpdir(), 'digit-pairs-bench-study-'));
  console.error(`\nfull study: ${models.join(', ')}; ${rounds} rounds × ${epochs} epochs; ours with ${CORES} workers`);
  const started = performance.now();
  const outcome = await runStudy(config, { runDir, workers: CORES, progress: false });
  const ourWall = (performance.now() - started) / 1000;
  const ourRss = mb(process.resourceUsage().maxRSS);
  rmSync(runDir, { recursive: true, force: true });
  const torch = withTorch ? runTorch(models, rounds, epochs, torchThreads) : undefined;
  const rows = [['model', 'ours Σ round s', 'PyTorch Σ round s', 'ours/PyTorch', 'ours s/epoch', 'PyTorch s/epoch', 'rounds ok']];
  for (const m of models) {
    const done = outcome.records.filter((r) => r.model === m && r.status === 'ok') as { seconds: number }[];
    const ours = done.reduce((s, r) => s + r.seconds, 0);
    const t = torch?.report.models[m]?.totals.seconds;
    rows.push([
      m,
      fmt(ours, 1),
      fmt(t, 1),
      ratio(ours, t),
      fmt(ours / (done.length * epochs), 3),
      fmt(t === undefined ? undefined : t / (rounds * epochs), 3),
      `${done.length}/${rounds}`,
    ]);
  }
  const torchTotal = torch ? Object.values(torch.report.models).reduce((s, m) => s + m.totals.seconds, 0) : undefined;
  rows.push(['wall (whole study)', fmt(ourWall, 1), fmt(torch?.wallSeconds, 1), ratio(ourWall, torch?.wallSeconds), '', '', '']);
  rows.push(['Σ training (PyTorch)', '', fmt(torchTotal, 1), '', '', '', '']);
  console.log(
    `\nFull study (ours: runStudy, ${CORES} workers, peak RSS ${ourRss.toFixed(0)} MB; PyTorch: sequential, ${torchThreads} thread(s)${torch ? `, peak RSS ${mb(torch.report.maxRssKb).toFixed(0)} MB` : ''})`,
  );
  console.log(table(rows));
  if (outcome.interrupted) console.log('(interrupted)');
  return { ourWall, ourRss, records: outcome.records.length, torch };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      full: { type: 'boolean', default: false },
      models: { type: 'string', default: SEED_MODELS.join(',') },
      epochs: { type: 'string', default: '25' },
      rounds: { type: 'string', default: '15' },
      'torch-threads': { type: 'string', default: String(CORES) },
      'no-torch': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const epochs = Number(values.epochs);
  if (values.child !== undefined) return childRound(values.child as ModelName, epochs);

  const models = values.models.split(',').map((m) => m.trim()) as ModelName[];
  for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`unknown model ${m}; valid: ${MODEL_NAMES.join(', ')}`);
  const torchThreads = Number(values['torch-threads']);
  const missing = values['no-torch'] ? 'skipped (--no-torch)' : torchMissing();
  if (missing !== undefined && !values['no-torch']) {
    console.log(`PyTorch reference unavailable: ${missing}. Install it with:  apt-get install -y python3-torch python3-numpy`);
  }
  const load = loadavg()[0]!;
  console.log(`machine: ${CORES} cores, load average ${load.toFixed(2)} at start${load > 0.5 ? ' (busy: timings are noisy)' : ''}`);
  const single = singleRounds(models, epochs, torchThreads, missing === undefined);
  const full = values.full ? await fullStudy(models, Number(values.rounds), epochs, torchThreads, missing === undefined) : undefined;
  console.log(`load average at end: ${loadavg()[0]!.toFixed(2)}`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ cores: CORES, loadAtStart: load, single, full }, null, 2)}\n`);
}

await main();
