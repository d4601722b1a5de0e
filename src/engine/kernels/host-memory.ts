/**
 * Plain-JavaScript kernels need their tensors as Float32Arrays. Both backends we run on keep
 * float32 data in host memory: wasm in its heap (a view costs nothing), cpu in JS arrays.
 * This is the one place that knows how each backend stores and allocates it, so a kernel
 * written against `HostMemory` registers unchanged for 'wasm' and 'cpu'.
 */

import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type DataId, type KernelBackend, type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';

export type HostBackendName = 'wasm' | 'cpu';

export interface HostMemory {
  /**
   * A new float32 tensor's storage, *uninitialised* on wasm. Allocate every output before
   * taking any view: a wasm allocation can grow the heap, which detaches earlier views.
   */
  alloc(shape: number[]): TensorInfo;
  /** The tensor's float32 data, in place (writes go straight into the tensor). */
  view(info: TensorInfo): Float32Array;
}

function checkFloat32(info: TensorInfo): void {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
}

function wasmMemory(backend: BackendWasm): HostMemory {
  return {
    alloc: (shape) => backend.makeOutput(shape, 'float32'),
    view(info) {
      checkFloat32(info);
      return backend.typedArrayFromHeap(info) as Float32Array;
    },
  };
}

function cpuMemory(backend: MathBackendCPU): HostMemory {
  return {
    alloc: (shape) => backend.makeTensorInfo(shape, 'float32', new Float32Array(util.sizeFromShape(shape))),
    view(info) {
      checkFloat32(info);
      const values = backend.data.get(info.dataId as DataId)?.values;
      if (!(values instanceof Float32Array)) throw new Error('cpu tensor data is not a Float32Array');
      return values;
    },
  };
}

export function hostMemory(name: HostBackendName, backend: KernelBackend): HostMemory {
  return name === 'wasm' ? wasmMemory(backend as BackendWasm) : cpuMemory(backend as unknown as MathBackendCPU);
}

/** Kernel configs for `backendName` from `make` functions by kernel name, each building its kernelFunc for one backend. */
export function hostKernelConfigs(backendName: HostBackendName, kernels: Record<string, (backend: HostBackendName) => KernelFunc>): KernelConfig[] {
  return Object.entries(kernels).map(([kernelName, make]) => ({ kernelName, backendName, kernelFunc: make(backendName) }));
}
