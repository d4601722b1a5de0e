/**
 * Where a training step's time goes, per kernel: runs the real `trainEpoch` (one epoch of
 * `pairs / batch size` steps) and the per-epoch evaluation (`errorPercent` on the train and
 * test sets) under `tf.profile`, and prints each kernel's ms per training step / per
 * evaluation, largest first, beside wall times measured without the profiler; matrix kernels
 * also with their useful GFLOP/s and its share of this machine's measured wasm SIMD peak.
 *
 *   npm run build && node dist/bench/profile.js [--models cnn,cnn-aux] [--epochs 3] [--top 25]
 *     [--compare | --fast] [--protocol report|authors-code] [--backend wasm|cpu] [--json OUT]
 *
 * --fast alternates the same way between exact mode and fast mode (fused multiply-add).
 * --protocol authors-code trains with that protocol's recipes (the aux models' 50-pair batches).
 * --compare alternates, epoch by epoch on the same model, between the wasm kernels this
 * project started from ("before": stock tfjs-wasm plus our Conv2DBackpropFilter/Input) and
 * all of ours ("after"), so both see the same machine load; it prints medians side by side.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, initBackend } from '../src/engine/backend.js';
import { PROTOCOLS, type Protocol } from '../src/models/protocols.js';
import { isBuiltIn, MODEL_NAMES, type ModelName, SEED_MODELS } from '../src/models/registry.js';
import { BEFORE, FAST, kernelLines, type ModelProfile, OURS, profileModel } from './kernel-profile.js';
import { machineLine, thisMachine } from './machine.js';
import { measurePeak } from './peak.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: SEED_MODELS.join(',') },
      epochs: { type: 'string', default: '3' },
      top: { type: 'string', default: '25' },
      backend: { type: 'string', default: 'wasm' },
      compare: { type: 'boolean', default: false },
      fast: { type: 'boolean', default: false },
      protocol: { type: 'string', default: 'report' },
      json: { type: 'string' },
    },
  });
  const models = values.models.split(',').map((m) => m.trim()) as ModelName[];
  for (const m of models) if (!isBuiltIn(m)) throw new Error(`unknown model ${m}; valid: ${MODEL_NAMES.join(', ')}`);
  if ((values.compare || values.fast) && values.backend !== 'wasm') throw new Error('--compare and --fast need the wasm backend');
  if (values.compare && values.fast) throw new Error('--compare and --fast: one at a time');
  if (!(PROTOCOLS as readonly string[]).includes(values.protocol)) throw new Error(`unknown protocol ${values.protocol}; valid: ${PROTOCOLS.join(', ')}`);
  // The profiler reads every kernel's output back to check for NaNs unless told not to.
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  await initBackend(values.backend as BackendName);
  const modes = values.compare ? [BEFORE, OURS] : values.fast ? [OURS, FAST] : [{ name: values.backend, apply: () => {} }];
  console.log(machineLine(thisMachine()));
  const peak = measurePeak();
  console.log(
    `wasm SIMD peak on this machine: ${peak.mulAdd.toFixed(1)} GFLOP/s (f32x4 mul + add)${peak.fused ? `, ${peak.fused.toFixed(1)} (relaxed fused multiply-add)` : ''}`,
  );
  const profiles: ModelProfile[] = [];
  for (const model of models) {
    const p = await profileModel(model, Number(values.epochs), modes, values.protocol as Protocol);
    profiles.push(p);
    const names = p.modes.map((m) => m.mode).join(' | ');
    console.log(`\n${model}: training step, ms (${names}): wall ${p.modes.map((m) => m.stepMs.toFixed(1)).join(' | ')}`);
    console.log(`  kernel ms per step (profiled)   ${p.modes.map((m) => m.mode.padStart(19)).join('   ')}`);
    for (const line of kernelLines(
      p.modes.map((m) => m.train),
      Number(values.top),
      peak.mulAdd,
    ))
      console.log(line);
    console.log(`${model}: per-epoch evaluation, ms (${names}): wall ${p.modes.map((m) => m.evalMs.toFixed(1)).join(' | ')}`);
    for (const line of kernelLines(
      p.modes.map((m) => m.eval),
      8,
      peak.mulAdd,
    ))
      console.log(line);
  }
  console.log(`\ntensors alive at exit: ${tf.memory().numTensors}`);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(profiles, null, 2)}\n`);
}

await main();
