/**
 * Training kernels that TensorFlow.js's wasm backend lacks (Conv2DBackpropFilter, BatchNormTrain)
 * or runs slowly (Conv2D on padding-dominated layers, Conv2DBackpropInput, BatchMatMul with
 * transposes, MaxPoolGrad, FusedBatchNorm, Sum over all axes but the last, Identity's copy).
 * See ./kernels/.
 */
import '@tensorflow/tfjs-backend-wasm'; // its stock kernels must be registered before we replace any
import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { batchMatMulWasmConfig } from './kernels/batch-mat-mul.js';
import { BatchNormTrain, BatchNormTrainGrad, fusedBatchNormWasmConfig, registerBatchNormTrainKernels } from './kernels/batch-norm.js';
import { conv2DWasmConfig } from './kernels/conv2d.js';
import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './kernels/conv2d-backprop-input.js';
import { identityWasmConfig } from './kernels/identity.js';
import { maxPoolGradWasmConfig } from './kernels/max-pool-grad.js';
import { sumWasmConfig } from './kernels/sum.js';
import { keepStockKernel, stockKernel } from './kernels/wasm-ops.js';

const OUR_KERNELS: readonly KernelConfig[] = [
  conv2DWasmConfig,
  conv2DBackpropFilterWasmConfig,
  conv2DBackpropInputWasmConfig,
  batchMatMulWasmConfig,
  maxPoolGradWasmConfig,
  fusedBatchNormWasmConfig,
  sumWasmConfig,
  identityWasmConfig,
];

/**
 * Registers our kernels for 'wasm', replacing stock ones of the same name (which ours keep
 * calling for the cases they leave to them). Idempotent.
 * Call before `tf.setBackend('wasm')` so kernel setup runs; calling later also works.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of OUR_KERNELS) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current === config) continue; // already ours
    if (current !== undefined) {
      keepStockKernel(current);
      unregisterKernel(config.kernelName, 'wasm'); // re-registering only warns, but be clean
    }
    registerKernel(config);
  }
  registerBatchNormTrainKernels(); // new kernel names (wasm and cpu): nothing to replace
}

/**
 * For benchmarks: puts the stock wasm kernels back in place of ours, except those named in
 * `keep` (Conv2DBackpropFilter has no stock version: without it conv nets cannot train).
 * Batch norm then falls back to tfjs's ops. `registerWasmTrainingKernels` undoes this.
 */
export function restoreStockWasmKernels(keep: readonly string[] = ['Conv2DBackpropFilter']): void {
  for (const config of OUR_KERNELS) {
    if (keep.includes(config.kernelName) || getKernel(config.kernelName, 'wasm') !== config) continue;
    unregisterKernel(config.kernelName, 'wasm');
    const stock = stockKernel(config.kernelName);
    if (stock !== undefined) registerKernel(stock);
  }
  for (const name of [BatchNormTrain, BatchNormTrainGrad]) {
    if (!keep.includes(name) && getKernel(name, 'wasm') !== undefined) unregisterKernel(name, 'wasm');
  }
}
