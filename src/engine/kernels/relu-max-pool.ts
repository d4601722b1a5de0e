/**
 * 'ReluMaxPool': MaxPool(k) (stride k, 'valid', floor mode) of Relu(x), NHWC, the CNN's
 * "→ ReLU → max-pool" in training, and 'ReluMaxPoolGrad', its gradient. Registered for wasm
 * and cpu.
 *
 * Why: run as tfjs ops, a training step makes four full-size passes over each conv block's
 * output for these two layers (Relu, MaxPool, MaxPoolGrad, ReluGrad) and keeps two full-size
 * intermediates; fused, the forward reads x once and the gradient writes dx once.
 *
 * The same numbers, bit for bit, as the unfused ops: the forward is max(0, window) (Relu's
 * +0 for −0 and negatives, then the window's maximum), and the gradient routes dy to the first
 * maximum of relu(x) in each window, then multiplies by step(x) as ReluGrad does. wasm SIMD runs
 * both with the window unrolled (../simd/kernels.ts, reluPool) for 2 × 2 and 3 × 3 windows and
 * C a multiple of 4; JavaScript everything else. One difference, on NaN only: a NaN in a row or
 * column no window covers gets a 0 gradient from the SIMD loop (NaN unfused); by then the loss
 * is NaN and the round is recorded as diverged either way.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { engine, type GradConfig, type KernelFunc, type NamedAttrMap, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { heapAddress, RELU_POOL_SIZES, type SimdKernels, simdKernels } from '../simd/kernels.js';
import { type HostBackendName, hostKernelConfigs, hostMemory } from './host-memory.js';
import { zeroUncovered } from './max-pool-grad.js';
import { reluGradLoop, reluOf } from './relu.js';

export const ReluMaxPool = 'ReluMaxPool';
export const ReluMaxPoolGrad = 'ReluMaxPoolGrad';

export interface ReluMaxPoolAttrs {
  /** Window size and stride. */
  k: number;
}

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: NamedAttrMap };

/** The pooled shape of NHWC `shape` with windows of k × k. */
export function pooledShape([count, height, width, channels]: number[], k: number): number[] {
  return [count!, Math.floor(height! / k), Math.floor(width! / k), channels!];
}

/** y = MaxPool(k)(Relu(x)) in plain JavaScript: max(0, …) as the inference tail's loop. */
export function reluMaxPoolLoop(x: Float32Array, y: Float32Array, [count, H, W, C]: number[], k: number): void {
  const [OH, OW] = [Math.floor(H! / k), Math.floor(W! / k)];
  let out = 0;
  for (let n = 0; n < count!; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, out += C!) {
        for (let c = 0; c < C!; c++) {
          let m = 0;
          for (let kh = 0; kh < k; kh++) {
            for (let kw = 0; kw < k; kw++) m = Math.max(m, reluOf(x[((n * H! + oh * k + kh) * W! + ow * k + kw) * C! + c]!));
          }
          y[out + c] = m;
        }
      }
    }
  }
}

/** dx (every value written) = the gradient of MaxPool(k)(Relu(x)) for upstream dy, in plain JavaScript. */
export function reluMaxPoolGradLoop(x: Float32Array, dy: Float32Array, dx: Float32Array, [count, H, W, C]: number[], k: number): void {
  const [OH, OW] = [Math.floor(H! / k), Math.floor(W! / k)];
  dx.fill(0);
  let g = 0;
  for (let n = 0; n < count!; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, g += C!) {
        for (let c = 0; c < C!; c++) {
          let [best, at] = [-Infinity, -1];
          for (let kh = 0; kh < k; kh++) {
            for (let kw = 0; kw < k; kw++) {
              const i = ((n * H! + oh * k + kh) * W! + ow * k + kw) * C! + c;
              const r = reluOf(x[i]!);
              if (r > best) [best, at] = [r, i];
            }
          }
          if (at >= 0) dx[at] = dy[g + c]!;
        }
      }
    }
  }
  reluGradLoop(dx, x, dx, 0); // what MaxPoolGrad left, times step(x), in place
}

/** The unrolled SIMD loops, when they cover this pool. */
function simdFor(name: HostBackendName, backend: unknown, x: TensorInfo, k: number): SimdKernels | null {
  const covered = name === 'wasm' && routes.simd && x.shape[3]! % 4 === 0 && (RELU_POOL_SIZES as readonly number[]).includes(k);
  return covered ? simdKernels(backend as BackendWasm) : null;
}

function forward(name: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const { k } = args.attrs as unknown as ReluMaxPoolAttrs;
    const mem = hostMemory(name, args.backend as never);
    const y = mem.alloc(pooledShape(x.shape, k));
    const simd = simdFor(name, args.backend, x, k);
    if (simd === null) {
      reluMaxPoolLoop(mem.view(x), mem.view(y), x.shape, k);
      return y;
    }
    const at = (t: TensorInfo) => heapAddress(args.backend as BackendWasm, t.dataId);
    simd[`reluMaxPool${k}`]!(at(x), at(y), ...x.shape);
    return y;
  }) as unknown as KernelFunc;
}

function backward(name: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { dy, x } = args.inputs as Record<'dy' | 'x', TensorInfo>;
    const { k } = args.attrs as unknown as ReluMaxPoolAttrs;
    const mem = hostMemory(name, args.backend as never);
    const dx = mem.alloc(x.shape); // before any view: allocating can grow the wasm heap
    const simd = simdFor(name, args.backend, x, k);
    if (simd === null) {
      reluMaxPoolGradLoop(mem.view(x), mem.view(dy), mem.view(dx), x.shape, k);
      return dx;
    }
    const [, OH, OW] = pooledShape(x.shape, k) as [number, number, number];
    zeroUncovered(mem.view(dx), x.shape, OH * k, OW * k); // the loop writes every position a window covers
    const at = (t: TensorInfo) => heapAddress(args.backend as BackendWasm, t.dataId);
    simd[`reluMaxPoolGrad${k}`]!(at(x), at(dy), at(dx), ...x.shape);
    return dx;
  }) as unknown as KernelFunc;
}

export const reluMaxPoolGradConfig: GradConfig = {
  kernelName: ReluMaxPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => ({
    x: () => engine().runKernel(ReluMaxPoolGrad, { dy: dy as Tensor, x: saved[0]! }, attrs) as Tensor,
  }),
};

/** Both kernels for `backend` (new names: nothing replaced). */
export const reluMaxPoolKernelConfigs = (backend: HostBackendName) => hostKernelConfigs(backend, { [ReluMaxPool]: forward, [ReluMaxPoolGrad]: backward });
