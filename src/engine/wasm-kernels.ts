/**
 * Training kernels that TensorFlow.js's wasm backend lacks (Conv2DBackpropFilter) or runs
 * slowly (Conv2DBackpropInput), built from its fast XNNPACK Conv2D. See ./kernels/.
 */
import '@tensorflow/tfjs-backend-wasm'; // its stock kernels must be registered before we replace any
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.js';
import {
  conv2DBackpropInputWasmConfig,
  setStockConv2DBackpropInput,
} from './kernels/conv2d-backprop-input.js';

const OUR_KERNELS: readonly KernelConfig[] = [conv2DBackpropFilterWasmConfig, conv2DBackpropInputWasmConfig];

/**
 * Registers our kernels for 'wasm', replacing stock ones of the same name. Idempotent.
 * Call before `tf.setBackend('wasm')` so kernel setup runs; calling later also works.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of OUR_KERNELS) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current === config) continue; // already ours
    if (current !== undefined) {
      if (config === conv2DBackpropInputWasmConfig) setStockConv2DBackpropInput(current);
      unregisterKernel(config.kernelName, 'wasm'); // re-registering only warns, but be clean
    }
    registerKernel(config);
  }
}
