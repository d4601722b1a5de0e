/**
 * Batch normalisation kernels over the channel-last layout (x viewed as [rows, C]; rows =
 * every axis but the last), registered for wasm and cpu.
 *
 * - 'BatchNormTrain' (x, scale, offset) → (y, mean, variance): normalises with the batch's
 *   mean and *biased* variance, and returns both so the caller can update running stats.
 * - 'BatchNormTrainGrad': its gradient in closed form, two passes over x and dy. tfjs's own
 *   FusedBatchNorm gradient builds a Tile of rsqrt(variance) the size of x plus a dozen
 *   full-size ops; on wasm that Tile alone cost more than all our convolutions.
 * - A replacement for wasm's inference 'FusedBatchNorm' (x·s + t per channel, one pass), whose
 *   stock C++ loop runs ~5 ns/element; other broadcast shapes go to the stock kernel.
 *
 * Each is two or three full-size passes (./channel-ops.ts: wasm SIMD on the wasm backend,
 * plain JavaScript otherwise) around per-channel arithmetic; sums end in float64.
 */
import {
  engine,
  FusedBatchNorm,
  type FusedBatchNormAttrs,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type Tensor,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { type ChannelOps, type ChannelSums, channelOps } from './channel-ops.js';
import { type HostBackendName, type HostMemory, hostKernelConfigs, hostMemory } from './host-memory.js';
import { runStockKernel, stockSetup } from './wasm-ops.js';

export const BatchNormTrain = 'BatchNormTrain';
export const BatchNormTrainGrad = 'BatchNormTrainGrad';

export interface BatchNormTrainAttrs {
  varianceEpsilon: number;
}

/**
 * The batch's mean and biased variance of x per channel (written to `mean`, `variance`), and
 * y = scale·(x − mean)/√(variance + ε) + offset as y = x·a + b: the training kernel applies it in
 * a pass of its own, the fused block (./batch-norm-relu-max-pool.ts) in its pooling pass.
 */
export function batchNormStatistics(
  ops: ChannelOps,
  x: TensorInfo,
  xFirstRow: Float32Array,
  scale: Float32Array,
  offset: Float32Array,
  epsilon: number,
  mean: Float32Array,
  variance: Float32Array,
): { a: Float32Array; b: Float32Array } {
  const channels = scale.length;
  const rows = util.sizeFromShape(x.shape) / channels;
  // Sums of x − x[first row]: shifted so that E[d²] − E[d]² does not cancel.
  const { first: sum, second: sumSq } = ops.sums(x, xFirstRow);
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const m = sum[c]! / rows;
    const v = Math.max(0, sumSq[c]! / rows - m * m);
    mean[c] = xFirstRow[c]! + m;
    variance[c] = v;
    a[c] = scale[c]! / Math.sqrt(v + epsilon);
    b[c] = offset[c]! - mean[c]! * a[c]!;
  }
  return { a, b };
}

/**
 * The gradient of the normalisation, from Σ dy and Σ dy·(x − μ) per channel (`sums`) over `size`
 * values: dScale and dOffset (written), and dx as a·dy + k·x + b per channel. With
 * x̂ = (x − μ)·rstd, N = rows and upstream dy, dμ, dσ²:
 *   dx = scale·rstd/N·(N·dy − Σdy − x̂·Σ(dy·x̂)) + dμ/N + dσ²·2(x − μ)/N
 *   dscale = Σ dy·x̂,  doffset = Σ dy
 * (dμ and dσ² are zero when, as in training, the statistics only feed the running averages.)
 */
