/** The SIMD module assembles to valid WebAssembly and binds to the wasm backend's heap. */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.js';
import { allocScratch, freeScratch, simdKernels, simdModuleBytes } from './kernels.js';

test('the SIMD module is valid WebAssembly', () => {
  assert.ok(WebAssembly.validate(simdModuleBytes()));
});

test('its kernels work in place on the backend heap, across heap growth', async () => {
  await initBackend('wasm');
  const backend = tf.backend() as BackendWasm;
  const simd = simdKernels(backend);
  assert.ok(simd !== null);
  const rows = 3;
  const channels = 8;
  const base = allocScratch(backend, 4 * (3 * rows * channels + 2 * channels) + 16);
  const at = Math.ceil(base / 16) * 16;
  const [x, y, a, b] = [at, at + 4 * rows * channels, at + 8 * rows * channels, at + 8 * rows * channels + 4 * channels];
  const heap = () => new Float32Array(backend.wasm.HEAPU8.buffer);
  heap().set(
    Array.from({ length: rows * channels }, (_, i) => i),
    x / 4,
  );
  heap().set(
    Array.from({ length: channels }, (_, c) => c + 1),
    a / 4,
  );
  heap().set(
    Array.from({ length: channels }, () => 0.5),
    b / 4,
  );
  const big = tf.zeros([64, 1024, 1024]); // grows the heap: addresses stay valid, old views do not
  simd!.channelAffine(x, y, rows, channels, a, b);
  const out = Array.from(heap().subarray(y / 4, y / 4 + rows * channels));
  assert.deepEqual(
    out,
    Array.from({ length: rows * channels }, (_, i) => i * ((i % channels) + 1) + 0.5),
  );
  big.dispose();
  freeScratch(backend, base);
});
