/**
 * 'Conv2DBias' (x, filter, bias) → conv2d(x, filter) + bias, stride 1, NHWC, and its gradient:
 * a conv layer's forward as one op in training. Registered for wasm and cpu.
 *
 * Why: as two ops the bias Add writes a second full-size tensor (the first conv layer's is
 * 2.5 MB at 100 digits, beyond the L2 cache) and the tape keeps one more node; here the bias is
 * added in place to the convolution's fresh output. Each element is the same float32
 * conv + bias as the Add kernel computes, and the gradients are the ones tfjs computes for
 * Conv2D and Add: dx and dW by the same Conv2DBackpropInput/Filter kernels with the same
 * attributes, and dbias = Σ dy over every axis but the last (the Sum kernel's, or the same sum
 * made by the batch-norm gradient that wrote dy: ./channel-sums.ts), so training is unchanged bit
 * for bit. Each gradient is computed only when asked for (the first layer's dx never is).
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  engine,
  type GradConfig,
  getKernel,
  type KernelFunc,
  type NamedAttrMap,
  sum,
  type Tensor,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { heapAddress, simdKernels } from '../simd/kernels.js';
import { takeChannelSums } from './channel-sums.js';
import { type HostBackendName, hostKernelConfigs, hostMemory } from './host-memory.js';

export const Conv2DBias = 'Conv2DBias';

export interface Conv2DBiasAttrs {
  /** Zero padding on every side, or 'same' / 'valid' (stride 1). */
  pad: number | 'same' | 'valid';
}

/** The Conv2D attributes tf.conv2d(x, filter, 1, pad) passes, which the gradient kernels take too. */
const convAttrs = ({ pad }: Conv2DBiasAttrs) => ({ strides: 1, pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined });

type Args = { inputs: Record<string, TensorInfo>; backend: unknown; attrs: NamedAttrMap };

/** y[i] += bias[i mod C], in float32: y is [rows, C]. */
export function addBiasInPlace(y: Float32Array, bias: Float32Array): void {
  const channels = bias.length;
  for (let i = 0; i < y.length; i += channels) {
    for (let c = 0; c < channels; c++) y[i + c]! += bias[c]!;
  }
}

function forward(name: HostBackendName): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { x, filter, bias } = args.inputs as Record<'x' | 'filter' | 'bias', TensorInfo>;
    const conv = getKernel(Conv2D, name)!.kernelFunc;
    const y = conv({
      inputs: { x, filter },
      backend: args.backend as never,
      attrs: convAttrs(args.attrs as unknown as Conv2DBiasAttrs) as unknown as NamedAttrMap,
    }) as TensorInfo;
    const channels = bias.shape[0]!;
    const simd = name === 'wasm' && routes.simd && channels % 4 === 0 ? simdKernels(args.backend as BackendWasm) : null;
    if (simd !== null) {
      const at = (t: TensorInfo) => heapAddress(args.backend as BackendWasm, t.dataId);
      simd.channelAdd(at(y), at(y), util.sizeFromShape(y.shape) / channels, channels, at(bias));
    } else {
      const mem = hostMemory(name, args.backend as never);
      addBiasInPlace(mem.view(y), mem.view(bias));
    }
    return y;
  }) as unknown as KernelFunc;
}

export const conv2dBiasGradConfig: GradConfig = {
  kernelName: Conv2DBias,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as Tensor[];
    const conv = convAttrs(attrs as unknown as Conv2DBiasAttrs);
    return {
      x: () =>
        engine().runKernel(Conv2DBackpropInput, { dy: dy as Tensor, filter: filter! }, { ...conv, inputShape: x!.shape } as unknown as NamedAttrMap) as Tensor,
      filter: () =>
        engine().runKernel(Conv2DBackpropFilter, { x: x!, dy: dy as Tensor }, { ...conv, filterShape: filter!.shape } as unknown as NamedAttrMap) as Tensor,
      // As Add's gradient for a broadcast operand: Σ over the broadcast axes (summed already if
      // batch norm's gradient wrote dy: ./channel-sums.ts).
      bias: () => takeChannelSums(dy as Tensor) ?? sum(dy as Tensor, [0, 1, 2]),
    };
  },
};

/** The kernel for `backend` (a new name: nothing replaced). */
export const conv2dBiasKernelConfigs = (backend: HostBackendName) => hostKernelConfigs(backend, { [Conv2DBias]: forward });
