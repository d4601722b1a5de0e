/**
 * MaxPoolGrad for the wasm backend in plain JavaScript: for each pooling window, route dy to
 * the window's maximum (the first one in scan order on ties, as the cpu backend does).
 * NHWC with the channel innermost lets one sweep of a window update every channel's running
 * maximum together. The stock C++ kernel walks dx and, for each position, every window that
 * covers it, re-deriving the argmax: several times slower on our shapes. Pools whose windows
 * tile the input (our models') run as wasm SIMD, four channels at a time; others in JS.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { backend_util, type KernelConfig, type KernelFunc, MaxPoolGrad, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { heapAddress, simdKernels } from '../simd/kernels.js';
import { hostMemory } from './host-memory.js';
import { stockSetup } from './wasm-ops.js';

/** dx (zeroed here) += dy at each window's argmax over x. */
export function maxPoolGradNHWC(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    strideHeight,
    strideWidth,
    effectiveFilterHeight,
    effectiveFilterWidth,
    dilationHeight,
    dilationWidth,
  } = info;
  const { top, left } = info.padInfo;
  dx.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  let dyIndex = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, dyIndex += channels) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let kh = 0; kh < effectiveFilterHeight; kh += dilationHeight) {
          const h = oh * strideHeight - top + kh;
          if (h < 0 || h >= inHeight) continue;
          for (let kw = 0; kw < effectiveFilterWidth; kw += dilationWidth) {
            const w = ow * strideWidth - left + kw;
            if (w < 0 || w >= inWidth) continue;
            const base = ((n * inHeight + h) * inWidth + w) * channels;
            for (let c = 0; c < channels; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < channels; c++) {
          const at = where[c]!;
          if (at >= 0) dx[at]! += dy[dyIndex + c]!;
        }
      }
    }
  }
}

/** Windows that tile x without overlap or padding (stride = window, all inside x), like our models' pools. */
function isDisjoint(info: backend_util.Conv2DInfo): boolean {
  return (
    info.strideHeight === info.filterHeight &&
    info.strideWidth === info.filterWidth &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * info.filterHeight <= info.inHeight &&
    info.outWidth * info.filterWidth <= info.inWidth
  );
}

/** Zeroes NHWC dx of `shape` outside its first `rows` × `cols` pixels: where floor mode's windows do not reach. */
export function zeroUncovered(dx: Float32Array, [count, height, width, channels]: readonly number[], rows: number, cols: number): void {
  if (rows === height && cols === width) return;
  const line = width! * channels!;
  for (let n = 0; n < count!; n++) {
    const image = n * height! * line;
    for (let h = 0; h < rows; h++) dx.fill(0, image + h * line + cols * channels!, image + (h + 1) * line);
    dx.fill(0, image + rows * line, image + height! * line);
  }
}

function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const mem = hostMemory('wasm', backend);
  const dx = mem.alloc(input.shape);
  const simd = routes.simd && info.inChannels % 4 === 0 && isDisjoint(info) ? simdKernels(backend) : null;
  if (simd === null) {
    maxPoolGradNHWC(mem.view(input), mem.view(dy), mem.view(dx), info);
    return dx;
  }
  zeroUncovered(mem.view(dx), input.shape, info.outHeight * info.filterHeight, info.outWidth * info.filterWidth); // the loop writes every position a window covers
  simd.maxPoolGradDisjoint(
    heapAddress(backend, input.dataId),
    heapAddress(backend, dy.dataId),
    heapAddress(backend, dx.dataId),
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.inChannels,
  );
  return dx;
}

export const maxPoolGradWasmConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
  // Ours never calls the stock kernel, but binding it keeps it usable if restored (benchmarks).
  setupFunc: stockSetup(MaxPoolGrad),
};
