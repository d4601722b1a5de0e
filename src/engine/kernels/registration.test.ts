/**
 * Registration is idempotent, and repeated gradient calls leak nothing: no tensors, no wasm
 * data buckets, and no wasm heap growth (which is where a leaked XNNPACK operator — cached
 * by the C++ Conv2D under the id of the temporary filter we pass it — would show).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../wasm-kernels.js';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input.js';
import { convOutShape, ensureConv2DGradient, seededValues, useBackend } from './backend-compare.js';

test('registerWasmTrainingKernels is idempotent and installs our kernels', async () => {
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args);
  try {
    registerWasmTrainingKernels();
    registerWasmTrainingKernels();
    await useBackend('wasm');
    registerWasmTrainingKernels(); // also safe once the backend is live
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, []);
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), conv2DBackpropFilterWasmConfig);
  assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), conv2DBackpropInputWasmConfig);
});

test('repeated conv gradients leak no tensors, data buckets or wasm heap', async () => {
  await useBackend('wasm');
  ensureConv2DGradient();
  const backend = tf.backend() as BackendWasm;
  // Stride 1 with cropping (pad 3 > kernel 3 − 1), 'same', and stride 2 (sliced dW, stock dx).
  type Shape = [number, number, number, number];
  const cases: { x: Shape; w: Shape; strides: number; pad: 'same' | 'valid' | number }[] = [
    { x: [8, 4, 4, 32], w: [3, 3, 32, 64], strides: 1, pad: 3 },
    { x: [8, 14, 14, 8], w: [5, 5, 8, 32], strides: 1, pad: 'same' },
    { x: [4, 9, 9, 4], w: [3, 3, 4, 8], strides: 2, pad: 'valid' },
  ];
  const tensors = cases.map((c, i) => {
    const dyShape = convOutShape(c.x, c.w, [c.strides, c.strides], c.pad);
    return {
      c,
      x: tf.tensor4d(seededValues(tf.util.sizeFromShape(c.x), i + 1), c.x),
      w: tf.tensor4d(seededValues(tf.util.sizeFromShape(c.w), i + 7), c.w),
      dy: tf.tensor4d(seededValues(tf.util.sizeFromShape(dyShape), i + 13), dyShape),
    };
  });
  const step = () => {
    for (const { c, x, w, dy } of tensors) {
      const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad);
      tf.dispose(tf.grads(conv)([x, w], dy));
    }
  };
  step(); // warm up (first-call allocations)
  step();
  const heap = () => backend.wasm.HEAPU8.buffer.byteLength;
  const before = { tensors: tf.memory().numTensors, buckets: backend.numDataIds(), heap: heap() };
  for (let i = 0; i < 25; i++) step();
  const after = { tensors: tf.memory().numTensors, buckets: backend.numDataIds(), heap: heap() };
  assert.deepEqual(after, before);
  tf.dispose(tensors.flatMap(({ x, w, dy }) => [x, w, dy]));
});
