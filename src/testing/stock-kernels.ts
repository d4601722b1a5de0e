/**
 * For benchmarks and tests: the wasm backend as it was before our replacement kernels, to
 * time or compare against. (Our kernels of new names stay: their ops fall back to tfjs's ops
 * only where the kernel is missing, and Adam has no fallback.)
 */
import { getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { WASM_REPLACEMENTS } from '../engine/kernel-list.js';
import { BatchNormTrain, BatchNormTrainGrad } from '../engine/kernels/batch-norm.js';
import { stockKernel } from '../engine/kernels/wasm-ops.js';

/**
 * Puts the stock wasm kernels back in place of ours, except those named in `keep`
 * (Conv2DBackpropFilter has no stock version: without it conv nets cannot train), and
 * unregisters BatchNormTrain so that batch norm falls back to tfjs's ops.
 * `registerKernels('wasm')` (../engine/kernel-list.ts) undoes this.
 */
export function restoreStockWasmKernels(keep: readonly string[] = ['Conv2DBackpropFilter']): void {
  for (const config of WASM_REPLACEMENTS) {
    if (keep.includes(config.kernelName) || getKernel(config.kernelName, 'wasm') !== config) continue;
    unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernel(config.kernelName);
    if (stock !== undefined) registerKernel(stock);
  }
  for (const name of [BatchNormTrain, BatchNormTrainGrad]) {
    if (!keep.includes(name) && getKernel(name, 'wasm') !== undefined) unregisterKernel(name, 'wasm');
  }
}
