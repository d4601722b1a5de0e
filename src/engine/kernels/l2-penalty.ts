/**
 * 'L2Penalty' (x0, x1, …) → λ·Σₖ Σᵢ xₖ[i]²: the L2 term's value in one kernel instead of a
 * Square and a Sum per variable, an AddN and a Multiply (~46 kernel calls per CNN step, each an
 * engine dispatch). It rounds as those stock kernels round on each backend, so the loss is the
 * same number bit for bit (test beside this file):
 *
 * - wasm: Square rounds each x² to float32; its Sum over all axes adds them one by one in
 *   float32 (here as wasm f32 ops, ../simd/kernels.ts sumOfSquares, or this file's loop where
 *   SIMD is off); AddN adds the variables' sums in order in float32; Multiply rounds λ·total.
 * - cpu: the same, except that its Sum adds the float32 squares in a float64 running sum and
 *   rounds once at the end.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelFunc, type NamedTensorInfoMap, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { heapAddress, simdKernels } from '../simd/kernels.js';
import { type HostBackendName, hostKernelConfigs, hostMemory } from './host-memory.js';

export const L2Penalty = 'L2Penalty';

export interface L2PenaltyAttrs {
  l2: number;
}

const fr = Math.fround;

/** Σ x² of one variable as `backend`'s Square then Sum computes it. */
function sumOfSquares(backend: HostBackendName, x: Float32Array): number {
  let sum = 0;
  if (backend === 'wasm') for (let i = 0; i < x.length; i++) sum = fr(sum + fr(x[i]! * x[i]!));
  else for (let i = 0; i < x.length; i++) sum += fr(x[i]! * x[i]!);
  return fr(sum);
}

/** The inputs x0, x1, … in order. */
export const penaltyInputs = (vars: readonly TensorInfo[]): NamedTensorInfoMap => Object.fromEntries(vars.map((v, i) => [`x${i}`, v]));

function kernel(backend: HostBackendName): KernelFunc {
  return ((args: { inputs: NamedTensorInfoMap; backend: unknown; attrs: L2PenaltyAttrs }) => {
    const mem = hostMemory(backend, args.backend as never);
    const out = mem.alloc([]);
    // On wasm the float32 chain runs as wasm's own f32 ops (~3× the JavaScript loop's speed).
    const simd = backend === 'wasm' && routes.simd ? simdKernels(args.backend as BackendWasm) : null;
    const at = (t: TensorInfo) => heapAddress(args.backend as BackendWasm, t.dataId);
    const sumOf = (x: TensorInfo) => {
      if (simd === null) return sumOfSquares(backend, mem.view(x));
      simd.sumOfSquares(at(x), 4 * util.sizeFromShape(x.shape), at(out)); // out as scratch: overwritten below
      return mem.view(out)[0]!;
    };
    let total = 0;
    for (let i = 0; args.inputs[`x${i}`] !== undefined; i++) total = fr(total + sumOf(args.inputs[`x${i}`]!));
    mem.view(out)[0] = fr(fr(args.attrs.l2) * total);
    return out;
  }) as unknown as KernelFunc;
}

/** 'L2Penalty' for `backend` (a new name: nothing replaced). */
export const l2PenaltyKernelConfigs = (backend: HostBackendName) => hostKernelConfigs(backend, { [L2Penalty]: kernel });
