/**
 * Side by side: our training (TensorFlow.js, default backend) against the PyTorch reference
 * (bench/reference/torch_study.py), same protocol, per-epoch evaluation included on both sides.
 *
 *   npm run bench                         one round per model (25 epochs, 1000 pairs, batch 100)
 *   npm run bench -- --full               …then the full study both ways (4 models × 15 rounds)
 *   npm run bench -- --queue              the full study through a BullMQ queue on a redis-server this
 *                                         bench starts (unix socket), trained by one `digit-pairs worker`
 *                                         process per core, against the local pool, in one run
 *   options: --models a,b  --epochs N  --rounds N (full)  --torch-threads N (default: cores)
 *            --final-eval-only (both sides measure errors after the last epoch only)
 *            --protocols report,authors-code (each in turn, both sides; default: report)
 *            --fast (the full study also in our fast mode, beside exact)
 *            --no-torch  --no-kernels  --json OUT
 *
 * Kernels first: this machine's wasm SIMD peak (a micro-benchmark, ./peak.ts), then per hot
 * kernel of a CNN and a CNN-aux training step and per-epoch evaluation its ms, useful GFLOP/s
 * and share of that peak (./kernel-profile.ts), so any machine's run shows how far each kernel
 * is from the limit, not only from PyTorch.
 *
 * Single rounds: each model runs `trainRound` (src/train/round.ts) in a child Node process of its
 * own, so its peak RSS is its own; the timing is trainRound's wall time (data preparation
 * included) on one thread (TensorFlow.js's wasm backend is single-threaded in Node).
 * Full study: interleaved by model (see fullStudy), each block `runStudy` with one worker per core
 * or the PyTorch anchors, timed wall to wall; the wasm SIMD peak is measured before each block and
 * at the end, and printed with its spread, and the JSON keeps every round's seconds.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type ExperimentConfig, parseConfig, seedProtocol } from '../src/config.js';
import { loadPools } from '../src/data/mnist.js';
import { initBackend } from '../src/engine/backend.js';
import { PROTOCOLS, type Protocol } from '../src/models/protocols.js';
import { isBuiltIn, MODEL_NAMES, type ModelName, SEED_MODELS } from '../src/models/registry.js';
import { runStudy } from '../src/run/study.js';
import { trainRound } from '../src/train/round.js';
import { kernelLines, OURS, profileModel } from './kernel-profile.js';
import { machineLine, speedCheckLine, thisMachine } from './machine.js';
import { measurePeak, type Peak } from './peak.js';

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

/** How both sides train and measure: the protocol, and whether errors are measured after every epoch. */
interface Setup {
  protocol: Protocol;
  evalEveryEpoch: boolean;
}
const setupText = (s: Setup) => `protocol ${s.protocol}; evaluation ${s.evalEveryEpoch ? 'after every epoch' : 'after the last epoch only'}`;

