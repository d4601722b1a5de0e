/**
 * 'AdamStep' (value, m, v, grad) → (value', m', v'): one Adam step for one variable as one
 * kernel, in place of the 12 element-wise ops tfjs's AdamOptimizer runs per variable (each an
 * engine call and a new tensor: ~260 kernel calls per CNN step). The same ops in the same
 * order, each rounded to float32 as tfjs's float32 kernels round it:
 *
 *   m' = m·β1 + g·(1−β1)    v' = v·β2 + g²·(1−β2)    value' = (m'/c1) / (√(v'/c2) + ε)·(−lr) + value
 *
 * so training is unchanged bit for bit (test beside this file). With `twiceL2` (2λ, float32) the
 * step first adds the L2 term's gradient, g ← g + value·2λ, rounded as the tape's Multiply and
 * its accumulating Add round it: for a variable that one op reads, the gradient the taped
 * penalty would have given (../../train/fit.ts decides when it may). wasm runs the SIMD loop
 * (../simd/kernels.ts adamStep) over whole vectors and this file's loop over the last 0–3
 * values; cpu runs this file's loop. Outputs are new tensors, never the inputs updated in
 * place: the wasm backend caches packed XNNPACK weights under a tensor's id.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { ADAM_CONSTANTS, heapAddress, simdKernels } from '../simd/kernels.js';
import { type HostBackendName, hostKernelConfigs, hostMemory } from './host-memory.js';

export const AdamStep = 'AdamStep';

/** The step's float32 constants (already rounded to float32); `twiceL2` absent or 0: no L2 term. */
export type AdamStepAttrs = Record<(typeof ADAM_CONSTANTS)[number], number> & { twiceL2?: number };

const fr = Math.fround;

/** The update of elements [from, end) in float32 arithmetic (each double result rounded once: exact for + − × ÷ √). */
export function adamStepLoop([value, m, v, g]: Float32Array[], [newValue, newM, newV]: Float32Array[], c: AdamStepAttrs, from: number): void {
  const twiceL2 = c.twiceL2 ?? 0;
  for (let i = from; i < value!.length; i++) {
    const gi = twiceL2 === 0 ? g![i]! : fr(g![i]! + fr(value![i]! * twiceL2));
    const mi = fr(fr(m![i]! * c.beta1) + fr(gi * c.oneMinusBeta1));
    const vi = fr(fr(v![i]! * c.beta2) + fr(fr(gi * gi) * c.oneMinusBeta2));
    const denominator = fr(fr(Math.sqrt(fr(vi / c.correction2))) + c.epsilon);
    newM![i] = mi;
    newV![i] = vi;
    newValue![i] = fr(fr(fr(fr(mi / c.correction1) / denominator) * c.negLearningRate) + value![i]!);
  }
}

function kernel(name: HostBackendName): KernelFunc {
  return ((args: { inputs: Record<'value' | 'm' | 'v' | 'grad', TensorInfo>; backend: unknown; attrs: AdamStepAttrs }) => {
    const { value, m, v, grad } = args.inputs;
    const mem = hostMemory(name, args.backend as never);
    const outs = [mem.alloc(value.shape), mem.alloc(value.shape), mem.alloc(value.shape)]; // before any view
    const ins = [value, m, v, grad];
    let done = 0;
    const simd = name === 'wasm' && routes.simd ? simdKernels(args.backend as BackendWasm) : null;
    if (simd) {
      const at = (t: TensorInfo) => heapAddress(args.backend as BackendWasm, t.dataId);
      done = value.shape.reduce((n, d) => n * d, 1) & ~3;
      const constants = ADAM_CONSTANTS.map((k) => args.attrs[k]);
      const twiceL2 = args.attrs.twiceL2 ?? 0;
      if (twiceL2 === 0) simd.adamStep(...ins.map(at), ...outs.map(at), done * 4, ...constants);
      else simd.adamStepL2(...ins.map(at), ...outs.map(at), done * 4, ...constants, twiceL2);
    }
    adamStepLoop(
      ins.map((t) => mem.view(t)),
      outs.map((t) => mem.view(t)),
      args.attrs,
      done,
    );
    return outs;
  }) as unknown as KernelFunc;
}

/** 'AdamStep' for `backend` (a new name: nothing replaced). */
export const adamStepKernelConfigs = (backend: HostBackendName) => hostKernelConfigs(backend, { [AdamStep]: kernel });
