/**
 * Per-kernel profiles of a model's training step and per-epoch evaluation (tf.profile), with
 * each matrix kernel's useful GFLOP/s (./kernel-flops.ts). Used by bench/profile.ts and
 * bench/bench.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../src/config.js';
import { loadPools } from '../src/data/mnist.js';
import { makeRoundData } from '../src/data/pairs.js';
import { registerKernels } from '../src/engine/kernel-list.js';
import { AdamOptimizer } from '../src/engine/optim/adam.js';
import { setRoutes } from '../src/engine/routes.js';
import { fusedKernelsAvailable } from '../src/engine/simd/kernels.js';
import { Params } from '../src/models/layers.js';
import { type Protocol, protocolRecipe } from '../src/models/protocols.js';
import { type ModelName, modelSpec } from '../src/models/registry.js';
import { makeRng } from '../src/rng.js';
import { restoreStockWasmKernels } from '../src/testing/stock-kernels.js';
import { errorPercent } from '../src/train/evaluate.js';
import { trainEpoch } from '../src/train/fit.js';
import { kernelFlops } from './kernel-flops.js';

export interface KernelRow {
  kernel: string;
  /** Milliseconds per training step (or per evaluation), summed over the kernel's calls. */
  ms: number;
  /** Calls per step (or per evaluation). */
  calls: number;
  /** Useful floating-point operations per step (or per evaluation); 0 for kernels that are not matrix products. */
  flops: number;
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

export interface Mode {
  name: string;
  /** Installs this mode's kernels. */
  apply(): void;
}

/** All of our kernels, in exact mode or (where the runtime has relaxed SIMD) fast mode. */
const ours = (name: string, fast: boolean): Mode => ({
  name,
  apply: () => {
    registerKernels('wasm');
    setRoutes({ fast: fast && fusedKernelsAvailable() });
  },
});
export const OURS = ours('after', false);
/** Ours in fast mode (fused multiply-add). */
export const FAST = ours('fast', true);
/** The kernel set this work started from: stock tfjs-wasm plus our conv backprop kernels. */
export const BEFORE: Mode = {
  name: 'before',
  apply: () => restoreStockWasmKernels(['Conv2DBackpropFilter', 'Conv2DBackpropInput']),
};

/**
 * Per-kernel totals of the kernels `fn` runs, divided by `per`. (tf.profile hands back one
 * shared object that its next call overwrites, so it is read at once.)
 */
export async function profileKernels(fn: () => void, per: number): Promise<KernelRow[]> {
  const info = await tf.profile(fn);
  const rows = new Map<string, KernelRow>();
  for (const k of info.kernels) {
    const row = rows.get(k.name) ?? { kernel: k.name, ms: 0, calls: 0, flops: 0 };
    row.ms += (k.kernelTimeMs as number) / per;
    row.calls += 1 / per;
    row.flops += kernelFlops(k.name, k.inputShapes, k.outputShapes) / per;
    rows.set(k.name, row);
  }
  return [...rows.values()].sort((a, b) => b.ms - a.ms);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Profiles one model under each mode: a warm-up epoch per mode, `epochs` timed epochs per
 * mode (interleaved), then one profiled epoch and evaluation per mode.
 */
export async function profileModel(name: ModelName, epochs: number, modes: Mode[], protocol: Protocol = 'report'): Promise<ModelProfile> {
  const config = parseConfig({ models: [name] });
  const data = makeRoundData(loadPools(null), config.pairs, 0);
  const spec = modelSpec(name);
  const hyper = { ...spec.hyper, ...protocolRecipe(protocol, name) };
  const batchSize = hyper.batchSize ?? config.batchSize;
  const params = new Params(makeRng(0, `init:${name}`));
  const forward = spec.build(params);
  const rng = makeRng(0, `train:${name}`);
  const optimizer = new AdamOptimizer(hyper.learningRate, 0.9, 0.999, 1e-8);
  const use = (mode: Mode) => mode.apply();
  const steps = Math.ceil(config.pairs / batchSize);
  const epoch = () => trainEpoch({ forward, params, optimizer, batchSize, hyper }, data.train, rng);
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

/**
 * Kernel rows of every mode side by side, by the largest time in any mode: ms and calls per step,
 * and for matrix kernels useful GFLOP/s and its share of `peak` (GFLOP/s).
 */
export function kernelLines(tables: KernelRow[][], top: number, peak: number): string[] {
  const names = new Map<string, number>();
  for (const rows of tables) for (const r of rows) names.set(r.kernel, Math.max(names.get(r.kernel) ?? 0, r.ms));
  const order = [...names.entries()].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  const rate = (r: KernelRow) =>
    r.flops > 0
      ? `${(r.flops / (r.ms * 1e6)).toFixed(1).padStart(5)} GF/s ${((100 * r.flops) / (r.ms * 1e6 * peak)).toFixed(0).padStart(3)}%`
      : ''.padStart(15);
  const cell = (rows: KernelRow[], k: string) => {
    const r = rows.find((x) => x.kernel === k);
    return r === undefined ? '—'.padStart(34) : `${r.ms.toFixed(2).padStart(8)} ms ×${r.calls.toFixed(1).padStart(5)} ${rate(r)}`;
  };
  const lines = order.slice(0, top).map((k) => `  ${k.padEnd(26)} ${tables.map((rows) => cell(rows, k)).join('   ')}`);
  const rest = order.slice(top);
  const total = (rows: KernelRow[]) => rows.reduce((s, r) => s + r.ms, 0);
  if (rest.length > 0) {
    const sums = tables.map((rows) => total(rows.filter((r) => rest.includes(r.kernel))));
    lines.push(`  ${`(${rest.length} others)`.padEnd(26)} ${sums.map((s) => `${s.toFixed(2).padStart(8)} ms`.padEnd(34)).join('   ')}`);
  }
  lines.push(`  ${'total (kernels)'.padEnd(26)} ${tables.map((rows) => `${total(rows).toFixed(2).padStart(8)} ms`.padEnd(34)).join('   ')}`);
  return lines;
}
