/**
 * Where a training step's time goes, per kernel: runs the real `trainEpoch` (one epoch of
 * `pairs / batch size` steps) and the per-epoch evaluation (`errorPercent` on the train and
 * test sets) under `tf.profile`, and prints each kernel's ms per training step / per
 * evaluation, largest first, beside wall times measured without the profiler.
 *
 *   npm run build && node dist/bench/profile.js [--models cnn,cnn-aux] [--epochs 3] [--top 25]
 *     [--compare] [--backend wasm|cpu] [--json OUT]
 *
 * --compare alternates, epoch by epoch on the same model, between the wasm kernels this
 * project started from ("before": stock tfjs-wasm plus our Conv2DBackpropFilter/Input) and
 * all of ours ("after"), so both see the same machine load; it prints medians side by side.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../src/config.js';
import { loadEmbeddedPools } from '../src/data/mnist.js';
import { makeRoundData } from '../src/data/pairs.js';
import { type BackendName, initBackend } from '../src/engine/backend.js';
import { registerWasmTrainingKernels, restoreStockWasmKernels } from '../src/engine/wasm-kernels.js';
import { Params } from '../src/models/layers.js';
import { MODEL_NAMES, MODELS, type ModelName, SEED_MODELS } from '../src/models/registry.js';
import { makeRng } from '../src/rng.js';
import { errorPercent } from '../src/train/evaluate.js';
import { trainEpoch } from '../src/train/fit.js';

export interface KernelRow {
  kernel: string;
  /** Milliseconds per training step (or per evaluation), summed over the kernel's calls. */
  ms: number;
  /** Calls per step (or per evaluation). */
  calls: number;
}

export interface ModeProfile {
  mode: string;
  /** Median wall ms of a training step, without the profiler. */
  stepMs: number;
  /** Sum of the profiled kernel times per step (the rest is JS overhead: tape, tidy, optimiser glue). */
  kernelMsPerStep: number;
  train: KernelRow[];
  /** Median wall ms of one per-epoch evaluation (train + test error), without the profiler. */
  evalMs: number;
  eval: KernelRow[];
}

export interface ModelProfile {
  model: ModelName;
  modes: ModeProfile[];
}

interface Mode {
  name: string;
  /** Installs this mode's kernels. */
  apply(): void;
}

const OURS: Mode = { name: 'after', apply: registerWasmTrainingKernels };
/** The kernel set this work started from: stock tfjs-wasm plus our conv backprop kernels. */
const BEFORE: Mode = {
  name: 'before',
  apply: () => restoreStockWasmKernels(['Conv2DBackpropFilter', 'Conv2DBackpropInput']),
};

/**
 * Per-kernel totals of the kernels `fn` runs, divided by `per`. (tf.profile hands back one
 * shared object that its next call overwrites, so it is read at once.)
 */
async function profileKernels(fn: () => void, per: number): Promise<KernelRow[]> {
  const info = await tf.profile(fn);
  const rows = new Map<string, KernelRow>();
  for (const k of info.kernels) {
    const row = rows.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0 };
    row.ms += (k.kernelTimeMs as number) / per;
    row.calls += 1 / per;
    rows.set(k.name, row);
  }
  return [...rows.values()].sort((a, b) => b.ms - a.ms);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Profiles one model under each mode: a warm-up epoch per mode, `epochs` timed epochs per
 * mode (interleaved), then one profiled epoch and evaluation per mode.
 */