export function batchNormGradCoefficients(
  { first: sumDy, second: sumDyXc }: ChannelSums,
  size: number,
  mean: Float32Array,
  variance: Float32Array,
  scale: Float32Array,
  dMean: Float32Array,
  dVariance: Float32Array,
  epsilon: number,
  dScale: Float32Array,
  dOffset: Float32Array,
): { a: Float32Array; k: Float32Array; b: Float32Array } {
  const channels = scale.length;
  const rows = size / channels;
  const a = new Float32Array(channels);
  const k = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const rstd = 1 / Math.sqrt(variance[c]! + epsilon);
    const gain = scale[c]! * rstd;
    dScale[c] = sumDyXc[c]! * rstd;
    dOffset[c] = sumDy[c]!;
    const slope = (-gain * rstd * rstd * sumDyXc[c]! + 2 * dVariance[c]!) / rows;
    a[c] = gain;
    k[c] = slope;
    b[c] = (-gain * sumDy[c]! + dMean[c]!) / rows - slope * mean[c]!;
  }
  return { a, k, b };
}

/** Inference: y = scale·(x − mean)/√(variance + ε) + offset per channel (scale, offset optional). */
export function batchNormInference(
  ops: ChannelOps,
  x: TensorInfo,
  mean: Float32Array,
  variance: Float32Array,
  offset: Float32Array | undefined,
  scale: Float32Array | undefined,
  epsilon: number,
  y: TensorInfo,
): void {
  const { a, b } = inferenceCoefficients(mean, variance, offset, scale, epsilon);
  ops.affine(x, y, a, b);
}

/** Inference batch norm as y = x·a + b per channel: a = scale/√(variance + ε), b = offset − mean·a (float32). */
export function inferenceCoefficients(
  mean: Float32Array,
  variance: Float32Array,
  offset: Float32Array | undefined,
  scale: Float32Array | undefined,
  epsilon: number,
): { a: Float32Array; b: Float32Array } {
  const channels = mean.length;
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    a[c] = (scale?.[c] ?? 1) / Math.sqrt(variance[c]! + epsilon);
    b[c] = (offset?.[c] ?? 0) - mean[c]! * a[c]!;
  }
  return { a, b };
}

type Args = { inputs: NamedTensorInfoMap; backend: unknown; attrs: unknown };

function channelsOf(x: TensorInfo): number {
  return x.shape[x.shape.length - 1] ?? 1;
}

function checkPerChannel(name: string, t: TensorInfo, channels: number): void {
  if (t.shape.length !== 1 || t.shape[0] !== channels) {
    throw new Error(`${BatchNormTrain}: ${name} must have shape [${channels}], got [${t.shape}]`);
  }
}

/** A copy of a small (per-channel) tensor's values, safe to keep across heap growth. */
export const copyOf = (mem: HostMemory, t: TensorInfo) => mem.view(t).slice();

function trainKernel(backendName: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo[] => {
    const { x, scale, offset } = args.inputs as Record<'x' | 'scale' | 'offset', TensorInfo>;
    const { varianceEpsilon } = args.attrs as BatchNormTrainAttrs;
    const channels = channelsOf(x);
    checkPerChannel('scale', scale, channels);
    checkPerChannel('offset', offset, channels);
    const mem = hostMemory(backendName, args.backend as never);
    const [y, mean, variance] = [mem.alloc(x.shape), mem.alloc([channels]), mem.alloc([channels])] as const;
    const meanValues = new Float32Array(channels);
    const varianceValues = new Float32Array(channels);
    const ops = channelOps(backendName, args.backend as never, channels);
    const xFirstRow = mem.view(x).slice(0, channels);
    const { a, b } = batchNormStatistics(ops, x, xFirstRow, copyOf(mem, scale), copyOf(mem, offset), varianceEpsilon, meanValues, varianceValues);
    ops.affine(x, y, a, b);
    mem.view(mean).set(meanValues);
    mem.view(variance).set(varianceValues);
    return [y, mean, variance];
  }) as unknown as KernelFunc;
}

