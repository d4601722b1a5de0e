/**
 * The four full-size passes batch normalisation needs, over channel-last tensors viewed as
 * [rows, C]; everything else it does is per-channel arithmetic on C numbers. Two
 * implementations: plain JavaScript over host memory (any backend, any C), and wasm SIMD
 * over the wasm backend's heap (C a multiple of 4).
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { allocScratch, freeScratch, heapAddress, type SimdKernels, simdKernels } from '../simd/kernels.js';
import { type HostBackendName, type HostMemory, hostMemory } from './host-memory.js';
import { reluOf } from './relu.js';

/** Per-channel sums of two quantities (float64). */
export interface ChannelSums {
  first: Float64Array;
  second: Float64Array;
}

export interface ChannelOps {
  /** Σ (x − center), Σ (x − center)² per channel. */
  sums(x: TensorInfo, center: Float32Array): ChannelSums;
  /** Σ dy, Σ dy·(x − center) per channel. */
  dotSums(dy: TensorInfo, x: TensorInfo, center: Float32Array): ChannelSums;
  /** y = x·a + b per channel. */
  affine(x: TensorInfo, y: TensorInfo, a: Float32Array, b: Float32Array): void;
  /** out = a·dy + k·x + b per channel. */
  affine2(dy: TensorInfo, x: TensorInfo, out: TensorInfo, a: Float32Array, k: Float32Array, b: Float32Array): void;
  /** y = (x + bias)·a + b per channel, then max(·, 0) if `relu`: x + bias rounded as a separate Add, the rest as `affine`. */
  biasAffine(x: TensorInfo, y: TensorInfo, bias: Float32Array, a: Float32Array, b: Float32Array, relu: boolean): void;
  /** biasAffine with relu, then MaxPool(k) (stride k, floor) of the NHWC x into y [N, ⌊H/k⌋, ⌊W/k⌋, C]. */
  biasAffineReluPool(x: TensorInfo, y: TensorInfo, bias: Float32Array, a: Float32Array, b: Float32Array, k: number): void;
}

function jsOps(mem: HostMemory, channels: number): ChannelOps {
  return {
    sums(xInfo, center) {
      const x = mem.view(xInfo);
      const first = new Float64Array(channels);
      const second = new Float64Array(channels);
      for (let i = 0; i < x.length; i += channels) {
        for (let c = 0; c < channels; c++) {
          const d = x[i + c]! - center[c]!;
          first[c]! += d;
          second[c]! += d * d;
        }
      }
      return { first, second };
    },
    dotSums(dyInfo, xInfo, center) {
      const [dy, x] = [mem.view(dyInfo), mem.view(xInfo)];
      const first = new Float64Array(channels);
      const second = new Float64Array(channels);
      for (let i = 0; i < x.length; i += channels) {
        for (let c = 0; c < channels; c++) {
          const g = dy[i + c]!;
          first[c]! += g;
          second[c]! += g * (x[i + c]! - center[c]!);
        }
      }
      return { first, second };
    },
    affine(xInfo, yInfo, a, b) {
      const [x, y] = [mem.view(xInfo), mem.view(yInfo)];
      for (let i = 0; i < x.length; i += channels) {
        for (let c = 0; c < channels; c++) y[i + c] = x[i + c]! * a[c]! + b[c]!;
      }
    },
    affine2(dyInfo, xInfo, outInfo, a, k, b) {
      const [dy, x, out] = [mem.view(dyInfo), mem.view(xInfo), mem.view(outInfo)];
      for (let i = 0; i < x.length; i += channels) {
        for (let c = 0; c < channels; c++) out[i + c] = a[c]! * dy[i + c]! + k[c]! * x[i + c]! + b[c]!;
      }
    },
    biasAffine(xInfo, yInfo, bias, a, b, relu) {
      const [x, y] = [mem.view(xInfo), mem.view(yInfo)];
      for (let i = 0; i < x.length; i += channels) {
        for (let c = 0; c < channels; c++) {
          const v = Math.fround(Math.fround(x[i + c]! + bias[c]!) * a[c]! + b[c]!);
          y[i + c] = relu ? reluOf(v) : v;
        }
      }
    },
    biasAffineReluPool(xInfo, yInfo, bias, a, b, k) {
      const [x, y] = [mem.view(xInfo), mem.view(yInfo)];
      const [count, H, W] = xInfo.shape as number[];
      const [OH, OW] = [Math.floor(H! / k), Math.floor(W! / k)];
      let out = 0;
      for (let n = 0; n < count!; n++) {
        for (let oh = 0; oh < OH; oh++) {
          for (let ow = 0; ow < OW; ow++, out += channels) {
            for (let c = 0; c < channels; c++) {
              let m = 0;
              for (let kh = 0; kh < k; kh++) {
                for (let kw = 0; kw < k; kw++) {
                  const i = ((n * H! + oh * k + kh) * W! + ow * k + kw) * channels + c;
                  m = Math.max(m, reluOf(Math.fround(Math.fround(x[i]! + bias[c]!) * a[c]! + b[c]!)));
                }
              }
              y[out + c] = m;
            }
          }
        }
      }
    },
  };
}

