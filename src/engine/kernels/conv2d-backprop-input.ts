/**
 * Conv2DBackpropInput for the wasm backend. The stock one is a scalar C++ loop that runs far
 * slower than the forward Conv2D (XNNPACK), and in training it is called for every conv
 * layer but the first.
 *
 * For stride 1 the input gradient is a "full" correlation of dy with the flipped filter:
 *
 *   dx[n,i,j,ci] = Σ_{a,b,co} dyPad[n, i+a, j+b, co] · W[KH−1−a, KW−1−b, ci, co]
 *
 * where dy is padded by KH−1−top in front (cropped instead, when that is negative, i.e. the
 * forward padding exceeded KH−1 and dy's outer rows saw only zeros). So dx = XNNPACK
 * conv2d(dy, reverse(W) with in/out channels swapped), sized to give exactly H×W outputs.
 * Strides > 1 fall back to the stock kernel (correct, slower).
 *
 * With wasm SIMD and ci a multiple of 16 the same convolution runs in our direct SIMD loop
 * (./conv2d.ts, convDirect), in XNNPACK's summation order: dx is bit for bit the same.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { convDirect, directConvApplies } from './conv2d.js';
import { hostMemory } from './host-memory.js';
import { conv2dSignedPad, disposeIntermediates, runStockKernel, stockSetup } from './wasm-ops.js';

/**
 * out[a, b, co, ci] = w[KH−1−a, KW−1−b, ci, co]: the filter flipped in space with its channel
 * axes swapped, in one pass. (The stock Reverse and Transpose kernels took ~1 ms per CNN step
 * for these few thousand values: Reverse walks every element through a generic index map.)
 * Pure data movement, so the convolution that reads it is unchanged bit for bit.
 */
export function flipSwapFilter(w: Float32Array, out: Float32Array, [kh, kw, ci, co]: readonly number[]): void {
  const block = ci! * co!;
  for (let a = 0; a < kh!; a++) {
    for (let b = 0; b < kw!; b++) {
      const src = ((kh! - 1 - a) * kw! + (kw! - 1 - b)) * block;
      const dst = (a * kw! + b) * block;
      for (let o = 0; o < co!; o++) {
        for (let i = 0; i < ci!; i++) out[dst + o * ci! + i] = w[src + i * co! + o]!;
      }
    }
  }
}

function conv2DBackpropInput(args: { inputs: Conv2DBackpropInputInputs; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy as TensorInfo;
  const filter = inputs.filter as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new Error(`wasm Conv2DBackpropInput supports only dataFormat 'NHWC', got '${dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1) {
    return runStockKernel(Conv2DBackpropInput, args as unknown as Parameters<KernelFunc>[0]);
  }
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;

  const mem = hostMemory('wasm', backend);
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const swapped = mem.alloc([kh, kw, co, ci]); // before the views: allocating can grow the heap
  flipSwapFilter(mem.view(filter), mem.view(swapped), filter.shape);
  // Signed padding of dy (front: KH−1−top; behind: whatever gives H×W outputs).
  const out = directConvApplies(backend, info.inChannels)
    ? convDirect(
        backend,
        dy,
        swapped,
        {
          batch: info.batchSize,
          inHeight: outHeight,
          inWidth: outWidth,
          inChannels: info.outChannels,
          outHeight: inHeight,
          outWidth: inWidth,
          outChannels: info.inChannels,
          filterHeight,
          filterWidth,
          top: filterHeight - 1 - top,
          left: filterWidth - 1 - left,
        },
        false,
      )
    : conv2dSignedPad(backend, dy, swapped, [filterHeight - 1 - top, inHeight - outHeight + top, filterWidth - 1 - left, inWidth - outWidth + left]);
  // Disposing `swapped` also frees the XNNPACK operator cached under its id.
  disposeIntermediates(backend, swapped);
  return out;
}

export const conv2DBackpropInputWasmConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
  setupFunc: stockSetup(Conv2DBackpropInput), // strides > 1 go to the stock kernel
};
