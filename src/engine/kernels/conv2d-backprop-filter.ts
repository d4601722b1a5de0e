/**
 * Conv2DBackpropFilter for the wasm backend, which ships none (tfjs issue 8474), so without
 * this `tf.grad` through `tf.conv2d` throws on wasm.
 *
 * The filter gradient is itself a correlation, so we hand it to XNNPACK's fast forward
 * convolution instead of writing a loop:
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, s·oh + kh − top, s·ow + kw − left, ci] · dy[n,oh,ow,co]
 *
 * The batch n becomes the channel being reduced, and one of x, dy plays the filter:
 *
 * - 'dy-as-filter' (any stride): conv2d(input = x as [ci,H,W,n], filter = dy as
 *   [OH,OW,n,co], dilation s) → [ci,KH,KW,co]. It sweeps all OH×OW taps, including those
 *   that land in x's zero padding; its GEMM has co output columns.
 * - 'x-as-filter' (stride 1): the same sum read from the other side,
 *   conv2d(input = dy as [co,OH,OW,n] padded by KH−1−top, filter = x as [H,W,n,ci])
 *   → [co,KH',KW',ci] with flipped taps. It sweeps only H×W real input taps (4× fewer than
 *   OH×OW for our 4×4 layers with pad 3) but its GEMM has only ci output columns, which
 *   XNNPACK runs poorly when ci is tiny (the first layer's 1–2 channels).
 *
 * - 'gather-gemm' (stride 1, padding-dominated layers): see gatherGemm below.
 *
 * We pick by estimated cost (taps × output columns rounded up to XNNPACK's 8-wide tiles).
 *
 * At stride 1 with wasm SIMD all three are replaced by our own register-tiled loops
 * (simdTiles below, 2–3× faster on the CNN's layers): they sum the same products in the
 * same order as the XNNPACK route chosen above, so the gradient is bit for bit the same and
 * so is every run that was made before them.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { type FilterGradStrategy, routes } from '../routes.js';
import { FILTER_GRAD_TILES, heapAddress, simdKernels } from '../simd/kernels.js';
import { hostMemory } from './host-memory.js';
import { conv2dExplicit, conv2dSignedPad, disposeIntermediates, reverse, runWasmKernel, slice, transpose } from './wasm-ops.js';

type ConvInfo = backend_util.Conv2DInfo;

const roundUp8 = (c: number) => Math.ceil(c / 8) * 8;

/** The register tile (input channels × 4-channel output vectors) for ci × co, if one fits. */
function tileFor(info: ConvInfo): readonly [number, number] | undefined {
  return FILTER_GRAD_TILES.find(([r, c]) => info.inChannels % r === 0 && info.outChannels % (4 * c) === 0);
}

/** Bytes of x and dy a part of the filter gradient's sum should stay within, to be read from L2 by all its tiles. */
const PART_BYTES = 192 * 1024;

/**
 * dW by register tiles (stride 1): for every tap (kh, kw), the positions where both x and dy
 * exist form a rectangle; one SIMD loop (../simd/kernels.ts, filterGradTile) sums x · dy over
 * a part of that rectangle and of the batch into every R × 4C tile of dW[kh, kw], resuming from
 * what dW holds. `samplesInner` picks the summation order of the XNNPACK route it replaces, and
 * the parts follow it, so each dW element is the same sum in the same order:
 *
 * - a convolution (dy- or x-as-filter) sums over positions, then samples: the parts are runs of
 *   dy positions in row-major order, each with every tap that meets it and the whole batch;
 * - the gather GEMM sums over samples, then positions: the parts are runs of samples, each with
 *   every tap's whole rectangle.
 */
