/**
 * Registration is idempotent and installs each backend's list, and repeated gradient calls
 * leak nothing: no tensors, no wasm data buckets, and no wasm heap growth (which is where a
 * leaked XNNPACK operator — cached by the C++ Conv2D under the id of the temporary filter we
 * pass it — would show).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '../../config.js';
import { loadPools } from '../../data/mnist.js';
import { makeRoundData } from '../../data/pairs.js';
import { Params } from '../../models/layers.js';
import { MODELS } from '../../models/registry.js';
import { makeRng } from '../../rng.js';
import { convOutShape, seededValues } from '../../testing/backend-compare.js';
import { restoreStockWasmKernels } from '../../testing/stock-kernels.js';
import { trainEpoch } from '../../train/fit.js';
import { type BackendName, initBackend } from '../backend.js';
import { KERNELS, registerKernels } from '../kernel-list.js';
import { conv2DBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputWasmConfig } from './conv2d-backprop-input.js';

test('registerKernels is idempotent and installs our kernels', async () => {
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args);
  try {
    registerKernels('wasm');
    registerKernels('wasm');
    await initBackend('wasm');
    registerKernels('wasm'); // also safe once the backend is live
    await initBackend('wasm');
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(warnings, []);
  assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), conv2DBackpropFilterWasmConfig);
  assert.equal(tf.getKernel('Conv2DBackpropInput', 'wasm'), conv2DBackpropInputWasmConfig);
});

for (const backend of ['wasm', 'cpu'] satisfies BackendName[]) {
  test(`initBackend('${backend}') installs its whole list, the kernels of every op of ours among them`, async () => {
    await initBackend(backend);
    for (const config of KERNELS[backend]) assert.equal(tf.getKernel(config.kernelName, backend), config, config.kernelName);
    const names = KERNELS[backend].map((config) => config.kernelName);
    for (const name of ['BatchNormTrain', 'ReluTrainable', 'MaxPairs', 'AdamStep']) assert.ok(names.includes(name), name);
    for (const name of ['BatchNormTrain', 'ReluTrainable', 'MaxPairs']) assert.notEqual(tf.getGradient(name), undefined, `${name}'s gradient`);
  });
}

test('repeated conv gradients leak no tensors, data buckets or wasm heap', async () => {
  await initBackend('wasm');
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

test('restoreStockWasmKernels puts the stock kernels back; registerKernels reinstalls ours', async () => {
  await initBackend('wasm');
  const ours = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'BatchMatMul', 'MaxPoolGrad', 'FusedBatchNorm', 'Sum'];
  const installed = () => ours.map((name) => tf.getKernel(name, 'wasm'));
  const mine = installed();
  restoreStockWasmKernels();
  const stock = installed();
  try {
    for (const [i, name] of ours.entries()) {
      if (name === 'Conv2DBackpropFilter') assert.equal(stock[i], mine[i], 'kept: no stock version');
      else assert.notEqual(stock[i], mine[i], name);
    }
    assert.equal(tf.getKernel('BatchNormTrain', 'wasm'), undefined);
  } finally {
    registerKernels('wasm');
  }
  assert.deepEqual(installed(), mine);
  assert.notEqual(tf.getKernel('BatchNormTrain', 'wasm'), undefined);
});

test('a CNN training step leaks no tensors, data buckets or wasm heap', async () => {
  await initBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const params = new Params(makeRng(0, 'init'));
  const forward = MODELS['cnn-aux'].build(params);
  const optimizer = tf.train.adam(1e-3);
  const data = makeRoundData(loadPools(null), 40, 0);
  const config = parseConfig({ pairs: 40, batchSize: 20 });
  const epoch = () => trainEpoch({ forward, params, optimizer, batchSize: config.batchSize, hyper: MODELS['cnn-aux'].hyper }, data.train, makeRng(0, 't'));
  epoch();
  epoch(); // Adam's slots, XNNPACK operators, heap growth
  const heap = () => backend.wasm.HEAPU8.buffer.byteLength;
  const before = { tensors: tf.memory().numTensors, buckets: backend.numDataIds(), heap: heap() };
  for (let i = 0; i < 5; i++) epoch();
  assert.deepEqual({ tensors: tf.memory().numTensors, buckets: backend.numDataIds(), heap: heap() }, before);
  optimizer.dispose();
  params.dispose();
});
