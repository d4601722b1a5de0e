/**
 * Conv2D for the wasm backend, for layers whose output is mostly zero padding. The CNN's
 * layers 2–4 pad a 4×4 input by 3, so XNNPACK's convolution spends 55–75% of its
 * multiply-adds on padded zeros (an 8×8 output, every tap of which is computed).
 *
 * Read from the input side instead, each real input pixel meets every tap once:
 *
 *   P[n,ih,iw, kh,kw,co] = Σ_ci x[n,ih,iw,ci] · W[kh,kw,ci,co]     one GEMM [N·H·W, ci]×[ci, KH·KW·co]
 *   y[n, ih − kh + top, iw − kw + left, co] += P[n,ih,iw, kh,kw,co]  scatter-add ("col2im")
 *
 * The GEMM runs on XNNPACK (the BatchMatMul kernel) and does only the real multiply-adds; the
 * scatter is a wasm SIMD loop (../simd/kernels.ts; JavaScript when co is not a multiple of 4).
 * Used for stride 1, dilation 1 when the estimated cost is lower; everything else goes to the
 * stock XNNPACK convolution. Gradients are unchanged (Conv2DBackpropInput/Filter).
 *
 * Where the scatter form is chosen (wasm SIMD, a multiple of 16 output channels), our direct
 * SIMD loop (../simd/kernels.ts, convForward) replaces it: y in registers from the real taps
 * only, per-tap partial sums added in the scatter's order, so y is bit for bit the same
 * without the intermediate P. Measured per call at batch 100: 1.62 → 1.11 ms on the CNN's
 * 5×5 layer, a tie on its 3×3 ones. On the first layer (1–2 input channels) XNNPACK's own
 * convolution stays: the direct loop was 25–35% slower there. The same loop, in XNNPACK's
 * order, runs Conv2DBackpropInput (./conv2d-backprop-input.ts).
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backend_util, Conv2D, type Conv2DAttrs, type Conv2DInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { EDGE_VECTORS, FEW_CHANNELS, heapAddress, simdKernels } from '../simd/kernels.js';
import { hostMemory } from './host-memory.js';
import { disposeIntermediates, runStockKernel, runWasmKernel, slice, stockSetup, transpose } from './wasm-ops.js';

/** Cost of one scattered add, in multiply-adds of XNNPACK's GEMM (measured: ~8 as wasm SIMD, ~20 in JS). */
const SCATTER_COST_IN_MACS = { simd: 8, js: 20 };
/** Use the scatter form only when its estimate is clearly below the direct convolution's. */
const MAX_COST_RATIO = 0.6;
/** Samples per GEMM, so the intermediate P stays small (an evaluation batch is 1000–2000). */
const CHUNK_SAMPLES = 128;

type ConvInfo = backend_util.Conv2DInfo;

/** Estimated cost of the scatter form relative to the direct convolution. */
export function scatterCostRatio(info: ConvInfo, simd = info.outChannels % 4 === 0): number {
  const direct = info.outHeight * info.outWidth * info.inChannels;
  const scatter = info.inHeight * info.inWidth * (info.inChannels + SCATTER_COST_IN_MACS[simd ? 'simd' : 'js']);
  return scatter / direct;
}

/** A stride-1, undilated, channels-last float32 convolution: what our loops compute. */
function plainStride1(info: ConvInfo, x: TensorInfo, filter: TensorInfo): boolean {
  return (
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.dataFormat === 'channelsLast' &&
    x.dtype === 'float32' &&
    filter.dtype === 'float32'
  );
}

function useScatter(info: ConvInfo, x: TensorInfo, filter: TensorInfo): boolean {
  if (!plainStride1(info, x, filter) || info.batchSize === 0) return false;
  return routes.conv2DScatter ?? scatterCostRatio(info, routes.simd && info.outChannels % 4 === 0) < MAX_COST_RATIO;
}

/** y (zeroed here) += P scattered: see the header. `p` holds samples [n0, n0 + count). */
export function scatterTaps(p: Float32Array, y: Float32Array, info: ConvInfo, n0: number, count: number): void {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, outChannels } = info;
  const { top, left } = info.padInfo;
  const tapStride = outChannels;
  let src = 0;
  for (let n = n0; n < n0 + count; n++) {
    const yBase = n * outHeight * outWidth * outChannels;
    for (let ih = 0; ih < inHeight; ih++) {
      for (let iw = 0; iw < inWidth; iw++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const oh = ih - kh + top;
          const rowOk = oh >= 0 && oh < outHeight;
          for (let kw = 0; kw < filterWidth; kw++, src += tapStride) {
            const ow = iw - kw + left;
            if (!rowOk || ow < 0 || ow >= outWidth) continue;
            const dst = yBase + (oh * outWidth + ow) * outChannels;
            for (let c = 0; c < outChannels; c++) y[dst + c]! += p[src + c]!;
          }
        }
      }
    }
  }
}

