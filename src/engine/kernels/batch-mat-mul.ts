/**
 * BatchMatMul for the wasm backend. The stock kernel runs XNNPACK's fully-connected GEMM only
 * for untransposed, batch-1 products; anything else, including both products of a dense layer's
 * gradient (dy·Wᵀ and xᵀ·dy), falls to a scalar C++ loop. And its GEMM re-creates its XNNPACK
 * operator, re-packing b, for every new b tensor: a dense layer's weights after every step.
 *
 * With wasm SIMD, every batch-1 float32 product runs our GEMM (../simd/kernels.ts, gemm), which
 * sums as XNNPACK's does, bit for bit (the test beside this file). Without it, the transposed
 * operand(s) are materialised with the Transpose kernel and the stock kernel runs untransposed,
 * so XNNPACK does the GEMM. Batched products (batch > 1) keep the stock path.
 */

import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BatchMatMul, type BatchMatMulAttrs, type BatchMatMulInputs, type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { routes } from '../routes.js';
import { heapAddress, type SimdKernels, simdKernels } from '../simd/kernels.js';
import { hostMemory } from './host-memory.js';
import { disposeIntermediates, runStockKernel, stockSetup, transpose } from './wasm-ops.js';

const runStock = (args: Parameters<KernelFunc>[0]) => runStockKernel(BatchMatMul, args);

/** `x` with its last two axes swapped. */
function swapLastTwo(backend: BackendWasm, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  return transpose(backend, x, perm);
}

/**
 * a·b (either transposed, batch 1) by our GEMM (../simd/kernels.ts, gemm4 and gemm1): a read in
 * place through its strides, a transposed b materialised (the GEMM reads b's rows as vectors).
 */
function simdGemm(backend: BackendWasm, simd: SimdKernels, a: TensorInfo, b: TensorInfo, { transposeA, transposeB }: BatchMatMulAttrs): TensorInfo {
  const [ra, rb] = [a.shape.length, b.shape.length];
  const [M, K] = transposeA ? [a.shape[ra - 1]!, a.shape[ra - 2]!] : [a.shape[ra - 2]!, a.shape[ra - 1]!];
  const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const bPlain = transposeB ? swapLastTwo(backend, b) : b;
  const out = hostMemory('wasm', backend).alloc([...(ra >= rb ? a : b).shape.slice(0, -2), M, N]);
  const at = (t: TensorInfo) => heapAddress(backend, t.dataId);
  const [aRow, aK] = transposeA ? [4, 4 * M] : [4 * K, 4];
  const full = Math.floor(M / 4);
  simd.gemm4!(at(a), at(bPlain), at(out), full, K, N, aRow, aK, 4 * N);
  simd.gemm1!(at(a) + 4 * full * aRow, at(bPlain), at(out) + 16 * full * N, M - 4 * full, K, N, aRow, aK, 4 * N);
  if (bPlain !== b) disposeIntermediates(backend, bPlain);
  return out;
}

function batchMatMul(args: { inputs: BatchMatMulInputs; backend: BackendWasm; attrs: BatchMatMulAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const a = inputs.a as TensorInfo;
  const b = inputs.b as TensorInfo;
  const { transposeA, transposeB } = attrs;
  const batch = (t: TensorInfo) => util.sizeFromShape(t.shape.slice(0, -2));
  const plain = batch(a) === 1 && batch(b) === 1 && a.dtype === 'float32' && b.dtype === 'float32';
  const simd = plain && routes.simd && util.sizeFromShape(a.shape) > 0 && util.sizeFromShape(b.shape) > 0 ? simdKernels(backend) : null;
  if (simd !== null) return simdGemm(backend, simd, a, b, attrs);
  if ((!transposeA && !transposeB) || !plain) {
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
