/**
 * 'BatchNormReluMaxPool' (x, scale, offset) → (y, mean, variance, hits): a conv block's
 * "→ BatchNorm → ReLU → MaxPool(k)" in training as one op, and 'BatchNormReluMaxPoolGrad', its
 * gradient. wasm SIMD only (C a multiple of 4, k in RELU_POOL_SIZES); ../ops runs BatchNormTrain
 * then ReluMaxPool everywhere else.
 *
 * Why: as those two ops, a step makes eleven full-size passes over each conv block's output —
 * the batch statistics, the normalised tensor written and read back by the pool; in the
 * gradient, ReluMaxPoolGrad reading it again and writing dy, the two passes of batch norm's
 * gradient reading dy and x (the first layer's block is 5 MB for a 100-pair step, beyond the L2
 * cache). Fused, the forward reads x twice (statistics, then normalise-ReLU-pool in registers,
 * writing only the pooled y and, per pooled value, the tap of its window's first maximum), and
 * the gradient reads x twice and writes dx once, making dy in registers from the pooled dy and
 * those taps (../simd/kernels.ts, bnReluPool and bnReluPoolGrad).
 *
 * The same numbers, bit for bit, as BatchNormTrain then ReluMaxPool and their gradients: the
 * statistics and coefficients are theirs (./batch-norm.ts), each value is rounded by the same
 * f32x4 instructions, and the sums visit the same values in the same order (the gradient's dy
 * is +0 wherever ReluMaxPoolGrad writes +0). Only a NaN inside a window may come out otherwise,
 * which only a diverged round makes. `hits` is an output for the gradient alone.
 *
 * The gradient kernel also gives Σ dx over every axis but the last, summed in its last pass as
 * the Sum kernel sums (../simd/kernels.ts, bnReluPoolAffine2): the bias gradient of the conv layer
 * before the block, which ./channel-sums.ts hands over instead of a Sum pass over dx.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backend, engine, getBackend, getKernel, type KernelConfig, type KernelFunc, type Tensor, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { heapAddress, RELU_POOL_SIZES, simdKernels } from '../simd/kernels.js';
import type { GradConfigWithUnread } from '../unread-outputs.js';
import { batchNormGradCoefficients, batchNormStatistics, copyOf } from './batch-norm.js';
import { channelOps, SUM_BLOCK_ROWS, simdReduce, withScratch } from './channel-ops.js';
import { offerChannelSums } from './channel-sums.js';
import { hostMemory } from './host-memory.js';
import { pooledShape } from './relu-max-pool.js';

export const BatchNormReluMaxPool = 'BatchNormReluMaxPool';
export const BatchNormReluMaxPoolGrad = 'BatchNormReluMaxPoolGrad';

export interface BatchNormReluMaxPoolAttrs {
  varianceEpsilon: number;
  /** The pool's window size and stride. */
  k: number;
}

/** True if the fused kernel runs `x` with windows of k × k on the current backend. */
export function fusesBatchNormReluPool(x: { shape: number[]; dtype: string }, k: number): boolean {
  return (
    getBackend() === 'wasm' &&
    routes.simd &&
    x.dtype === 'float32' &&
    x.shape.length === 4 &&
    x.shape[3]! % 4 === 0 &&
    (RELU_POOL_SIZES as readonly number[]).includes(k) &&
    getKernel(BatchNormReluMaxPool, 'wasm') !== undefined &&
    simdKernels(backend() as BackendWasm) !== null
  );
}

type Args = { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: BatchNormReluMaxPoolAttrs };

function forward({ inputs: { x, scale, offset }, backend, attrs: { varianceEpsilon, k } }: Args): TensorInfo[] {
  const channels = x!.shape[3]!;
  const mem = hostMemory('wasm', backend);
  const pooled = pooledShape(x!.shape, k);
  const [y, hits, mean, variance] = [mem.alloc(pooled), mem.alloc(pooled), mem.alloc([channels]), mem.alloc([channels])];
  const [meanValues, varianceValues] = [new Float32Array(channels), new Float32Array(channels)];
  const ops = channelOps('wasm', backend, channels);
  const xFirstRow = mem.view(x!).slice(0, channels);
  const { a, b } = batchNormStatistics(ops, x!, xFirstRow, copyOf(mem, scale!), copyOf(mem, offset!), varianceEpsilon, meanValues, varianceValues);
  const at = (t: TensorInfo) => heapAddress(backend, t.dataId);
  withScratch(backend, channels, [a, b], 0, ([aAt, bAt]) => simdKernels(backend)![`bnReluPool${k}`]!(at(x!), at(y), at(hits), ...x!.shape, aAt!, bAt!));
  mem.view(mean).set(meanValues);
  mem.view(variance).set(varianceValues);
  return [y, mean, variance, hits];
}

