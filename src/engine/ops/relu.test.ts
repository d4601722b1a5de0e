/**
 * relu (our ReluTrainable + ReluGrad kernels) against tf.relu on the same backend: forward and
 * gradient equal bit for bit, with zeros of both signs, NaN and infinities in x and in dy.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { runOn, seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import type { BackendName } from '../backend.js';
import { resetRoutes, setRoutes } from '../routes.js';
import { relu } from './relu.js';

after(resetRoutes);

const SPECIAL = [-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -1e-45];

/** Seeded values with the special ones sprinkled in. */
function values(size: number, seed: number): Float32Array {
  return seededValues(size, seed).map((v, i) => (i % 11 === 0 ? SPECIAL[(i / 11) % SPECIAL.length]! : v));
}

/** y and dx of Σ dy·f(x). */
const outputAndGrad = (f: (x: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, dy: tf.Tensor) => [f(x), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(f(v), dy)))(x)];

for (const [backend, simd] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as [BackendName, boolean][]) {
  for (const shape of [[20, 14, 14, 32], [7, 10], [3]]) {
    test(`relu = tf.relu forward and gradient, bit for bit, on ${backend}${backend === 'wasm' && !simd ? ' (SIMD off)' : ''}: [${shape}]`, async () => {
      setRoutes({ simd });
      const size = tf.util.sizeFromShape(shape);
      const inputs = [
        { values: values(size, 1), shape },
        { values: values(size, 2), shape },
      ];
      const reference = await runOn(backend, inputs, outputAndGrad(tf.relu));
      const got = await runOn(backend, inputs, outputAndGrad(relu));
      assert.deepEqual(bits(got[0]!), bits(reference[0]!), 'forward');
      // NaN's payload bits are not specified: compare NaN positions, every other value's bits.
      const canonical = (a: Float32Array) => bits(a.map((v) => (Number.isNaN(v) ? Number.NaN : v)));
      assert.deepEqual(canonical(got[1]!), canonical(reference[1]!), 'gradient');
    });
  }
}
