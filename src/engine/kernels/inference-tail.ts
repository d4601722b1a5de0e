/**
 * 'FusedInferenceTail' (wasm): an inference layer's tail, bias + batch norm (running
 * statistics) + ReLU + max-pool, in one pass over the layer's output instead of four (Add,
 * FusedBatchNorm, Relu, MaxPool). Each is a full read and write of a tensor that per-epoch
 * evaluation makes ~2000 pairs deep: 81 of 393 ms of a cnn-aux evaluation on this machine
 * before fusing the first three; with the pool, only the pooled output is written.
 *
 * Exact: every step is rounded to float32 where the separate kernels round it, so the output
 * equals theirs bit for bit (../ops/inference-tail.test.ts) and evaluation, fused or not, gives
 * the same errors. Batch norm, ReLU and the pool (after a ReLU only) are each optional (attrs
 * `batchNorm`, `relu`, `pool`).
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { inferenceCoefficients } from './batch-norm.js';
import { channelOps } from './channel-ops.js';
import { hostMemory } from './host-memory.js';

export const FusedInferenceTail = 'FusedInferenceTail';

export interface FusedInferenceTailAttrs {
  /** Inputs mean, variance, scale, offset are present (else: only the bias). */
  batchNorm: boolean;
  varianceEpsilon: number;
  relu: boolean;
  /** MaxPool(pool) after the ReLU (stride pool, no padding, floor; NHWC x), or 0 for none. */
  pool: number;
}

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: unknown };

function fusedInferenceTail(args: Args): TensorInfo {
  const { x, bias, mean, variance, scale, offset } = args.inputs;
  const { batchNorm, varianceEpsilon, relu, pool } = args.attrs as FusedInferenceTailAttrs;
  const channels = x!.shape[x!.shape.length - 1] ?? 1;
  const mem = hostMemory('wasm', args.backend as never);
  const [count, h, w] = x!.shape;
  const y = mem.alloc(pool ? [count!, Math.floor(h! / pool), Math.floor(w! / pool), channels] : x!.shape);
  const copy = (t: TensorInfo) => mem.view(t).slice(); // per-channel values, safe across heap growth
  const { a, b } = batchNorm
    ? inferenceCoefficients(copy(mean!), copy(variance!), copy(offset!), copy(scale!), varianceEpsilon)
    : { a: new Float32Array(channels).fill(1), b: new Float32Array(channels) }; // (t·1 + 0) = t, but −0 → +0: only used with relu
  const ops = channelOps('wasm', args.backend as never, channels);
  if (pool) ops.biasAffineReluPool(x!, y, copy(bias!), a, b, pool);
  else ops.biasAffine(x!, y, copy(bias!), a, b, relu);
  return y;
}

/** The kernel for wasm (a new name: nothing replaced). */
export const fusedInferenceTailWasmConfig: KernelConfig = {
  kernelName: FusedInferenceTail,
  backendName: 'wasm',
  kernelFunc: fusedInferenceTail as unknown as KernelFunc,
};