function backward({ inputs, backend, attrs: { varianceEpsilon, k } }: Args): TensorInfo[] {
  const { dy, x, hits, y, mean, variance, scale, dMean, dVariance } = inputs as Record<string, TensorInfo>;
  const channels = x!.shape[3]!;
  const mem = hostMemory('wasm', backend);
  const [dx, dScale, dOffset, dxSum] = [mem.alloc(x!.shape), mem.alloc([channels]), mem.alloc([channels]), mem.alloc([channels])];
  const meanValues = copyOf(mem, mean!);
  const routed = mem.alloc(y!.shape); // dy·step(y) per pooled value: what reaches its window's first maximum
  const simd = simdKernels(backend)!;
  const at = (t: TensorInfo) => heapAddress(backend, t.dataId);
  simd.reluGrad(at(dy!), at(y!), at(routed), 4 * util.sizeFromShape(routed.shape));
  const pass = [at(x!), at(hits!), at(routed), ...x!.shape, k] as const;
  const sums = simdReduce(backend, channels, meanValues, (meanAt, acc, acc64, zeroRow) =>
    simd.bnReluPoolSums(...pass, zeroRow, meanAt, acc, acc64, SUM_BLOCK_ROWS),
  );
  const [dScaleValues, dOffsetValues] = [new Float32Array(channels), new Float32Array(channels)];
  const {
    a,
    k: slope,
    b,
  } = batchNormGradCoefficients(
    sums,
    util.sizeFromShape(x!.shape),
    meanValues,
    copyOf(mem, variance!),
    copyOf(mem, scale!),
    copyOf(mem, dMean!),
    copyOf(mem, dVariance!),
    varianceEpsilon,
    dScaleValues,
    dOffsetValues,
  );
  const { first: dxSumValues } = simdReduce(backend, channels, new Float32Array(channels), (_, acc, acc64, zeroRow) =>
    withScratch(backend, channels, [a, slope, b], 0, ([aAt, kAt, bAt]) =>
      simd.bnReluPoolAffine2(...pass, zeroRow, at(dx), aAt!, kAt!, bAt!, acc, acc64, SUM_BLOCK_ROWS),
    ),
  );
  backend.disposeData(routed.dataId);
  mem.view(dScale).set(dScaleValues);
  mem.view(dOffset).set(dOffsetValues);
  mem.view(dxSum).set(dxSumValues);
  return [dx, dScale, dOffset, dxSum];
}

/**
 * Its gradient: one 'BatchNormReluMaxPoolGrad' call gives x's, scale's and offset's (and Σ dx for
 * the conv's bias). It never reads the gradient at `hits` (../unread-outputs.ts: no zeros made for it).
 */
export const batchNormReluMaxPoolGradConfig: GradConfigWithUnread = {
  kernelName: BatchNormReluMaxPool,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [true, true, true, true],
  unreadOutputs: [3],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as Tensor[];
    const [x, scale, y, mean, variance, hits] = saved;
    const [dx, dScale, dOffset, dxSum] = engine().runKernel(
      BatchNormReluMaxPoolGrad,
      { dy: dy!, x: x!, hits: hits!, y: y!, mean: mean!, variance: variance!, scale: scale!, dMean: dMean!, dVariance: dVariance! },
      attrs,
    ) as Tensor[];
    offerChannelSums(dx!, dxSum!); // the bias gradient of the conv layer before the block (./channel-sums.ts)
    return { x: () => dx!, scale: () => dScale!, offset: () => dOffset! };
  },
};

export const batchNormReluMaxPoolWasmConfigs: KernelConfig[] = [
  { kernelName: BatchNormReluMaxPool, backendName: 'wasm', kernelFunc: forward as unknown as KernelFunc },
  { kernelName: BatchNormReluMaxPoolGrad, backendName: 'wasm', kernelFunc: backward as unknown as KernelFunc },
];
