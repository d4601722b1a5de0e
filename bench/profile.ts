/**
 * Where a training step's time goes, per kernel: runs the real `trainEpoch` (one epoch of
 * `--pairs / --batch-size` steps) and the per-epoch evaluation (`errorPercent` on the train
 * and test sets) under `tf.profile`, and prints each kernel's ms per training step / per
 * evaluation, largest first, beside the step's wall time measured without the profiler.
 *
 *   npm run build && node dist/bench/profile.js [--models cnn,cnn-aux] [--epochs 3] [--top 25]
 *     [--backend wasm|cpu] [--json OUT]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../src/config.js';
import { loadEmbeddedPools } from '../src/data/mnist.js';
import { makeRoundData } from '../src/data/pairs.js';
import { initBackend, type BackendName } from '../src/engine/backend.js';
import { Params } from '../src/models/layers.js';
import { MODEL_NAMES, MODELS, SEED_MODELS, type ModelName } from '../src/models/registry.js';
import { errorPercent, trainEpoch } from '../src/train/round.js';
import { makeRng } from '../src/rng.js';

export interface KernelRow {
  kernel: string;
  /** Milliseconds per training step (or per evaluation), summed over the kernel's calls. */
  ms: number;
  /** Calls per step (or per evaluation). */
  calls: number;
}

export interface ModelProfile {
  model: ModelName;
  /** Median wall ms of a training step, without the profiler. */
  stepMs: number;
  /** Sum of the profiled kernel times per step (the rest is JS overhead: tape, tidy, optimiser glue). */
  kernelMsPerStep: number;
  train: KernelRow[];
  /** Median wall ms of one per-epoch evaluation (train + test error), without the profiler. */
  evalMs: number;
  eval: KernelRow[];
}

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

/** Profiles one model: warm-up epoch, `epochs` timed epochs, then one profiled epoch and evaluation. */
export async function profileModel(name: ModelName, epochs: number): Promise<ModelProfile> {
  const config = parseConfig({ models: [name] });
  const data = makeRoundData(loadEmbeddedPools(), config.pairs, 0);
  const spec = MODELS[name];
  const params = new Params(makeRng(0, `init:${name}`));
  const forward = spec.build(params);
  const rng = makeRng(0, `train:${name}`);
  const optimizer = tf.train.adam(spec.hyper.learningRate, 0.9, 0.999, 1e-8);
  const steps = Math.ceil(config.pairs / config.batchSize);
  const epoch = () => trainEpoch(forward, params, optimizer, data.train, config, spec.hyper, rng);
  const evaluate = () => [errorPercent(forward, data.train, rng), errorPercent(forward, data.test, rng)];
  try {
    epoch(); // warm-up: Adam's slots, XNNPACK operators, wasm heap growth
    evaluate();
    const stepSamples: number[] = [];
    const evalSamples: number[] = [];
    for (let e = 0; e < epochs; e++) {
      let t0 = performance.now();
      epoch();
      stepSamples.push((performance.now() - t0) / steps);
      t0 = performance.now();
      evaluate();
      evalSamples.push(performance.now() - t0);
    }
    const train = await profileKernels(() => void epoch(), steps);
    const evalRows = await profileKernels(() => void evaluate(), 1);
    return {
      model: name,
      stepMs: median(stepSamples),
      kernelMsPerStep: train.reduce((s, r) => s + r.ms, 0),
      train,
      evalMs: median(evalSamples),
      eval: evalRows,
    };
  } finally {
    optimizer.dispose();
    params.dispose();
  }
}

function printRows(rows: KernelRow[], top: number): void {
  const total = rows.reduce((s, r) => s + r.ms, 0);
  for (const r of rows.slice(0, top)) {
    console.log(
      `  ${r.kernel.padEnd(26)} ${r.ms.toFixed(2).padStart(8)} ms ${((100 * r.ms) / total).toFixed(1).padStart(5)}%  ${r.calls.toFixed(1).padStart(6)} calls`,
    );
  }
  const rest = rows.slice(top);
  if (rest.length > 0) {
    console.log(`  ${`(${rest.length} others)`.padEnd(26)} ${rest.reduce((s, r) => s + r.ms, 0).toFixed(2).padStart(8)} ms`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: SEED_MODELS.join(',') },
      epochs: { type: 'string', default: '3' },
      top: { type: 'string', default: '25' },
      backend: { type: 'string', default: 'wasm' },
      json: { type: 'string' },
    },
  });
  const models = values.models.split(',').map((m) => m.trim()) as ModelName[];
  for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`unknown model ${m}; valid: ${MODEL_NAMES.join(', ')}`);
  // The profiler reads every kernel's output back to check for NaNs unless told not to.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  await initBackend(values.backend as BackendName);
  const profiles: ModelProfile[] = [];
  for (const model of models) {
    const p = await profileModel(model, Number(values.epochs));
    profiles.push(p);
    console.log(
      `\n${model} (${values.backend}): training step ${p.stepMs.toFixed(1)} ms wall, ${p.kernelMsPerStep.toFixed(1)} ms in kernels (profiled)`,
    );
    printRows(p.train, Number(values.top));
    const evalKernelMs = p.eval.reduce((s, r) => s + r.ms, 0);
    console.log(`${model}: per-epoch evaluation ${p.evalMs.toFixed(1)} ms wall, ${evalKernelMs.toFixed(1)} ms in kernels`);
    printRows(p.eval, 8);
  }
  console.log(`\ntensors alive at exit: ${tf.memory().numTensors}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(profiles, null, 2) + '\n');
}

await main();