function trainGradKernel(backendName: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo[] => {
    const { dy, x, mean, variance, scale, dMean, dVariance } = args.inputs as Record<
      'dy' | 'x' | 'mean' | 'variance' | 'scale' | 'dMean' | 'dVariance',
      TensorInfo
    >;
    const { varianceEpsilon } = args.attrs as BatchNormTrainAttrs;
    const channels = channelsOf(x);
    const mem = hostMemory(backendName, args.backend as never);
    const [dx, dScale, dOffset] = [mem.alloc(x.shape), mem.alloc([channels]), mem.alloc([channels])] as const;
    const dScaleValues = new Float32Array(channels);
    const dOffsetValues = new Float32Array(channels);
    const ops = channelOps(backendName, args.backend as never, channels);
    const [meanValues, varianceValues, scaleValues] = [copyOf(mem, mean), copyOf(mem, variance), copyOf(mem, scale)];
    const sums = ops.dotSums(dy, x, meanValues); // Σ dy, Σ dy·(x − μ)
    const { a, k, b } = batchNormGradCoefficients(
      sums,
      util.sizeFromShape(x.shape),
      meanValues,
      varianceValues,
      scaleValues,
      copyOf(mem, dMean),
      copyOf(mem, dVariance),
      varianceEpsilon,
      dScaleValues,
      dOffsetValues,
    );
    ops.affine2(dy, x, dx, a, k, b);
    mem.view(dScale).set(dScaleValues);
    mem.view(dOffset).set(dOffsetValues);
    return [dx, dScale, dOffset];
  }) as unknown as KernelFunc;
}

/** Gradient of 'BatchNormTrain': one 'BatchNormTrainGrad' call gives all three input gradients. */
export const batchNormTrainGradConfig: GradConfig = {
  kernelName: BatchNormTrain,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy, dMean, dVariance] = dys as Tensor[];
    const [x, scale, mean, variance] = saved;
    const [dx, dScale, dOffset] = engine().runKernel(
      BatchNormTrainGrad,
      { dy: dy!, x: x!, mean: mean!, variance: variance!, scale: scale!, dMean: dMean!, dVariance: dVariance! },
      attrs,
    ) as Tensor[];
    return { x: () => dx!, scale: () => dScale!, offset: () => dOffset! };
  },
};

/** 'BatchNormTrain' and its gradient kernel for `backend` (new names: nothing replaced). */
export const batchNormKernelConfigs = (backend: HostBackendName) =>
  hostKernelConfigs(backend, { [BatchNormTrain]: trainKernel, [BatchNormTrainGrad]: trainGradKernel });

/** True if `t` broadcasts along the last axis only: shape [C] or [1, …, 1, C]. */
function isPerChannel(t: TensorInfo | undefined, channels: number): boolean {
  if (t === undefined) return true;
  const shape = t.shape;
  return util.sizeFromShape(shape) === channels && (shape.length === 0 || shape[shape.length - 1] === channels || channels === 1);
}

function fusedBatchNormWasm(args: Args): TensorInfo {
  const { x, mean, variance, offset, scale } = args.inputs as Record<'x' | 'mean' | 'variance', TensorInfo> & Partial<Record<'offset' | 'scale', TensorInfo>>;
  const { varianceEpsilon } = args.attrs as FusedBatchNormAttrs;
  const channels = channelsOf(x);
  const perChannel = [mean, variance, offset, scale].every((t) => isPerChannel(t, channels));
  if (!perChannel || x.dtype !== 'float32') return runStockKernel(FusedBatchNorm, args as Parameters<KernelFunc>[0]);
  const mem = hostMemory('wasm', args.backend as never);
  const y = mem.alloc(x.shape);
  batchNormInference(
    channelOps('wasm', args.backend as never, channels),
    x,
    copyOf(mem, mean),
    copyOf(mem, variance),
    offset && copyOf(mem, offset),
    scale && copyOf(mem, scale),
    varianceEpsilon,
    y,
  );
  return y;
}

export const fusedBatchNormWasmConfig: KernelConfig = {
  kernelName: FusedBatchNorm,
  backendName: 'wasm',
  kernelFunc: fusedBatchNormWasm as unknown as KernelFunc,
  setupFunc: stockSetup(FusedBatchNorm), // other broadcasts go to the stock kernel
};
