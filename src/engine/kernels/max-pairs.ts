/**
 * 'MaxPairs': the max of each adjacent pair along the last axis ([…, 2F] → […, F]), the
 * seed's MaxPool1d(2) over an MLP layer's features, and 'MaxPairsGrad', its gradient.
 * Registered for wasm and cpu as plain JavaScript over host memory.
 *
 * Why: tfjs writes this as Max over a [N, F, 2] reshape, and Max's gradient is
 * dy·cast(equal(x, broadcast(y))). On wasm that Equal takes the C++ broadcast path, ~90 ns
 * per element: 5.8 of an 11.6 ms baseline-aux training step. These loops compute the same
 * numbers bit for bit: the first of the pair unless the second is greater (tfjs's Max loop),
 * and dy·1 or dy·0 for each element equal to the max (both, on a tie; NaN equals nothing).
 */
import { engine, type GradConfig, type KernelFunc, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import { type HostBackendName, hostKernelConfigs, hostMemory } from './host-memory.js';

export const MaxPairs = 'MaxPairs';
export const MaxPairsGrad = 'MaxPairsGrad';

type Args = { inputs: Record<string, TensorInfo>; backend: unknown };

/** out[i] = the greater of x[2i] and x[2i + 1] (the first when neither is greater). */
export function maxPairsForward(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const a = x[2 * i]!;
    const b = x[2 * i + 1]!;
    // biome-ignore lint/complexity/useMathMinMax: Math.max differs on NaN and on −0 vs +0; this is tfjs's Max loop
    out[i] = b > a ? b : a;
  }
}

/** dx[j] = dy[j/2]·(x[j] === y[j/2] ? 1 : 0): the product, so a zero keeps dy's sign as tfjs's does. */
export function maxPairsBackward(dy: Float32Array, x: Float32Array, y: Float32Array, dx: Float32Array): void {
  for (let j = 0; j < dx.length; j++) {
    const i = j >> 1;
    dx[j] = dy[i]! * (x[j] === y[i] ? 1 : 0);
  }
}

function pairedShape(shape: number[]): number[] {
  const last = shape[shape.length - 1] ?? 0;
  if (shape.length === 0 || last % 2 !== 0) throw new Error(`${MaxPairs}: the last axis must have an even length, got shape [${shape}]`);
  return [...shape.slice(0, -1), last / 2];
}

function forwardKernel(name: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { x } = args.inputs as { x: TensorInfo };
    const mem = hostMemory(name, args.backend as never);
    const y = mem.alloc(pairedShape(x.shape));
    maxPairsForward(mem.view(x), mem.view(y));
    return y;
  }) as unknown as KernelFunc;
}

function backwardKernel(name: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { dy, x, y } = args.inputs as Record<'dy' | 'x' | 'y', TensorInfo>;
    const mem = hostMemory(name, args.backend as never);
    const dx = mem.alloc(x.shape); // before any view: allocating can grow the wasm heap
    maxPairsBackward(mem.view(dy), mem.view(x), mem.view(y), mem.view(dx));
    return dx;
  }) as unknown as KernelFunc;
}

export const maxPairsGradConfig: GradConfig = {
  kernelName: MaxPairs,
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [x, y] = saved as Tensor[];
    return { x: () => engine().runKernel(MaxPairsGrad, { dy: dy as Tensor, x: x!, y: y! }) as Tensor };
  },
};

/** Both kernels for `backend` (new names: nothing replaced). */
export const maxPairsKernelConfigs = (backend: HostBackendName) => hostKernelConfigs(backend, { [MaxPairs]: forwardKernel, [MaxPairsGrad]: backwardKernel });