function conv2dScatter(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, filterHeight, filterWidth, outChannels } = info;
  const taps = filterHeight * filterWidth * outChannels;
  // W [KH, KW, ci, co] → [ci, KH·KW·co]: the GEMM's right operand (XNNPACK packs it once, cached under its id).
  const wT = transpose(backend, filter, [2, 0, 1, 3]);
  const w2d: TensorInfo = { dataId: wT.dataId, shape: [inChannels, taps], dtype: 'float32' };
  const mem = hostMemory('wasm', backend);
  const y = mem.alloc(info.outShape);
  mem.view(y).fill(0);
  const pixels = inHeight * inWidth;
  const imageBytes = info.outHeight * info.outWidth * outChannels * 4;
  const simd = routes.simd && outChannels % 4 === 0 ? simdKernels(backend) : null;
  for (let n0 = 0; n0 < batchSize; n0 += CHUNK_SAMPLES) {
    const count = Math.min(CHUNK_SAMPLES, batchSize - n0);
    const chunk = count === batchSize ? x : slice(backend, x, [n0, 0, 0, 0], [count, inHeight, inWidth, inChannels]);
    const x2d: TensorInfo = { dataId: chunk.dataId, shape: [count * pixels, inChannels], dtype: 'float32' };
    const p = runWasmKernel('BatchMatMul', backend, { a: x2d, b: w2d }, { transposeA: false, transposeB: false });
    if (simd !== null) {
      simd.scatterTaps(
        heapAddress(backend, p.dataId),
        heapAddress(backend, y.dataId) + n0 * imageBytes,
        count,
        inHeight,
        inWidth,
        filterHeight,
        filterWidth,
        info.outHeight,
        info.outWidth,
        outChannels,
        info.padInfo.top,
        info.padInfo.left,
      );
    } else {
      scatterTaps(mem.view(p), mem.view(y), info, n0, count); // views taken after every allocation
    }
    disposeIntermediates(backend, p);
    if (chunk !== x) disposeIntermediates(backend, chunk);
  }
  // Disposing wT also frees the XNNPACK operator cached under its id.
  disposeIntermediates(backend, wT);
  return y;
}

/** A stride-1 NHWC convolution's shape, padding in front (negative: cropped). */
export interface DirectConv {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  top: number;
  left: number;
}

/** Whether the direct SIMD loop can run a convolution with `outChannels` outputs on `backend`. */
export function directConvApplies(backend: BackendWasm, outChannels: number): boolean {
  return routes.simdConv2D && outChannels % 16 === 0 && routes.simd && simdKernels(backend) !== null;
}

/** Runs the direct SIMD convolution (see the header): `partials` sums per tap as the scatter route does, else in one sum as XNNPACK does. */
export function convDirect(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, c: DirectConv, partials: boolean): TensorInfo {
  const kernels = simdKernels(backend)!;
  const y = hostMemory('wasm', backend).alloc([c.batch, c.outHeight, c.outWidth, c.outChannels]);
  const [xAt, wAt, yAt] = [heapAddress(backend, x.dataId), heapAddress(backend, filter.dataId), heapAddress(backend, y.dataId)];
  const shape = [c.inHeight, c.inWidth, c.inChannels, c.outHeight, c.outWidth, c.outChannels, c.filterHeight, c.filterWidth, c.top, c.left] as const;
  // Two samples at a time (each weight load serves both), then the last one if the batch is odd.
  const pairs = c.batch - (c.batch % 2);
  if (pairs > 0) (partials ? kernels.convForwardPartialsPairs : kernels.convForwardSinglePairs)(xAt, wAt, yAt, pairs, ...shape);
  if (pairs < c.batch) {
    const [xSample, ySample] = [4 * c.inHeight * c.inWidth * c.inChannels, 4 * c.outHeight * c.outWidth * c.outChannels];
    (partials ? kernels.convForwardPartials : kernels.convForwardSingle)(xAt + pairs * xSample, wAt, yAt + pairs * ySample, 1, ...shape);
  }
  return y;
}

/** Whether the first layer's loop (1–2 input channels, a multiple of 16 outputs, stride 1) can run this convolution. */
function fewChannelsApplies(backend: BackendWasm, info: ConvInfo, x: TensorInfo, filter: TensorInfo): boolean {
  return (
    (FEW_CHANNELS as readonly number[]).includes(info.inChannels) &&
    info.outChannels % (4 * EDGE_VECTORS) === 0 &&
    plainStride1(info, x, filter) &&
    directConvApplies(backend, 16) // the same switches as the other direct loops
  );
}

/** The first layer's convolution by our SIMD loop, in XNNPACK's order (../simd/kernels.ts, convForwardFew). */
function convFewChannels(backend: BackendWasm, x: TensorInfo, filter: TensorInfo, info: ConvInfo): TensorInfo {
  const y = hostMemory('wasm', backend).alloc(info.outShape);
  simdKernels(backend)![`convForwardFew${info.inChannels}`]!(
    heapAddress(backend, x.dataId),
    heapAddress(backend, filter.dataId),
    heapAddress(backend, y.dataId),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.padInfo.top,
    info.padInfo.left,
  );
  return y;
}

function conv2d(args: { inputs: Conv2DInputs; backend: BackendWasm; attrs: Conv2DAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    backend_util.convertConv2DDataFormat(dataFormat),
  );
  const scatter = useScatter(info, x, filter);
  if (scatter && directConvApplies(backend, info.outChannels)) {
    // (the scatter applies only to stride-1, float32, channels-last convolutions: so does the direct loop)
    const { batchSize: batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
    const shape = { batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth };
    return convDirect(backend, x, filter, { ...shape, top: info.padInfo.top, left: info.padInfo.left }, scatter);
  }
  if (!scatter && fewChannelsApplies(backend, info, x, filter)) return convFewChannels(backend, x, filter, info);
  if (!scatter) return runStockKernel(Conv2D, args as unknown as Parameters<KernelFunc>[0]);
  return conv2dScatter(backend, x, filter, info);
}

export const conv2DWasmConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2d as unknown as KernelFunc,
  setupFunc: stockSetup(Conv2D), // everything but padding-dominated layers goes to the stock kernel
};
