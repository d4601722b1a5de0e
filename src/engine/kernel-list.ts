/**
 * Every kernel of ours, one list per backend, and the gradients of our new ops: what
 * `initBackend` (./backend.ts) registers, and the only place that registers them.
 *
 * On wasm, some replace the backend's own kernels: training kernels it lacks
 * (Conv2DBackpropFilter) or runs slowly (Conv2D on padding-dominated layers,
 * Conv2DBackpropInput, BatchMatMul with transposes, MaxPoolGrad, FusedBatchNorm, Sum over all
 * axes but the last, Identity's copy). The others have names of our own, run by ./ops and
 * ./optim: on wasm and cpu alike, except the fused inference tail and the fused training block
 * (BatchNormReluMaxPool), wasm only. See ./kernels/.
 */
import '@tensorflow/tfjs-backend-wasm'; // its stock kernels must be registered before we replace any
import { type GradConfig, getGradient, getKernel, type KernelConfig, registerGradient, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { BackendName } from './backends.js';
import { adamStepKernelConfigs } from './kernels/adam-step.js';
import { batchMatMulWasmConfig } from './kernels/batch-mat-mul.js';
import { batchNormKernelConfigs, batchNormTrainGradConfig, fusedBatchNormWasmConfig } from './kernels/batch-norm.js';
import { batchNormReluMaxPoolGradConfig, batchNormReluMaxPoolWasmConfigs } from './kernels/batch-norm-relu-max-pool.js';
import { conv2DWasmConfig } from './kernels/conv2d.js';
import { conv2DBackpropFilterWasmConfig } from './kernels/conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './kernels/conv2d-backprop-input.js';
import { conv2dBiasGradConfig, conv2dBiasKernelConfigs } from './kernels/conv2d-bias.js';
import type { HostBackendName } from './kernels/host-memory.js';
import { identityWasmConfig } from './kernels/identity.js';
import { fusedInferenceTailWasmConfig } from './kernels/inference-tail.js';
import { l2PenaltyKernelConfigs } from './kernels/l2-penalty.js';
import { maxPairsGradConfig, maxPairsKernelConfigs } from './kernels/max-pairs.js';
import { maxPoolGradWasmConfig } from './kernels/max-pool-grad.js';
import { reluGradConfig, reluKernelConfigs } from './kernels/relu.js';
import { reluMaxPoolGradConfig, reluMaxPoolKernelConfigs } from './kernels/relu-max-pool.js';
import { sumWasmConfig } from './kernels/sum.js';
import { keepStockKernel } from './kernels/wasm-ops.js';

/** Ours in place of the wasm backend's kernels of the same names (which ours call for the cases they leave to them). */
export const WASM_REPLACEMENTS: readonly KernelConfig[] = [
  conv2DWasmConfig,
  conv2DBackpropFilterWasmConfig,
  conv2DBackpropInputWasmConfig,
  batchMatMulWasmConfig,
  maxPoolGradWasmConfig,
  fusedBatchNormWasmConfig,
  sumWasmConfig,
  identityWasmConfig,
];

/** Kernels of our own names, the same JavaScript (and, on wasm, SIMD) for both backends. */
const hostKernels = (backend: HostBackendName): KernelConfig[] => [
  ...batchNormKernelConfigs(backend),
  ...reluKernelConfigs(backend),
  ...reluMaxPoolKernelConfigs(backend),
  ...conv2dBiasKernelConfigs(backend),
  ...maxPairsKernelConfigs(backend),
  ...adamStepKernelConfigs(backend),
  ...l2PenaltyKernelConfigs(backend),
];

/** Built once, so that a registered kernel can be recognised as ours by identity. */
export const KERNELS: Readonly<Record<BackendName, readonly KernelConfig[]>> = {
  wasm: [...WASM_REPLACEMENTS, ...hostKernels('wasm'), fusedInferenceTailWasmConfig, ...batchNormReluMaxPoolWasmConfigs],
  cpu: hostKernels('cpu'),
};

/** Gradients of our new kernels (the replacements keep tfjs's). */
const GRADIENTS: readonly GradConfig[] = [
  batchNormTrainGradConfig,
  reluGradConfig,
  reluMaxPoolGradConfig,
  conv2dBiasGradConfig,
  maxPairsGradConfig,
  batchNormReluMaxPoolGradConfig,
];

/**
 * Registers our kernels for `backend` and our gradients. Idempotent: what is ours stays; on
 * wasm, a stock kernel of the same name is recorded (ours call it) and replaced. Call before
 * `tf.setBackend(backend)` so kernel setup runs; calling later also works.
 */
export function registerKernels(backend: BackendName): void {
  for (const config of KERNELS[backend]) {
    const current = getKernel(config.kernelName, backend);
    if (current === config) continue;
    if (current !== undefined) {
      if (backend === 'wasm') keepStockKernel(current);
      unregisterKernel(config.kernelName, backend); // re-registering only warns, but be clean
    }
    registerKernel(config);
  }
  for (const gradient of GRADIENTS) if (getGradient(gradient.kernelName) === undefined) registerGradient(gradient);
}
