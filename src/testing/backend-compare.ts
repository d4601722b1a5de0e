/**
 * Helpers for the kernel tests: run the same computation on the pure-JS `cpu` backend (the
 * reference) and on `wasm` with our kernels, from the same seeded inputs, and compare. Each
 * backend is selected by `initBackend`, as a run selects it.
 * (Not named *test* so that `node --test` does not pick it up as a test file.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, initBackend } from '../engine/backend.js';

export type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** Deterministic uniform values in [-1, 1) (LCG), so every backend sees identical inputs. */
export function seededValues(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/**
 * Selects `backend`, builds tensors from `inputs` on it, runs `fn` inside a tidy and
 * returns the outputs' values; nothing is left allocated.
 */
export async function runOn(
  backend: BackendName,
  inputs: { values: Float32Array; shape: number[] }[],
  fn: (...tensors: tf.Tensor[]) => tf.Tensor[],
): Promise<Float32Array[]> {
  await initBackend(backend);
  const tensors = inputs.map(({ values, shape }) => tf.tensor(values, shape, 'float32'));
  const outs = tf.tidy(() => fn(...tensors));
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose([...tensors, ...outs]);
  return values;
}

/** max |a − b| / max |b| (b is the reference). */
export function maxRelativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    maxRef = Math.max(maxRef, Math.abs(b[i]!));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}

/** Output spatial size of a forward conv, via the library's own shape logic. */
export function convOutShape(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number],
  pad: Pad,
): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad);
  return info.outShape;
}

/** Conv shapes the kernel tests share: our models' layers (small batches) and odd cases. */
export interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
}

export const CASES: Case[] = [
  // the models' layers, small batches
  { x: [2, 14, 14, 2], filter: [5, 5, 2, 32], strides: [1, 1], pad: 2 },
  { x: [3, 4, 4, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 3 },
  { x: [2, 4, 4, 64], filter: [3, 3, 64, 32], strides: [1, 1], pad: 3 },
  { x: [4, 4, 4, 32], filter: [5, 5, 32, 16], strides: [1, 1], pad: 3 },
  { x: [1, 14, 14, 1], filter: [5, 5, 1, 32], strides: [1, 1], pad: 2 },
  // paddings / strides / shapes
  { x: [1, 7, 9, 1], filter: [3, 3, 1, 4], strides: [1, 1], pad: 'same' },
  { x: [5, 8, 6, 3], filter: [3, 2, 3, 5], strides: [1, 1], pad: 'valid' },
  { x: [4, 3, 3, 8], filter: [1, 1, 8, 6], strides: [1, 1], pad: 'valid' },
  {
    x: [2, 6, 6, 2],
    filter: [5, 5, 2, 3],
    strides: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 3],
      [0, 0],
    ],
  },
  { x: [2, 9, 9, 4], filter: [3, 3, 4, 8], strides: [2, 2], pad: 'same' },
  { x: [2, 8, 8, 4], filter: [4, 4, 4, 8], strides: [2, 2], pad: 'same' },
  { x: [3, 10, 7, 2], filter: [3, 3, 2, 3], strides: [2, 2], pad: 'valid' },
  { x: [2, 8, 8, 3], filter: [4, 4, 3, 5], strides: [2, 2], pad: 1 },
  { x: [8, 5, 6, 16], filter: [2, 3, 16, 8], strides: [2, 1], pad: 'same' },
];