function simdTiles(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo, tile: readonly [number, number], samplesInner: boolean): TensorInfo {
  const { batchSize, inHeight: H, inWidth: W, inChannels: ci, outHeight: OH, outWidth: OW, outChannels: co, filterHeight: KH, filterWidth: KW } = info;
  const { top, left } = info.padInfo;
  const [rowsOfCi, vectors] = tile;
  const run = simdKernels(backend)![`filterGrad${rowsOfCi}x${vectors}${samplesInner ? 'p' : 'n'}`]!;
  const mem = hostMemory('wasm', backend);
  const out = mem.alloc([KH, KW, ci, co]);
  mem.view(out).fill(0); // the parts add into it
  const [xAt, dyAt, outAt] = [heapAddress(backend, x.dataId), heapAddress(backend, dy.dataId), heapAddress(backend, out.dataId)];
  const [xSample, dySample] = [4 * H * W * ci, 4 * OH * OW * co];
  /** Sums a part into dW[kh, kw] with tile loop `fn`, reading `ciBytes` of channels per pixel (4·ci, or 16 for four taps of a one-channel layer: below). */
  const part = (xFirst: number, dyFirst: number, kh: number, kw: number, count: number, rows: number, cols: number, fn = run, ciBytes = 4 * ci) =>
    fn(xFirst, dyFirst, outAt + 4 * (kh * KW + kw) * ci * co, count, rows, cols, xSample, 4 * W * ci, 4 * ci, dySample, 4 * OW * co, 4 * co, 4 * co, ciBytes);
  const range = (k: number, pad: number, inSize: number, outSize: number) => {
    const first = Math.max(0, pad - k); // output position of the first valid pair
    return { first, count: Math.max(0, Math.min(outSize, inSize + pad - k) - first), input: first + k - pad };
  };
  if (samplesInner) {
    // Runs of `width` dy positions of a row (the batch's x and dy at them within PART_BYTES).
    const width = Math.max(1, Math.floor(PART_BYTES / (batchSize * 4 * (ci + co))));
    // With one input channel, x's next pixel is where a next channel would be, and dW's next tap
    // where a next channel's row would be: so the 4 × 2 tile run with "4 channels" sums 4 adjacent
    // taps of a kernel row at once, each reading dy once for all 4 (the first layer's filter
    // gradient was bound by its dy loads, one per multiply-add). Each tap's sum keeps its order:
    // its positions before the 4 taps' common range, then the common range, then those after.
    const group = ci === 1 && vectors === 8 ? simdKernels(backend)!.filterGrad4x2p : undefined;
    for (let r = 0; r < OH; r++) {
      for (let c0 = 0; c0 < OW; c0 += width) {
        for (let kh = Math.max(0, top - r); kh < Math.min(KH, H + top - r); kh++) {
          const xRow = xAt + 4 * (r + kh - top) * W * ci;
          const dyRow = dyAt + 4 * r * OW * co;
          // the run's positions c where tap kw meets x: left − kw ≤ c < W + left − kw
          const span = (kw: number) => [Math.max(c0, left - kw), Math.min(c0 + width, OW, W + left - kw)] as const;
          const single = (kw: number, first: number, end: number) => {
            if (end > first) part(xRow + 4 * (first + kw - left) * ci, dyRow + 4 * first * co, kh, kw, batchSize, 1, end - first);
          };
          let kw = 0;
          for (; group !== undefined && kw + 4 <= KW; kw += 4) {
            const spans = [0, 1, 2, 3].map((t) => span(kw + t));
            const [from, to] = [Math.max(...spans.map(([f]) => f)), Math.min(...spans.map(([, e]) => e))];
            if (to <= from) break; // no common range: tap by tap below
            for (const [t, [f]] of spans.entries()) single(kw + t, f, from);
            part(xRow + 4 * (from + kw - left), dyRow + 4 * from * co, kh, kw, batchSize, 1, to - from, group, 16);
            for (const [t, [, e]] of spans.entries()) single(kw + t, to, e);
          }
          for (; kw < KW; kw++) single(kw, ...span(kw));
        }
      }
    }
    return out;
  }
  const chunk = Math.max(1, Math.floor(PART_BYTES / (xSample + dySample)));
  for (let n0 = 0; n0 < batchSize; n0 += chunk) {
    for (let kh = 0; kh < KH; kh++) {
      const r = range(kh, top, H, OH);
      for (let kw = 0; kw < KW; kw++) {
        const c = range(kw, left, W, OW);
        const xFirst = xAt + n0 * xSample + 4 * (r.input * W + c.input) * ci;
        const dyFirst = dyAt + n0 * dySample + 4 * (r.first * OW + c.first) * co;
        part(xFirst, dyFirst, kh, kw, Math.min(chunk, batchSize - n0), r.count, c.count);
      }
    }
  }
  return out;
}

export function chooseStrategy(info: ConvInfo): FilterGradStrategy {
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return 'dy-as-filter';
  const gatherApplies = info.outChannels % 4 === 0 && routes.simd;
  const forced = routes.filterGradStrategy; // 'x-as-filter' only applies at stride 1
  if (forced !== undefined && (forced !== 'gather-gemm' || gatherApplies)) return forced;
  // "Full" correlations (padding ≥ kernel − 1 on every side: every tap of every input pixel
  // lands inside dy, so q has no zero rows): one GEMM over the real taps. Measured 3–20%
  // faster than x-as-filter on the CNN's 3×3 layers, slower on its 5×5 one (pad 3 < 4).
  const { top, bottom, left, right } = info.padInfo;
  const full = Math.min(top, bottom) >= info.filterHeight - 1 && Math.min(left, right) >= info.filterWidth - 1;
  if (gatherApplies && full && routes.gatherGemm) return 'gather-gemm';
  const dyCost = info.inChannels * info.outHeight * info.outWidth * roundUp8(info.outChannels);
  const xCost = info.outChannels * info.inHeight * info.inWidth * roundUp8(info.inChannels);
  return xCost < dyCost ? 'x-as-filter' : 'dy-as-filter';
}

