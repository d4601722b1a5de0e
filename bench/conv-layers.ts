/**
 * Each convolution kernel of a CNN-aux training step, layer by layer: Conv2D, Conv2DBackpropFilter
 * and Conv2DBackpropInput on the shapes of the seed's CNN tower (Table II), the fastest of N calls
 * (on a shared virtual machine the median moves by 2× from run to run; the fastest moves little),
 * useful GFLOP/s (products that land on zero padding not counted) and share of this machine's
 * wasm SIMD peak. bench/profile.ts sums them per kernel; this says which layer to work on.
 *
 *   npm run build && node dist/bench/conv-layers.js [--batch 200] [--repeats 60] [--fast]
 *
 * --fast times each layer in exact mode and in fast mode (fused multiply-add) one after the
 * other, fast mode's share against the fused peak.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend.js';
import { setRoutes } from '../src/engine/routes.js';
import { fusedKernelsAvailable } from '../src/engine/simd/kernels.js';
import { machineLine, thisMachine } from './machine.js';
import { measurePeak } from './peak.js';

/** The CNN tower's convolutions (src/models/towers.ts): input side, channels in → out, kernel, padding. */
export const CNN_LAYERS = [
  { name: 'conv1', size: 14, inChannels: 1, outChannels: 32, kernel: 5, pad: 2 },
  { name: 'conv2', size: 4, inChannels: 32, outChannels: 64, kernel: 3, pad: 3 },
  { name: 'conv3', size: 4, inChannels: 64, outChannels: 32, kernel: 3, pad: 3 },
  { name: 'conv4', size: 4, inChannels: 32, outChannels: 16, kernel: 5, pad: 3 },
] as const;

type Layer = (typeof CNN_LAYERS)[number];

/** Multiply-adds whose input is inside the image (the useful ones), ×2 flops. */
function usefulFlops(layer: Layer, batch: number): number {
  const out = layer.size + 2 * layer.pad - layer.kernel + 1;
  let taps = 0;
  for (let oh = 0; oh < out; oh++)
    for (let ow = 0; ow < out; ow++)
      for (let kh = 0; kh < layer.kernel; kh++)
        for (let kw = 0; kw < layer.kernel; kw++) {
          const [ih, iw] = [oh + kh - layer.pad, ow + kw - layer.pad];
          if (ih >= 0 && ih < layer.size && iw >= 0 && iw < layer.size) taps++;
        }
  return 2 * batch * taps * layer.inChannels * layer.outChannels;
}

/** The fastest ms of `run` (its result disposed) over `repeats` calls, after two warm-up calls. */
function time(run: () => tf.Tensor, repeats: number): number {
  const ms: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const t0 = performance.now();
    const out = run();
    out.dataSync(); // wasm is synchronous; this only makes the end explicit
    const t = performance.now() - t0;
    out.dispose();
    if (i >= 2) ms.push(t);
  }
  return Math.min(...ms);
}

export function timeLayer(layer: Layer, batch: number, repeats: number) {
  const out = layer.size + 2 * layer.pad - layer.kernel + 1;
  const x = tf.randomNormal([batch, layer.size, layer.size, layer.inChannels], 0, 1, 'float32', 1);
  const w = tf.randomNormal([layer.kernel, layer.kernel, layer.inChannels, layer.outChannels], 0, 1, 'float32', 2);
  const dy = tf.randomNormal([batch, out, out, layer.outChannels], 0, 1, 'float32', 3);
  const pad = [
    [0, 0],
    [layer.pad, layer.pad],
    [layer.pad, layer.pad],
    [0, 0],
  ] as [[number, number], [number, number], [number, number], [number, number]];
  const attrs = { strides: [1, 1], pad, dataFormat: 'NHWC', dimRoundingMode: undefined };
  const engine = tf.engine();
  const ms = {
    Conv2D: time(() => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, pad), repeats),
    Conv2DBackpropFilter: time(() => engine.runKernel('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: w.shape } as never) as tf.Tensor, repeats),
    Conv2DBackpropInput: time(
      () => engine.runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: x.shape } as never) as tf.Tensor,
      repeats,
    ),
  };
  tf.dispose([x, w, dy]);
  return { layer: layer.name, flops: usefulFlops(layer, batch), ms };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { batch: { type: 'string', default: '200' }, repeats: { type: 'string', default: '60' }, fast: { type: 'boolean', default: false } },
  });
  await initBackend('wasm');
  console.log(machineLine(thisMachine()));
  const peak = measurePeak();
  if (values.fast && !(fusedKernelsAvailable() && peak.fused)) throw new Error('--fast: this runtime has no relaxed SIMD');
  const modes = values.fast ? [false, true] : [false];
  const batch = Number(values.batch);
  console.log(
    `wasm SIMD peak ${peak.mulAdd.toFixed(1)} GFLOP/s${peak.fused ? ` (fused ${peak.fused.toFixed(1)})` : ''}; batch ${batch} images (a CNN-aux step of 100 pairs)`,
  );
  console.log('layer  kernel                 mode      ms   GFLOP/s  share of peak');
  for (const layer of CNN_LAYERS) {
    for (const fast of modes) {
      setRoutes({ fast });
      const r = timeLayer(layer, batch, Number(values.repeats));
      const top = fast ? peak.fused! : peak.mulAdd;
      for (const [kernel, ms] of Object.entries(r.ms)) {
        const gflops = r.flops / ms / 1e6;
        console.log(
          `${r.layer}  ${kernel.padEnd(22)} ${fast ? 'fast ' : 'exact'} ${ms.toFixed(2).padStart(6)}  ${gflops.toFixed(1).padStart(8)}  ${((100 * gflops) / top).toFixed(0).padStart(12)}%`,
        );
      }
    }
  }
  setRoutes({ fast: false });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
