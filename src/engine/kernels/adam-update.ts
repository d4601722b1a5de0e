/**
 * 'AdamUpdate' (value, m, v, grad) → (value', m', v'): one Adam step for one variable as a
 * single kernel, in place of the ~12 element-wise ops tfjs's AdamOptimizer runs per variable
 * (each with its own engine overhead and intermediate tensor). Same arithmetic:
 *
 *   m' = β1·m + (1 − β1)·g        v' = β2·v + (1 − β2)·g²
 *   value' = value − lr · (m'/c1) / (√(v'/c2) + ε)      with c1 = 1 − β1ᵗ, c2 = 1 − β2ᵗ
 *
 * Outputs are new tensors, never the inputs updated in place: the wasm backend caches packed
 * XNNPACK weights under a tensor's id, so mutating a variable's data would go unseen.
 */
import { getKernel, type KernelConfig, type KernelFunc, registerKernel, type TensorInfo } from '@tensorflow/tfjs-core';
import { type HostBackendName, hostMemory } from './host-memory.js';

export const AdamUpdate = 'AdamUpdate';

export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ, the bias corrections of step t. */
  correction1: number;
  correction2: number;
}

export function adamUpdate(
  value: Float32Array,
  m: Float32Array,
  v: Float32Array,
  grad: Float32Array,
  attrs: AdamUpdateAttrs,
  newValue: Float32Array,
  newM: Float32Array,
  newV: Float32Array,
): void {
  const { learningRate, beta1, beta2, epsilon, correction1, correction2 } = attrs;
  const [keep1, keep2] = [1 - beta1, 1 - beta2];
  for (let i = 0; i < value.length; i++) {
    const g = grad[i]!;
    const mi = beta1 * m[i]! + keep1 * g;
    const vi = beta2 * v[i]! + keep2 * g * g;
    newM[i] = mi;
    newV[i] = vi;
    newValue[i] = value[i]! - (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
  }
}

function kernel(backendName: HostBackendName): KernelFunc {
  return ((args: { inputs: Record<'value' | 'm' | 'v' | 'grad', TensorInfo>; backend: never; attrs: AdamUpdateAttrs }) => {
    const { value, m, v, grad } = args.inputs;
    const mem = hostMemory(backendName, args.backend);
    const outs = [mem.alloc(value.shape), mem.alloc(value.shape), mem.alloc(value.shape)] as const;
    adamUpdate(mem.view(value), mem.view(m), mem.view(v), mem.view(grad), args.attrs, mem.view(outs[0]), mem.view(outs[1]), mem.view(outs[2]));
    return [...outs];
  }) as unknown as KernelFunc;
}

/** Registers 'AdamUpdate' for wasm and cpu (a new kernel name: nothing replaced). Idempotent. */
export function registerAdamUpdateKernels(): void {
  for (const backendName of ['wasm', 'cpu'] as const) {
    if (getKernel(AdamUpdate, backendName) !== undefined) continue;
    const config: KernelConfig = { kernelName: AdamUpdate, backendName, kernelFunc: kernel(backendName) };
    registerKernel(config);
  }
}