function dyAsFilter(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  // Padding behind so the (dilated) dy filter yields at least KH×KW outputs. Forward padding
  // beyond that only ever met zeros, so it is dropped; if the forward op ignored trailing
  // input rows/cols we get extra outputs instead, sliced off below.
  const bottom = Math.max(0, filterHeight + (outHeight - 1) * strideHeight - inHeight - top);
  const right = Math.max(0, filterWidth + (outWidth - 1) * strideWidth - inWidth - left);

  const xT = transpose(backend, x, [3, 1, 2, 0]); // [ci, H, W, n]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, n, co]
  let grad = conv2dExplicit(backend, xT, dyT, [top, bottom, left, right], [strideHeight, strideWidth]);
  // Disposing dyT also frees the XNNPACK operator cached under its id (a packed copy of dy).
  disposeIntermediates(backend, xT, dyT);
  if (grad.shape[1] !== filterHeight || grad.shape[2] !== filterWidth) {
    const cropped = slice(backend, grad, [0, 0, 0, 0], [info.inChannels, filterHeight, filterWidth, info.outChannels]);
    disposeIntermediates(backend, grad);
    grad = cropped;
  }
  const out = transpose(backend, grad, [1, 2, 0, 3]); // [KH, KW, ci, co]
  disposeIntermediates(backend, grad);
  return out;
}

function xAsFilter(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  const dyT = transpose(backend, dy, [3, 1, 2, 0]); // [co, OH, OW, n]
  const xT = transpose(backend, x, [1, 2, 0, 3]); // [H, W, n, ci]
  // Output row r = KH−1−kh reads dy row r + j − (KH−1−top) for x row j: pad dy's front by
  // KH−1−top and its back to leave exactly KH rows (negative = crop), as in backprop-input.
  const flippedGrad = conv2dSignedPad(backend, dyT, xT, [
    filterHeight - 1 - top,
    inHeight - outHeight + top,
    filterWidth - 1 - left,
    inWidth - outWidth + left,
  ]); // [co, KH, KW, ci], taps flipped
  disposeIntermediates(backend, dyT, xT);
  const grad = reverse(backend, flippedGrad, [1, 2]);
  disposeIntermediates(backend, flippedGrad);
  const out = transpose(backend, grad, [1, 2, 3, 0]); // [KH, KW, ci, co]
  disposeIntermediates(backend, grad);
  return out;
}

/**
 * 'gather-gemm' (stride 1, co a multiple of 4): gather dy's taps per input pixel,
 * q[n,ih,iw, kh,kw,co] = dy[n, ih − kh + top, iw − kw + left, co] (0 outside dy), then
 * dW as [ci, KH·KW·co] = xᵀ·q, one XNNPACK GEMM over the real taps only; the transpose of
 * the forward scatter in ./conv2d.ts.
 */
function gatherGemm(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, outChannels } = info;
  const simd = simdKernels(backend);
  if (simd === null) return dyAsFilter(backend, x, dy, info);
  const pixels = batchSize * inHeight * inWidth;
  const taps = filterHeight * filterWidth * outChannels;
  const q = hostMemory('wasm', backend).alloc([pixels, taps]);
  simd.gatherTaps(
    heapAddress(backend, dy.dataId),
    heapAddress(backend, q.dataId),
    batchSize,
    inHeight,
    inWidth,
    filterHeight,
    filterWidth,
    outHeight,
    outWidth,
    outChannels,
    info.padInfo.top,
    info.padInfo.left,
  );
  const xT = transpose(backend, { dataId: x.dataId, shape: [pixels, inChannels], dtype: 'float32' }, [1, 0]);
  const grad = runWasmKernel('BatchMatMul', backend, { a: xT, b: q }, { transposeA: false, transposeB: false });
  // Disposing q also frees the XNNPACK operator cached under its id.
  disposeIntermediates(backend, xT, q);
  const out = transpose(backend, { dataId: grad.dataId, shape: [inChannels, filterHeight, filterWidth, outChannels], dtype: 'float32' }, [1, 2, 0, 3]); // [KH, KW, ci, co]
  disposeIntermediates(backend, grad);
  return out;
}

function conv2DBackpropFilter(args: { inputs: Conv2DBackpropFilterInputs; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x as TensorInfo;
  const dy = inputs.dy as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`wasm Conv2DBackpropFilter supports only dataFormat 'NHWC', got '${dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const strategy = chooseStrategy(info);
  const tile = tileFor(info);
  if (routes.simdFilterTiles && tile && info.strideHeight === 1 && info.strideWidth === 1 && routes.simd && simdKernels(backend) !== null) {
    return simdTiles(backend, x, dy, info, tile, strategy !== 'gather-gemm');
  }
  if (strategy === 'gather-gemm') return gatherGemm(backend, x, dy, info);
  return strategy === 'x-as-filter' ? xAsFilter(backend, x, dy, info) : dyAsFilter(backend, x, dy, info);
}

export const conv2DBackpropFilterWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
