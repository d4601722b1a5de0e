/**
 * Sum for the wasm backend when it reduces every axis but the last (a bias gradient: Σ over
 * N, H, W of dy). The stock kernel first transposes the whole tensor so the reduced axes are
 * innermost; ours sums channel-last rows directly with the SIMD pass of ./channel-ops.ts.
 * Every other reduction goes to the stock kernel.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, Sum, type SumAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { channelOps } from './channel-ops.js';
import { hostMemory } from './host-memory.js';
import { runStockKernel, stockSetup } from './wasm-ops.js';

/** True if `axes` are exactly 0 … rank − 2 (every axis but the last). */
function reducesAllButLast(axes: number[], rank: number): boolean {
  if (rank < 2 || axes.length !== rank - 1) return false;
  return [...axes].sort((a, b) => a - b).every((axis, i) => axis === i);
}

function sum(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x } = inputs;
  const rank = x.shape.length;
  const channels = x.shape[rank - 1] ?? 1;
  const axes = util.parseAxisParam(attrs.axis, x.shape);
  if (!routes.simd || x.dtype !== 'float32' || channels % 4 !== 0 || !reducesAllButLast(axes, rank) || util.sizeFromShape(x.shape) === 0) {
    return runStockKernel(Sum, args as unknown as Parameters<KernelFunc>[0]);
  }
  const mem = hostMemory('wasm', backend);
  const out = mem.alloc(attrs.keepDims ? [...Array(rank - 1).fill(1), channels] : [channels]);
  const { first } = channelOps('wasm', backend, channels).sums(x, new Float32Array(channels));
  mem.view(out).set(first);
  return out;
}

export const sumWasmConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: sum as unknown as KernelFunc,
  setupFunc: stockSetup(Sum), // other reductions go to the stock kernel
};