export async function profileModel(name: ModelName, epochs: number, modes: Mode[]): Promise<ModelProfile> {
  const config = parseConfig({ models: [name] });
  const data = makeRoundData(loadEmbeddedPools(), config.pairs, 0);
  const spec = MODELS[name];
  const params = new Params(makeRng(0, `init:${name}`));
  const forward = spec.build(params);
  const rng = makeRng(0, `train:${name}`);
  const optimizer = tf.train.adam(spec.hyper.learningRate, 0.9, 0.999, 1e-8);
  const use = (mode: Mode) => mode.apply();
  const steps = Math.ceil(config.pairs / config.batchSize);
  const epoch = () => trainEpoch(forward, params, optimizer, data.train, spec.hyper.batchSize ?? config.batchSize, spec.hyper, rng);
  const evaluate = () => [errorPercent(forward, data.train, rng), errorPercent(forward, data.test, rng)];
  const samples = modes.map(() => ({ step: [] as number[], eval: [] as number[] }));
  try {
    for (const mode of modes) {
      use(mode);
      epoch(); // warm-up: Adam's slots, XNNPACK operators, wasm heap growth
      evaluate();
    }
    for (let e = 0; e < epochs; e++) {
      for (const [m, mode] of modes.entries()) {
        use(mode);
        let t0 = performance.now();
        epoch();
        samples[m]!.step.push((performance.now() - t0) / steps);
        t0 = performance.now();
        evaluate();
        samples[m]!.eval.push(performance.now() - t0);
      }
    }
    const results: ModeProfile[] = [];
    for (const [m, mode] of modes.entries()) {
      use(mode);
      const train = await profileKernels(() => void epoch(), steps);
      const evalRows = await profileKernels(() => void evaluate(), 1);
      results.push({
        mode: mode.name,
        stepMs: median(samples[m]!.step),
        kernelMsPerStep: train.reduce((s, r) => s + r.ms, 0),
        train,
        evalMs: median(samples[m]!.eval),
        eval: evalRows,
      });
    }
    return { model: name, modes: results };
  } finally {
    OURS.apply();
    optimizer.dispose();
    params.dispose();
  }
}

/** Kernel rows of every mode side by side, by the largest time in any mode. */
function printRows(tables: KernelRow[][], top: number): void {
  const names = new Map<string, number>();
  for (const rows of tables) for (const r of rows) names.set(r.kernel, Math.max(names.get(r.kernel) ?? 0, r.ms));
  const order = [...names.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const cell = (rows: KernelRow[], k: string) => {
    const r = rows.find((x) => x.kernel === k);
    return r === undefined ? '—'.padStart(19) : `${r.ms.toFixed(2).padStart(8)} ms ×${r.calls.toFixed(1).padStart(5)}`;
  };
  for (const k of order.slice(0, top)) console.log(`  ${k.padEnd(26)} ${tables.map((rows) => cell(rows, k)).join('   ')}`);
  const rest = order.slice(top);
  if (rest.length > 0) {
    const sums = tables.map((rows) => rows.filter((r) => rest.includes(r.kernel)).reduce((s, r) => s + r.ms, 0));
    console.log(`  ${`(${rest.length} others)`.padEnd(26)} ${sums.map((s) => `${s.toFixed(2).padStart(8)} ms       `).join('   ')}`);
  }
  const totals = tables.map((rows) => rows.reduce((s, r) => s + r.ms, 0));
  console.log(`  ${'total (kernels)'.padEnd(26)} ${totals.map((s) => `${s.toFixed(2).padStart(8)} ms       `).join('   ')}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: SEED_MODELS.join(',') },
      epochs: { type: 'string', default: '3' },
      top: { type: 'string', default: '25' },
      backend: { type: 'string', default: 'wasm' },
      compare: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const models = values.models.split(',').map((m) => m.trim()) as ModelName[];
  for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`unknown model ${m}; valid: ${MODEL_NAMES.join(', ')}`);
  if (values.compare && values.backend !== 'wasm') throw new Error('--compare needs the wasm backend');
  // The profiler reads every kernel's output back to check for NaNs unless told not to.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  await initBackend(values.backend as BackendName);
  const modes = values.compare ? [BEFORE, OURS] : [{ name: values.backend, apply: () => {} }];
  const profiles: ModelProfile[] = [];
  for (const model of models) {
    const p = await profileModel(model, Number(values.epochs), modes);
    profiles.push(p);
    const names = p.modes.map((m) => m.mode).join(' | ');
    console.log(`\n${model}: training step, ms (${names}): wall ${p.modes.map((m) => m.stepMs.toFixed(1)).join(' | ')}`);
    console.log(`  kernel ms per step (profiled)   ${p.modes.map((m) => m.mode.padStart(19)).join('   ')}`);
    printRows(
      p.modes.map((m) => m.train),
      Number(values.top),
    );
    console.log(`${model}: per-epoch evaluation, ms (${names}): wall ${p.modes.map((m) => m.evalMs.toFixed(1)).join(' | ')}`);
    printRows(
      p.modes.map((m) => m.eval),
      8,
    );
  }
  console.log(`\ntensors alive at exit: ${tf.memory().numTensors}`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(profiles, null, 2)}\n`);
}

await main();
