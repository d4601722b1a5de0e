/**
 * BatchMatMul for the wasm backend with transposed operands. The stock kernel runs XNNPACK's
 * fully-connected GEMM only for untransposed, batch-1 products; anything else, including
 * both products of a dense layer's gradient (dy·Wᵀ and xᵀ·dy), falls to a scalar C++ loop.
 *
 * Ours materialises the transposed operand(s) with the Transpose kernel (a copy, cheap next
 * to the product) and calls the stock kernel untransposed, so XNNPACK does the GEMM.
 * Batched products (batch > 1) keep the stock path.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BatchMatMul, type BatchMatMulAttrs, type BatchMatMulInputs, type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { disposeIntermediates, runStockKernel, stockSetup, transpose } from './wasm-ops.js';

const runStock = (args: Parameters<KernelFunc>[0]) => runStockKernel(BatchMatMul, args);

/** `x` with its last two axes swapped. */
function swapLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return transpose(backend, x, perm);
}

function batchMatMul(args: { inputs: BatchMatMulInputs; backend: BackendWasm; attrs: BatchMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  const { transposeA, transposeB } = attrs;
  const batch = (t: TensorInfo) => util.sizeFromShape(t.shape.slice(0, -2));
  if ((!transposeA && !transposeB) || batch(a) !== 1 || batch(b) !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runStock(args as unknown as Parameters<KernelFunc>[0]);
  }
  const aPlain = transposeA ? swapLastTwo(backend, a) : a;
  const bPlain = transposeB ? swapLastTwo(backend, b) : b;
  const out = runStock({
    inputs: { a: aPlain, b: bPlain },
    backend,
    attrs: { ...attrs, transposeA: false, transposeB: false },
  } as unknown as Parameters<KernelFunc>[0]);
  // Disposing the temporary b also frees the XNNPACK operator cached under its id.
  if (aPlain !== a) disposeIntermediates(backend, aPlain);
  if (bPlain !== b) disposeIntermediates(backend, bPlain);
  return out;
}

export const batchMatMulWasmConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
  setupFunc: stockSetup(BatchMatMul),
};
