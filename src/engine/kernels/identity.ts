/**
 * Identity for the wasm backend without the copy. TensorFlow.js clones (runs Identity on)
 * every tensor a gradient keeps for the backward pass — ~210 per CNN training step, the conv
 * activations included — and the stock wasm kernel copies the data each time. Tensors are
 * immutable (a variable's assign swaps its data, never writes into it), so the clone can share
 * its input's data and count one more reference, as the cpu backend's Identity and the wasm
 * backend's own Reshape do. Values, and therefore every run, are unchanged.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Identity, type IdentityInputs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { runStockKernel } from './wasm-ops.js';

function identity(args: { inputs: IdentityInputs; backend: BackendWasm }): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  if (x.dtype === 'string') return runStockKernel(Identity, args as unknown as Parameters<KernelFunc>[0]);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityWasmConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