/** Child mode: one round of `model`, reported as one JSON line on stdout. */
async function childRound(model: ModelName, epochs: number, { protocol, evalEveryEpoch }: Setup): Promise<void> {
  const config = parseConfig({ models: [model], epochs, evalEveryEpoch, protocol });
  await initBackend(config.backend);
  const pools = loadPools(config.dataDir);
  const tensorsBefore = tf.memory().numTensors;
  const { record: result } = trainRound({ model, round: 0 }, config, pools);
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

function runOurRound(model: ModelName, epochs: number, setup: Setup): OurRound {
  const args = [
    ...[fileURLToPath(import.meta.url), '--child', model, '--epochs', String(epochs), '--protocols', setup.protocol],
    ...(setup.evalEveryEpoch ? [] : ['--final-eval-only']),
  ];
  const child = spawnSync(process.execPath, args, {
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

/** The PyTorch reference's arguments for `models` × rounds (all, or `roundList`) on `threads` threads, its JSON written to `out`. */
function torchArgs(o: { models: ModelName[]; rounds: number; epochs: number; threads: number; setup: Setup; out: string; roundList?: number[] }): string[] {
  return [
    TORCH_SCRIPT,
    ...['--models', o.models.join(','), '--rounds', String(o.rounds), '--epochs', String(o.epochs)],
    ...['--pairs', String(seedProtocol.pairs), '--batch', String(seedProtocol.batchSize), '--seed', '0', '--threads', String(o.threads)],
    ...(o.roundList ? ['--round-list', o.roundList.join(',')] : []),
    ...['--protocol', o.setup.protocol],
    ...(o.setup.evalEveryEpoch ? ['--eval-every-epoch'] : []),
    ...['--json', o.out],
  ];
}

/** One PyTorch process over every round, with `threads` intra-op threads (PyTorch's own default: all cores). */
function runTorch(models: ModelName[], rounds: number, epochs: number, threads: number, setup: Setup): { report: TorchReport; wallSeconds: number } {
  const out = join(mkdtempSync(join(tmpdir(), 'digit-pairs-bench-')), 'torch.json');
  const started = performance.now();
  const child = spawnSync(PYTHON, torchArgs({ models, rounds, epochs, threads, setup, out }), {
    encoding: 'utf8',
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const wallSeconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`the PyTorch reference failed (exit ${child.status})`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as TorchReport;
  rmSync(dirname(out), { recursive: true, force: true });
  return { report, wallSeconds };
}

/**
 * `processes` single-thread PyTorch processes at once, process i taking rounds i, i + N, …: how
 * a PyTorch user with N cores runs independent rounds. Each round's seconds are then thread-seconds.
 */
async function runTorchProcesses(models: ModelName[], rounds: number, epochs: number, processes: number, setup: Setup) {
  const dir = mkdtempSync(join(tmpdir(), 'digit-pairs-bench-'));
  const started = performance.now();
  const shares = Array.from({ length: processes }, (_, i) => Array.from({ length: rounds }, (_, r) => r).filter((r) => r % processes === i));
  const lastExit: number[] = [];
  await Promise.all(
    shares.map(
      (roundList, i) =>
        new Promise<void>((done, fail) => {
          const out = join(dir, `torch-${i}.json`);
          const child = spawn(PYTHON, torchArgs({ models, rounds, epochs, threads: 1, setup, out, roundList }), {
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          child.on('close', (code) => {
            lastExit[i] = (performance.now() - started) / 1000;
            code === 0 ? done() : fail(new Error(`PyTorch process ${i + 1} failed (exit ${code})`));
          });
        }),
    ),
  );
  const wallSeconds = (performance.now() - started) / 1000;
  const reports = shares.map((_, i) => JSON.parse(readFileSync(join(dir, `torch-${i}.json`), 'utf8')) as TorchReport);
  rmSync(dir, { recursive: true, force: true });
  const threadSeconds = Object.fromEntries(models.map((m) => [m, reports.reduce((s, r) => s + (r.models[m]?.totals.seconds ?? 0), 0)]));
  // Each round's seconds, by model, in the processes' order: a slow phase inside the block shows here.
  const roundSeconds = Object.fromEntries(models.map((m) => [m, reports.flatMap((r) => r.models[m]?.rounds.map((x) => x.seconds) ?? [])]));
  return {
    wallSeconds,
    threadSeconds,
    roundSeconds,
    idleSeconds: wallSeconds - Math.min(...lastExit),
    maxRssKb: Math.max(...reports.map((r) => r.maxRssKb)),
  };
}

/** Right-aligned table with a header row. */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

const fmt = (x: number | undefined, digits = 1) => (x === undefined ? '—' : x.toFixed(digits));
const ratio = (ours: number, theirs: number | undefined) => (theirs === undefined ? '—' : `${(ours / theirs).toFixed(2)}×`);

function singleRounds(models: ModelName[], epochs: number, torchThreads: number, withTorch: boolean, setup: Setup) {
  console.error(`single rounds: ${models.join(', ')}; ${epochs} epochs, ${seedProtocol.pairs} pairs; ${setupText(setup)}`);
  const ours = models.map((m) => {
    const r = runOurRound(m, epochs, setup);
    console.error(`  ours    ${m.padEnd(13)} ${r.seconds.toFixed(2)} s  test ${r.testErrorPercent.toFixed(1)}%`);
    return r;
  });
  const torch = withTorch ? runTorch(models, 1, epochs, torchThreads, setup).report : undefined;
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
  console.log(`\nOne round per model, ${setupText(setup)} (ours: trainRound, 1 thread; PyTorch: ${torch ? `${torch.threads} thread(s)` : 'not run'})`);
  console.log(table(rows));
  if (torch) console.log(`PyTorch process peak RSS: ${mb(torch.maxRssKb).toFixed(0)} MB`);
  return { ours, torch };
}

/** Our full study once: wall, peak RSS so far, and its records. */
async function ourStudy(config: ExperimentConfig) {
  const runDir = mkdtempSync(join(tmpdir(), 'digit-pairs-bench-study-'));
  const started = performance.now();
  const outcome = await runStudy(config, { runDir, workers: CORES, progress: false });
  const wall = (performance.now() - started) / 1000;
  rmSync(runDir, { recursive: true, force: true });
  return { wall, rss: mb(process.resourceUsage().maxRSS), outcome };
}

type OurStudy = Awaited<ReturnType<typeof ourStudy>>;
type TorchRun = ReturnType<typeof runTorch>;
type PerCoreRun = Awaited<ReturnType<typeof runTorchProcesses>>;

/** One model's blocks of the full study, run back to back (see fullStudy). */
interface ModelBlocks {
  exact?: OurStudy;
  quick?: OurStudy;
  torch?: TorchRun;
  perCore?: PerCoreRun;
  /** The wasm SIMD peak before each of them, GFLOP/s. */
  peaks: number[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** The per-model blocks as one study: walls and thread-seconds add up, peak RSS is the largest. */
function joinBlocks(blocks: ModelBlocks[]) {
  const studies = (pick: (b: ModelBlocks) => OurStudy | undefined): OurStudy | undefined => {
    const runs = blocks.map(pick).filter((r) => r !== undefined);
    if (runs.length === 0) return undefined;
    const records = runs.flatMap((r) => r.outcome.records);
    const outcome = { ...runs[0]!.outcome, records, interrupted: runs.some((r) => r.outcome.interrupted) };
    return { wall: sum(runs.map((r) => r.wall)), rss: Math.max(...runs.map((r) => r.rss)), outcome };
  };
  const torchRuns = blocks.map((b) => b.torch).filter((r) => r !== undefined);
  const perCoreRuns = blocks.map((b) => b.perCore).filter((r) => r !== undefined);
  const torch: TorchRun | undefined =
    torchRuns.length === 0
      ? undefined
      : {
          wallSeconds: sum(torchRuns.map((r) => r.wallSeconds)),
          report: {
            threads: torchRuns[0]!.report.threads,
            maxRssKb: Math.max(...torchRuns.map((r) => r.report.maxRssKb)),
            models: Object.assign({}, ...torchRuns.map((r) => r.report.models)),
          },
        };
  const perCore: PerCoreRun | undefined =
    perCoreRuns.length === 0
      ? undefined
      : {
          wallSeconds: sum(perCoreRuns.map((r) => r.wallSeconds)),
          threadSeconds: Object.assign({}, ...perCoreRuns.map((r) => r.threadSeconds)),
          roundSeconds: Object.assign({}, ...perCoreRuns.map((r) => r.roundSeconds)),
          idleSeconds: sum(perCoreRuns.map((r) => r.idleSeconds)),
          maxRssKb: Math.max(...perCoreRuns.map((r) => r.maxRssKb)),
        };
  return { exact: studies((b) => b.exact)!, quick: studies((b) => b.quick), torch, perCore };
}

async function fullStudy(models: ModelName[], rounds: number, epochs: number, torchThreads: number, withTorch: boolean, setup: Setup, fast: boolean) {
  const config: ExperimentConfig = parseConfig({ models, rounds, epochs, evalEveryEpoch: setup.evalEveryEpoch, protocol: setup.protocol });
  console.error(
    `\nfull study: ${models.join(', ')}; ${rounds} rounds × ${epochs} epochs; ours with ${CORES} workers; ${setupText(setup)}${fast ? '; exact and --fast' : ''}; interleaved by model`,
  );
  // A shared machine's speed can drift by 1.6× within an hour (seen on one VM), which would skew
  // any ratio between blocks run far apart. So the sides are interleaved by model: each model's
  // blocks (ours exact, ours --fast, PyTorch N×1, PyTorch 1×N) run back to back, every other model
  // in the reverse order (A B B A), so a steady drift also cancels out of the totals. The wasm SIMD
  // peak, measured before each block and at the end, shows what drift remained.
  const speed: { before: string; peak: number }[] = [];
  const blocks: ModelBlocks[] = [];
  for (const [i, m] of models.entries()) {
    const b: ModelBlocks = { peaks: [] };
    const one = { ...config, models: [m] };
    const steps: [string, () => Promise<unknown>][] = [
      ['ours exact', async () => (b.exact = await ourStudy(one))],
      ...(fast ? [['ours --fast', async () => (b.quick = await ourStudy({ ...one, fast: true }))] as [string, () => Promise<unknown>]] : []),
      ...(withTorch
        ? ([
            [`PyTorch ${CORES}×1`, async () => (b.perCore = await runTorchProcesses([m], rounds, epochs, CORES, setup))],
            [`PyTorch 1×${torchThreads}`, async () => (b.torch = runTorch([m], rounds, epochs, torchThreads, setup))],
          ] as [string, () => Promise<unknown>][])
        : []),
    ];
    if (i % 2 === 1) steps.reverse();
    for (const [label, run] of steps) {
      const peak = measurePeak(false).mulAdd;
      speed.push({ before: `${m} ${label}`, peak });
      b.peaks.push(peak);
      await run();
    }
    blocks.push(b);
  }
  speed.push({ before: 'the end', peak: measurePeak(false).mulAdd });
  const { exact, quick, torch, perCore } = joinBlocks(blocks);
  const roundSecondsOf = (run: typeof exact) =>
    Object.fromEntries(
      models.map((m) => [m, run.outcome.records.filter((r) => r.model === m && r.status === 'ok').map((r) => (r as { seconds: number }).seconds)]),
    );
  const oursOf = (run: typeof exact, m: string) => {
    const seconds = roundSecondsOf(run)[m]!;
    return { seconds: sum(seconds), rounds: seconds.length };
  };
  const rows = [
    [
      'model',
      'ours thread-s',
      `PyTorch ${CORES}×1 thread-s`,
      'ours/PyTorch',
      ...(quick ? ['ours --fast thread-s', '--fast/PyTorch'] : []),
      `PyTorch 1×${torchThreads} Σ round s`,
      'ours s/epoch',
      'rounds ok',
      'speed spread',
    ],
  ];
  const totals = { exact: 0, fast: 0 };
  for (const [i, m] of models.entries()) {
    const peaks = blocks[i]!.peaks;
    const ours = oursOf(exact, m);
    const mine = quick ? oursOf(quick, m) : undefined;
    totals.exact += ours.seconds;
    totals.fast += mine?.seconds ?? 0;
    const t = perCore?.threadSeconds[m];
    rows.push([
      m,
      fmt(ours.seconds, 1),
      fmt(t, 1),
      ratio(ours.seconds, t),
      ...(mine ? [fmt(mine.seconds, 1), ratio(mine.seconds, t)] : []),
      fmt(torch?.report.models[m]?.totals.seconds, 1),
      fmt(ours.seconds / (ours.rounds * epochs), 3),
      `${ours.rounds}/${rounds}${mine ? ` · ${mine.rounds}/${rounds}` : ''}`,
      `${(100 * (Math.max(...peaks) / Math.min(...peaks) - 1)).toFixed(0)} %`,
    ]);
  }
  const torchThreadSeconds = perCore ? Object.values(perCore.threadSeconds).reduce((a, b) => a + b, 0) : undefined;
  rows.push([
    'Σ thread-seconds',
    fmt(totals.exact, 1),
    fmt(torchThreadSeconds, 1),
    ratio(totals.exact, torchThreadSeconds),
    ...(quick ? [fmt(totals.fast, 1), ratio(totals.fast, torchThreadSeconds)] : []),
    '',
    '',
    '',
    '',
  ]);
  console.log(
    `\nFull study, ${setupText(setup)}, interleaved by model (walls: the sums of its per-model blocks; ours: runStudy, ${CORES} worker threads, peak RSS ${Math.max(exact.rss, quick?.rss ?? 0).toFixed(0)} MB; PyTorch: ${CORES} single-thread processes over the rounds` +
      `${perCore ? `, peak RSS ${mb(perCore.maxRssKb).toFixed(0)} MB each` : ''}, and 1 process × ${torchThreads} threads)`,
  );
  console.log(table(rows));
  const walls = [
    ['wall', 'seconds', 'ours / it', ...(quick ? ['ours --fast / it'] : [])],
    [`ours, ${CORES} worker threads`, fmt(exact.wall, 1), '', ...(quick ? [''] : [])],
    ...(quick ? [[`ours --fast, ${CORES} worker threads`, fmt(quick.wall, 1), '', '']] : []),
    [
      `PyTorch, ${CORES} processes × 1 thread (per core)`,
      fmt(perCore?.wallSeconds, 1),
      ratio(exact.wall, perCore?.wallSeconds),
      ...(quick ? [ratio(quick.wall, perCore?.wallSeconds)] : []),
    ],
    [
      `PyTorch, 1 process × ${torchThreads} threads (per process)`,
      fmt(torch?.wallSeconds, 1),
      ratio(exact.wall, torch?.wallSeconds),
      ...(quick ? [ratio(quick.wall, torch?.wallSeconds)] : []),
    ],
  ];
  console.log(`\n${table(walls)}`);
  if (perCore) console.log(`(the per-core PyTorch run had a process idle for its last ${perCore.idleSeconds.toFixed(1)} s)`);
  if (exact.outcome.interrupted || quick?.outcome.interrupted) console.log('(interrupted)');
  console.log(speedCheckLine(speed));
  return {
    speedChecks: speed,
    ourWall: exact.wall,
    ourRss: exact.rss,
    ourThreadSeconds: totals.exact,
    ...(quick ? { fastWall: quick.wall, fastThreadSeconds: totals.fast } : {}),
    records: exact.outcome.records.length,
    // Each of our rounds' seconds by model (exact, and --fast), as PyTorch's are in `torch` and `perCore`.
    roundSeconds: { exact: roundSecondsOf(exact), ...(quick ? { fast: roundSecondsOf(quick) } : {}) },
    torch,
    perCore,
  };
}

/** Waits until `test` holds, polling. */
async function until(test: () => boolean, seconds: number, what: string): Promise<void> {
  for (let i = 0; i < seconds * 20 && !test(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!test()) throw new Error(`timed out waiting for ${what}`);
}

/** The full study locally (one worker thread per core) and through Redis (one worker process per core), side by side. */
async function queueStudy(models: ModelName[], rounds: number, epochs: number) {
  const config: ExperimentConfig = parseConfig({ models, rounds, epochs });
  const scratch = mkdtempSync(join(tmpdir(), 'digit-pairs-bench-queue-'));
  const socket = join(scratch, 'redis.sock');
  const redis = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no', '--dir', scratch], { stdio: 'ignore' });
  const workers: ChildProcess[] = [];
  try {
    await until(() => existsSync(socket), 10, 'redis-server');
    console.error(`
full study, local pool: ${models.join(', ')}; ${rounds} rounds × ${epochs} epochs; ${CORES} worker threads`);
    let started = performance.now();
    const local = await runStudy(config, { runDir: mkdtempSync(join(scratch, 'local-')), workers: CORES, progress: false });
    const localWall = (performance.now() - started) / 1000;

    console.error(`full study through the queue: ${CORES} \`digit-pairs worker --workers 1\` processes`);
    const ready: boolean[] = [];
    for (let i = 0; i < CORES; i++) {
      const w = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'worker', '--queue', socket, '--workers', '1'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      w.stderr!.on('data', (d: Buffer) => {
        if (d.toString().includes('taking jobs')) ready[i] = true;
      });
      workers.push(w);
    }
    await until(() => ready.filter(Boolean).length === CORES, 30, 'the workers');
    started = performance.now();
    const queued = await runStudy(config, {
      runDir: mkdtempSync(join(scratch, 'queued-')),
      workers: 0,
      queue: { connection: { path: socket }, display: socket },
      progress: false,
    });
    const queueWall = (performance.now() - started) / 1000;

    const key = (r: { model: string; round: number }) => `${r.model}#${r.round}`;
    const strip = (r: object) => {
      const { seconds: _s, host: _h, node: _n, arch: _a, ...rest } = r as Record<string, unknown>;
      return JSON.stringify(rest);
    };
    const localByKey = new Map(local.records.map((r) => [key(r), strip(r)]));
    const same = queued.records.filter((r) => localByKey.get(key(r)) === strip(r)).length;
    const jobs = queued.records.length;
    const rows = [
      ['', 'wall [s]', 'jobs', 'overhead'],
      [`local pool, ${CORES} threads`, fmt(localWall, 1), String(local.records.length), ''],
      [`queue, ${CORES} worker processes`, fmt(queueWall, 1), String(jobs), `${(100 * (queueWall / localWall - 1)).toFixed(1)} %`],
    ];
    console.log(`\nFull study through Redis vs the local pool (same machine, one run; ${same} of ${jobs} rounds equal to the local run's, wall times aside)`);
    console.log(table(rows));
    console.log(`per-job overhead of the queue: ${fmt(((queueWall - localWall) * CORES) / jobs, 3)} s (wall difference × workers ÷ jobs)`);
    return { localWall, queueWall, jobs, same };
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    redis.kill('SIGKILL');
  }
}

/** The machine's wasm SIMD peak, then the hot kernels of a CNN and a CNN-aux step and evaluation against it (this process, the wasm backend). */
async function kernelReport(): Promise<{ peak: Peak; profiles: Awaited<ReturnType<typeof profileModel>>[] }> {
  const peak = measurePeak();
  console.log(
    `\nwasm SIMD peak, measured: ${peak.mulAdd.toFixed(1)} GFLOP/s with f32x4 mul + add (what XNNPACK's and our kernels use)` +
      (peak.fused ? `, ${peak.fused.toFixed(1)} with relaxed SIMD's fused multiply-add` : '; no relaxed SIMD in this runtime'),
  );
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  await initBackend('wasm');
  const profiles = [];
  for (const model of ['cnn', 'cnn-aux'] as ModelName[]) {
    const p = await profileModel(model, 3, [OURS]);
    const mode = p.modes[0]!;
    console.log(
      `\n${model}: one training step (batch 100), ${mode.stepMs.toFixed(1)} ms wall; per kernel: ms × calls, useful GFLOP/s, share of the mul + add peak`,
    );
    for (const line of kernelLines([mode.train], 6, peak.mulAdd)) console.log(line);
    console.log(
      `${model}: one per-epoch evaluation (1000 train + 1000 test pairs), ${mode.evalMs.toFixed(1)} ms wall = ${((100 * mode.evalMs) / (mode.evalMs + 10 * mode.stepMs)).toFixed(0)}% of an epoch with it`,
    );
    for (const line of kernelLines([mode.eval], 4, peak.mulAdd)) console.log(line);
    profiles.push(p);
  }
  console.log('');
  return { peak, profiles };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      full: { type: 'boolean', default: false },
      queue: { type: 'boolean', default: false },
      models: { type: 'string', default: SEED_MODELS.join(',') },
      epochs: { type: 'string', default: '25' },
      rounds: { type: 'string', default: '15' },
      'torch-threads': { type: 'string', default: String(CORES) },
      'no-torch': { type: 'boolean', default: false },
      'no-kernels': { type: 'boolean', default: false },
      'final-eval-only': { type: 'boolean', default: false },
      protocols: { type: 'string', default: 'report' },
      fast: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const epochs = Number(values.epochs);
  const evalEveryEpoch = !values['final-eval-only'];
  const protocols = values.protocols.split(',').map((p) => p.trim()) as Protocol[];
  for (const p of protocols) if (!PROTOCOLS.includes(p)) throw new Error(`--protocols: unknown protocol ${p}; valid: ${PROTOCOLS.join(', ')}`);
  if (values.child !== undefined) return childRound(values.child as ModelName, epochs, { protocol: protocols[0]!, evalEveryEpoch });

  const models = values.models.split(',').map((m) => m.trim()) as ModelName[];
  for (const m of models) if (!isBuiltIn(m)) throw new Error(`unknown model ${m}; valid: ${MODEL_NAMES.join(', ')}`);
  if (values.queue) {
    const machine = thisMachine();
    console.log(machineLine(machine));
    const queue = await queueStudy(models, Number(values.rounds), epochs);
    console.log(`load average at end: ${loadavg()[0]!.toFixed(2)}`);
    if (values.json) writeFileSync(values.json, `${JSON.stringify({ cores: CORES, loadAtStart: machine.loadAtStart, machine, queue }, null, 2)}\n`);
    return;
  }
  const torchThreads = Number(values['torch-threads']);
  const missing = values['no-torch'] ? 'skipped (--no-torch)' : torchMissing();
  if (missing !== undefined && !values['no-torch']) {
    console.log(`PyTorch reference unavailable: ${missing}. Install it with:  apt-get install -y python3-torch python3-numpy`);
  }
  const machine = thisMachine();
  console.log(machineLine(machine));
  const kernels = values['no-kernels'] ? undefined : await kernelReport();
  const byProtocol = [];
  for (const protocol of protocols) {
    const setup = { protocol, evalEveryEpoch };
    const single = singleRounds(models, epochs, torchThreads, missing === undefined, setup);
    const full = values.full ? await fullStudy(models, Number(values.rounds), epochs, torchThreads, missing === undefined, setup, values.fast) : undefined;
    console.log(`load average after protocol ${protocol}: ${loadavg()[0]!.toFixed(2)}`);
    byProtocol.push({ ...setup, single, full });
  }
  console.log(`load average at end: ${loadavg()[0]!.toFixed(2)}`);
  if (values.json)
    writeFileSync(values.json, `${JSON.stringify({ cores: CORES, loadAtStart: machine.loadAtStart, machine, kernels, protocols: byProtocol }, null, 2)}\n`);
}

await main();
