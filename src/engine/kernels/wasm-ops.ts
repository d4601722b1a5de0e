/**
 * Thin wrappers that call the wasm backend's own (stock) kernels directly, without going
 * through the engine. Our training kernels are compositions of these: calling `kernelFunc`
 * directly keeps every intermediate off the engine's tensor bookkeeping (no tf.Tensor
 * objects, no tape), so the only thing to free is each intermediate's data bucket.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { getKernel, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The wasm backend's own kernels that ours replaced (see ../kernel-list.ts), by name. */
const stockKernels = new Map<string, KernelConfig>();

/** Records `config`, a stock kernel about to be replaced by ours, so ours can still call it. */
export function keepStockKernel(config: KernelConfig): void {
  stockKernels.set(config.kernelName, config);
}

/** The stock kernel `name` that ours replaced, if any. */
export function stockKernel(name: string): KernelConfig | undefined {
  return stockKernels.get(name);
}

/** Runs the stock kernel `name` (ours hand it the cases they do not cover). */
export function runStockKernel(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const stock = stockKernels.get(name);
  if (stock === undefined) throw new Error(`wasm ${name}: the stock kernel was not recorded`);
  return stock.kernelFunc(args) as TensorInfo;
}

/**
 * A setupFunc for our replacement of `name`: stock kernels bind their C++ entry points in
 * their setupFunc, which the engine runs only for registered kernels, so run it for them.
 */
export function stockSetup(name: string): NonNullable<KernelConfig['setupFunc']> {
  return (backend) => void stockKernels.get(name)?.setupFunc?.(backend);
}

/**
 * Runs the wasm kernel `name` (must be single-output): the stock one if ours replaced it, so
 * our kernels compose the library's and never recurse into each other.
 */
export function runWasmKernel(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
  const kernel = stockKernels.get(name) ?? getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel '${name}' is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${name}' returned several outputs`);
  return out;
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel('Transpose', backend, { x }, { perm });
}

export function reverse(backend: BackendWasm, x: TensorInfo, dims: number[]): TensorInfo {
  return runWasmKernel('Reverse', backend, { x }, { dims });
}

export function slice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel('Slice', backend, { x }, { begin, size });
}

/**
 * Stride-1 NHWC convolution on XNNPACK (the wasm `Conv2D` kernel) with explicit, non-negative
 * padding [top, bottom, left, right] and optional dilation.
 */
export function conv2dExplicit(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  [top, bottom, left, right]: [number, number, number, number],
  dilations: [number, number] = [1, 1],
): TensorInfo {
  return runWasmKernel(
    'Conv2D',
    backend,
    { x, filter },
    {
      strides: [1, 1],
      dilations,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    },
  );
}

/**
 * conv2dExplicit with *signed* padding: a negative amount crops that many rows/columns off
 * x (via Slice) — they would only ever meet zeros, and XNNPACK takes no negative padding.
 */
export function conv2dSignedPad(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  [top, bottom, left, right]: [number, number, number, number],
): TensorInfo {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const [cropTop, cropBottom, cropLeft, cropRight] = [top, bottom, left, right].map((p) => Math.max(0, -p)) as [number, number, number, number];
  const cropped =
    cropTop + cropBottom + cropLeft + cropRight === 0
      ? x
      : slice(backend, x, [0, cropTop, cropLeft, 0], [batch, height - cropTop - cropBottom, width - cropLeft - cropRight, channels]);
  const out = conv2dExplicit(backend, cropped, filter, [Math.max(0, top), Math.max(0, bottom), Math.max(0, left), Math.max(0, right)]);
  if (cropped !== x) disposeIntermediates(backend, cropped);
  return out;
}

/** Releases intermediates made by the calls above (each owns one reference to its bucket). */
export function disposeIntermediates(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
