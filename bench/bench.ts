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
 * Full study: interleaved by rounds (see fullStudy): each chunk of N rounds (N = cores) of a model
 * runs on every side in turn, ours on one worker thread per core as `study` trains, PyTorch as
 * N single-thread processes and as 1 process of N threads, all kept alive between chunks
 * (./sides.ts); the wasm SIMD peak is measured before each chunk and at the end, and printed with
 * its spread, and the JSON keeps every round's seconds.
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
import { ourSide, type Side, type SideRound, torchSide } from './sides.js';

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

/** The PyTorch reference's arguments for `models` × `rounds` on `threads` threads, its JSON written to `out` (without: for --serve). */
function torchArgs(o: { models: ModelName[]; rounds: number; epochs: number; threads: number; setup: Setup; out?: string }): string[] {
  return [
    TORCH_SCRIPT,
    ...['--models', o.models.join(','), '--rounds', String(o.rounds), '--epochs', String(o.epochs)],
    ...['--pairs', String(seedProtocol.pairs), '--batch', String(seedProtocol.batchSize), '--seed', '0', '--threads', String(o.threads)],
    ...['--protocol', o.setup.protocol],
    ...(o.setup.evalEveryEpoch ? ['--eval-every-epoch'] : []),
    ...(o.out ? ['--json', o.out] : []),
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

/** Rounds 0 … rounds − 1 in chunks of `size`. */
const chunksOf = (rounds: number, size: number) =>
  Array.from({ length: Math.ceil(rounds / size) }, (_, c) => Array.from({ length: Math.min(size, rounds - c * size) }, (_, k) => c * size + k));

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** What one side did over the whole study: per model its rounds, and the sums of its chunks' walls and idle tails. */
interface SideTotals {
  rounds: Record<string, SideRound[]>;
  wallSeconds: number;
  idleSeconds: number;
}

/**
 * The full study on every side, interleaved by rounds: for each model, each chunk of CORES rounds
 * runs on every side back to back (ours exact, ours --fast, PyTorch N × 1, PyTorch 1 × N), every
 * other chunk in the reverse order (A B B A), so a slow phase of the machine, which lasts minutes,
 * falls on every side alike and a steady drift cancels. The sides stay alive throughout (./sides.ts):
 * each pays its start-up once, in its first chunk. The wasm SIMD peak is measured before each chunk
 * and at the end.
 */
async function fullStudy(models: ModelName[], rounds: number, epochs: number, torchThreads: number, withTorch: boolean, setup: Setup, fast: boolean) {
  const config: ExperimentConfig = parseConfig({ models, rounds, epochs, evalEveryEpoch: setup.evalEveryEpoch, protocol: setup.protocol });
  console.error(
    `\nfull study: ${models.join(', ')}; ${rounds} rounds × ${epochs} epochs; ours with ${CORES} workers; ${setupText(setup)}${fast ? '; exact and --fast' : ''}; interleaved by ${CORES} rounds`,
  );
  const torchArgsFor = (threads: number) => torchArgs({ models, rounds, epochs, threads, setup });
  const sides = {
    exact: ourSide('ours exact', config, CORES),
    quick: fast ? ourSide('ours --fast', { ...config, fast: true }, CORES) : undefined,
    perCore: withTorch ? torchSide(`PyTorch ${CORES}×1`, PYTHON, torchArgsFor, CORES, 1) : undefined,
    torch: withTorch ? torchSide(`PyTorch 1×${torchThreads}`, PYTHON, torchArgsFor, 1, torchThreads) : undefined,
  };
  const active = Object.entries(sides).filter((e): e is [keyof typeof sides, Side] => e[1] !== undefined);
  const totals = Object.fromEntries(active.map(([key]) => [key, { rounds: {}, wallSeconds: 0, idleSeconds: 0 } as SideTotals])) as Partial<
    Record<keyof typeof sides, SideTotals>
  >;
  const speed: { before: string; peak: number }[] = [];
  const peaksOf: Record<string, number[]> = {};
  let turn = 0;
  try {
    for (const m of models) {
      for (const chunk of chunksOf(rounds, CORES)) {
        const peak = measurePeak(false).mulAdd;
        speed.push({ before: `${m} ${chunk.length === 1 ? `round ${chunk[0]! + 1}` : `rounds ${chunk[0]! + 1}–${chunk.at(-1)! + 1}`}`, peak });
        peaksOf[m] = [...(peaksOf[m] ?? []), peak];
        const order = turn++ % 2 === 0 ? active : [...active].reverse();
        for (const [key, side] of order) {
          const done = await side.run(m, chunk);
          const t = totals[key]!;
          t.rounds[m] = [...(t.rounds[m] ?? []), ...done.rounds];
          t.wallSeconds += done.wallSeconds;
          t.idleSeconds += done.idleSeconds;
        }
      }
    }
  } finally {
    await Promise.all(active.map(([, side]) => side.close()));
  }
  speed.push({ before: 'the end', peak: measurePeak(false).mulAdd });
  const roundSecondsOf = (t: SideTotals) =>
    Object.fromEntries(models.map((m) => [m, t.rounds[m]!.filter((r) => Number.isFinite(r.seconds)).map((r) => r.seconds)]));
  const threadSecondsOf = (t: SideTotals) => Object.fromEntries(Object.entries(roundSecondsOf(t)).map(([m, s]) => [m, sum(s)]));
  const { exact, quick, perCore: perCoreTotals, torch: torchTotals } = totals as Record<keyof typeof sides, SideTotals | undefined>;
  const records = Object.values(exact!.rounds).flat();
  const oursRss = mb(sides.exact.maxRssKb());
  const perCore = perCoreTotals && {
    wallSeconds: perCoreTotals.wallSeconds,
    threadSeconds: threadSecondsOf(perCoreTotals),
    roundSeconds: roundSecondsOf(perCoreTotals),
    idleSeconds: perCoreTotals.idleSeconds,
    maxRssKb: sides.perCore!.maxRssKb(),
  };
  const torch = torchTotals && {
    wallSeconds: torchTotals.wallSeconds,
    report: {
      threads: torchThreads,
      maxRssKb: sides.torch!.maxRssKb(),
      models: Object.fromEntries(
        models.map((m) => {
          const rs = torchTotals.rounds[m]!;
          return [
            m,
            { totals: { seconds: sum(rs.map((r) => r.seconds)) }, rounds: rs.map(({ seconds, testErrorPercent }) => ({ seconds, testErrorPercent })) },
          ];
        }),
      ),
    },
  };
  const ourSeconds = { exact: roundSecondsOf(exact!), fast: quick && roundSecondsOf(quick) };
  const ourRounds = (bySide: Record<string, number[]>, m: string) => ({ seconds: sum(bySide[m]!), rounds: bySide[m]!.length });
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
  const sums = { exact: 0, fast: 0 };
  for (const m of models) {
    const peaks = peaksOf[m]!;
    const ours = ourRounds(ourSeconds.exact, m);
    const mine = ourSeconds.fast ? ourRounds(ourSeconds.fast, m) : undefined;
    sums.exact += ours.seconds;
    sums.fast += mine?.seconds ?? 0;
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
  const torchThreadSeconds = perCore ? sum(Object.values(perCore.threadSeconds)) : undefined;
  rows.push([
    'Σ thread-seconds',
    fmt(sums.exact, 1),
    fmt(torchThreadSeconds, 1),
    ratio(sums.exact, torchThreadSeconds),
    ...(quick ? [fmt(sums.fast, 1), ratio(sums.fast, torchThreadSeconds)] : []),
    '',
    '',
    '',
    '',
  ]);
  console.log(
    `\nFull study, ${setupText(setup)}, interleaved by ${CORES} rounds (walls: the sums of each side's chunks; ours: ${CORES} worker threads as \`study\` runs them, peak RSS ${oursRss.toFixed(0)} MB; PyTorch: ${CORES} single-thread processes, one round each per chunk` +
      `${perCore ? `, peak RSS ${mb(perCore.maxRssKb).toFixed(0)} MB each` : ''}, and 1 process × ${torchThreads} threads)`,
  );
  console.log(table(rows));
  const walls = [
    ['wall', 'seconds', 'ours / it', ...(quick ? ['ours --fast / it'] : [])],
    [`ours, ${CORES} worker threads`, fmt(exact!.wallSeconds, 1), '', ...(quick ? [''] : [])],
    ...(quick ? [[`ours --fast, ${CORES} worker threads`, fmt(quick.wallSeconds, 1), '', '']] : []),
    [
      `PyTorch, ${CORES} processes × 1 thread (per core)`,
      fmt(perCore?.wallSeconds, 1),
      ratio(exact!.wallSeconds, perCore?.wallSeconds),
      ...(quick ? [ratio(quick.wallSeconds, perCore?.wallSeconds)] : []),
    ],
    [
      `PyTorch, 1 process × ${torchThreads} threads (per process)`,
      fmt(torch?.wallSeconds, 1),
      ratio(exact!.wallSeconds, torch?.wallSeconds),
      ...(quick ? [ratio(quick.wallSeconds, torch?.wallSeconds)] : []),
    ],
  ];
  console.log(`\n${table(walls)}`);
  if (perCore)
    console.log(
      `(in their chunks, the per-core PyTorch processes sat idle ${perCore.idleSeconds.toFixed(1)} s in all, ours ${exact!.idleSeconds.toFixed(1)} s)`,
    );
  console.log(speedCheckLine(speed));
  return {
    interleaving: `chunks of ${CORES} rounds`,
    speedChecks: speed,
    ourWall: exact!.wallSeconds,
    ourRss: oursRss,
    ourThreadSeconds: sums.exact,
    ...(quick ? { fastWall: quick.wallSeconds, fastThreadSeconds: sums.fast } : {}),
    records: records.length,
    // Each side's rounds' seconds by model, in round order.
    roundSeconds: { exact: ourSeconds.exact, ...(ourSeconds.fast ? { fast: ourSeconds.fast } : {}) },
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
