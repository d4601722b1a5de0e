/**
 * 'ReluTrainable': ReLU with a one-pass gradient kernel, 'ReluGrad'. The forward pass is the
 * backend's own Relu; the gradient is tfjs's mul(dy, cast(step(x))) — three full-size kernels
 * and two intermediate tensors per ReLU in a CNN step — as one loop with the same results
 * (dy·1, dy·0 with dy's sign, NaN where x is NaN). Registered for wasm (SIMD over whole
 * vectors, JavaScript for the last 0–3 values) and cpu (JavaScript).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { engine, type GradConfig, getKernel, type KernelFunc, Relu, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { heapAddress, simdKernels } from '../simd/kernels.js';
import { type HostBackendName, hostKernelConfigs, hostMemory } from './host-memory.js';

export const ReluTrainable = 'ReluTrainable';
export const ReluGrad = 'ReluGrad';

/** The stock Relu's max(v, 0): −0 becomes +0, NaN stays NaN. */
export const reluOf = (v: number) => (v > 0 || Number.isNaN(v) ? v : 0);

/** dx[i] = dy[i]·step(x[i]) for i ≥ from (dx may be dy: in place). */
export function reluGradLoop(dy: Float32Array, x: Float32Array, dx: Float32Array, from: number): void {
  for (let i = from; i < dx.length; i++) {
    const v = x[i]!;
    dx[i] = dy[i]! * (v > 0 ? 1 : Number.isNaN(v) ? Number.NaN : 0);
  }
}

type Args = Parameters<KernelFunc>[0];

function forward(name: HostBackendName): KernelFunc {
  return (args: Args) => getKernel(Relu, name)!.kernelFunc(args);
}

function backward(name: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { dy, x } = args.inputs as Record<'dy' | 'x', TensorInfo>;
    const mem = hostMemory(name, args.backend as never);
    const dx = mem.alloc(x.shape); // before any view: allocating can grow the wasm heap
    let done = 0;
    const simd = name === 'wasm' && routes.simd ? simdKernels(args.backend as BackendWasm) : null;
    if (simd) {
      const at = (t: TensorInfo) => heapAddress(args.backend as BackendWasm, t.dataId);
      done = x.shape.reduce((n, d) => n * d, 1) & ~3;
      simd.reluGrad(at(dy), at(x), at(dx), done * 4);
    }
    reluGradLoop(mem.view(dy), mem.view(x), mem.view(dx), done);
    return dx;
  }) as unknown as KernelFunc;
}

export const reluGradConfig: GradConfig = {
  kernelName: ReluTrainable,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => ({ x: () => engine().runKernel(ReluGrad, { dy: dy as Tensor, x: saved[0]! }) as Tensor }),
};

/** Both kernels for `backend` (new names: nothing replaced). */
export const reluKernelConfigs = (backend: HostBackendName) => hostKernelConfigs(backend, { [ReluTrainable]: forward, [ReluGrad]: backward });