/** Rows summed in float32 before each float64 flush (bounds the float32 rounding error). */
export const SUM_BLOCK_ROWS = 64;

/**
 * Runs `fn` with scratch in the heap for `inputs.length + extraVectors` float32 vectors of C
 * values (passed as their byte addresses, 16-byte aligned and consecutive), `inputs` copied
 * into the first ones; frees the scratch afterwards.
 */
export function withScratch<T>(backend: BackendWasm, channels: number, inputs: Float32Array[], extraVectors: number, fn: (addresses: number[]) => T): T {
  const vectors = inputs.length + extraVectors;
  // f64 areas need 8-byte alignment: keep the f32 vectors first and C·4 a multiple of 8 by padding.
  const stride = Math.ceil(channels / 2) * 8;
  const base = allocScratch(backend, vectors * stride + 16);
  const aligned = Math.ceil(base / 16) * 16;
  try {
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    inputs.forEach((v, i) => {
      heap.set(v, (aligned + i * stride) / 4);
    });
    return fn(Array.from({ length: vectors }, (_, i) => aligned + i * stride));
  } finally {
    freeScratch(backend, base);
  }
}

/**
 * Runs a SIMD reduction (channelSums, channelDotSums, bnReluPoolSums) with scratch for [center],
 * a vector of C zeros, 2 float32 accumulator vectors and 2 float64 result vectors (4 slots), and
 * returns the float64 results.
 */
export function simdReduce(
  backend: BackendWasm,
  channels: number,
  center: Float32Array,
  run: (centerAt: number, acc: number, acc64: number, zeroRow: number) => void,
): ChannelSums {
  return withScratch(backend, channels, [center, new Float32Array(channels)], 6, ([centerAt, zeroRow, acc, , acc64]) => {
    const f64 = new Float64Array(backend.wasm.HEAPU8.buffer, acc64!, 2 * channels);
    f64.fill(0);
    run(centerAt!, acc!, acc64!, zeroRow!);
    const out = new Float64Array(backend.wasm.HEAPU8.buffer, acc64!, 2 * channels).slice();
    return { first: out.subarray(0, channels), second: out.subarray(channels) };
  });
}

function simdOps(simd: SimdKernels, backend: BackendWasm, channels: number): ChannelOps {
  const at = (t: TensorInfo) => heapAddress(backend, t.dataId);
  const rowsOf = (t: TensorInfo) => t.shape.reduce((n, d) => n * d, 1) / channels;
  const reduce = (center: Float32Array, run: (centerAt: number, acc: number, acc64: number) => void) => simdReduce(backend, channels, center, run);
  return {
    sums: (x, center) => reduce(center, (c, acc, acc64) => simd.channelSums(at(x), rowsOf(x), channels, c, acc, acc64, SUM_BLOCK_ROWS)),
    dotSums: (dy, x, center) => reduce(center, (c, acc, acc64) => simd.channelDotSums(at(dy), at(x), rowsOf(x), channels, c, acc, acc64, SUM_BLOCK_ROWS)),
    affine: (x, y, a, b) => withScratch(backend, channels, [a, b], 0, ([aAt, bAt]) => simd.channelAffine(at(x), at(y), rowsOf(x), channels, aAt!, bAt!)),
    affine2: (dy, x, out, a, k, b) =>
      withScratch(backend, channels, [a, k, b], 0, ([aAt, kAt, bAt]) => simd.channelAffine2(at(dy), at(x), at(out), rowsOf(x), channels, aAt!, kAt!, bAt!)),
    biasAffineReluPool: (x, y, bias, a, b, k) =>
      withScratch(backend, channels, [bias, a, b], 0, ([biasAt, aAt, bAt]) =>
        simd.channelBiasAffineReluPool(at(x), at(y), x.shape[0]!, x.shape[1]!, x.shape[2]!, channels, biasAt!, aAt!, bAt!, k),
      ),
    biasAffine: (x, y, bias, a, b, relu) =>
      withScratch(backend, channels, [bias, a, b], 0, ([biasAt, aAt, bAt]) =>
        (relu ? simd.channelBiasAffineRelu : simd.channelBiasAffine)(at(x), at(y), rowsOf(x), channels, biasAt!, aAt!, bAt!),
      ),
  };
}

/** The fastest ChannelOps for `backend` and `channels`. */
export function channelOps(name: HostBackendName, backend: KernelBackend, channels: number): ChannelOps {
  if (name === 'wasm' && channels % 4 === 0 && routes.simd) {
    const simd = simdKernels(backend as BackendWasm);
    if (simd !== null) return simdOps(simd, backend as BackendWasm, channels);
  }
  return jsOps(hostMemory(name, backend), channels);
}
