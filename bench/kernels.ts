/**
 * Times our wasm training kernels against the forward XNNPACK Conv2D (and the stock
 * Conv2DBackpropInput) on the conv shapes our models train with.
 *   npm run build && node dist/bench/kernels.js
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend.js';
import { chooseStrategy } from '../src/engine/kernels/conv2d-backprop-filter.js';
import { type FilterGradStrategy, setRoutes } from '../src/engine/routes.js';

type Shape = [number, number, number, number];

const SHAPES: { x: Shape; w: Shape; pad: number }[] = [];
for (const n of [100, 200]) {
  SHAPES.push(
    { x: [n, 14, 14, 1], w: [5, 5, 1, 32], pad: 2 },
    { x: [n, 14, 14, 2], w: [5, 5, 2, 32], pad: 2 },
    { x: [n, 4, 4, 32], w: [3, 3, 32, 64], pad: 3 },
    { x: [n, 4, 4, 64], w: [3, 3, 64, 32], pad: 3 },
    { x: [n, 4, 4, 32], w: [5, 5, 32, 16], pad: 3 },
  );
}

/** Median ms per call of `fn` (which must free what it makes), after warm-up. */
function time(fn: () => void): number {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 10 || (performance.now() - start < 400 && samples.length < 200)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

async function main(): Promise<void> {
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm'); // before ours replaces it
  await initBackend('wasm');
  const backend = tf.backend() as BackendWasm;

  const rows: string[][] = [['x', 'W', 'pad', 'Conv2D fwd', 'dW ours', '(dy-as-filter', 'x-as-filter)', 'dx ours', 'dx stock', 'dx speed-up']];
  for (const { x: xShape, w: wShape, pad } of SHAPES) {
    const x = tf.randomUniform(xShape, -1, 1) as tf.Tensor4D;
    const w = tf.randomUniform(wShape, -1, 1) as tf.Tensor4D;
    const y = tf.conv2d(x, w, 1, pad);
    const dy = tf.randomUniform(y.shape, -1, 1) as tf.Tensor4D;
    y.dispose();
    const common = { strides: [1, 1], pad, dataFormat: 'NHWC' };
    const inputAttrs = { ...common, inputShape: xShape } as unknown as tf.NamedAttrMap;
    const filterAttrs = { ...common, filterShape: wShape } as unknown as tf.NamedAttrMap;

    const fwd = time(() => tf.conv2d(x, w, 1, pad).dispose());
    const runDW = () => (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, filterAttrs) as tf.Tensor).dispose();
    const dW = time(runDW);
    const byStrategy = (['dy-as-filter', 'x-as-filter'] as FilterGradStrategy[]).map((s) => {
      setRoutes({ filterGradStrategy: s });
      const ms = time(runDW);
      setRoutes({ filterGradStrategy: undefined });
      return ms;
    });
    const info = tf.backend_util.computeConv2DInfo(xShape, wShape, 1, 1, pad);
    const mark = (s: FilterGradStrategy, ms: number) => `${chooseStrategy(info) === s ? '*' : ''}${ms.toFixed(2)}`;
    const dx = time(() => (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, inputAttrs) as tf.Tensor).dispose());
    const dxStock =
      stockInput === undefined
        ? NaN
        : time(() => {
            const out = stockInput.kernelFunc({ inputs: { dy, filter: w }, backend, attrs: inputAttrs });
            backend.disposeData((out as tf.TensorInfo).dataId);
          });
    rows.push([
      `[${xShape}]`,
      `[${wShape}]`,
      String(pad),
      fwd.toFixed(2),
      dW.toFixed(2),
      mark('dy-as-filter', byStrategy[0]!),
      mark('x-as-filter', byStrategy[1]!),
      dx.toFixed(2),
      dxStock.toFixed(2),
      `${(dxStock / dx).toFixed(1)}×`,
    ]);
    tf.dispose([x, w, dy]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log(`ms per call (median), wasm backend, ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD'}`);
  for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c]!)).join('  '));
  console.log('(* = strategy the kernel picks)');
  console.log(`leftover tensors: ${tf.memory().numTensors}`);
}

await main();
