/**
 * 'L2Penalty' is the number tfjs's Square, Sum, AddN and Multiply give on the same backend, bit
 * for bit: wasm sums in float32 (its wasm loop, and the JavaScript one where SIMD is off), cpu in
 * float64 (a kernel rounding like the other backend fails).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import { type BackendName, initBackend } from '../backend.js';
import { l2PenaltyValue } from '../ops/l2-penalty.js';
import { resetRoutes, setRoutes } from '../routes.js';

const SHAPES = [[5, 5, 2, 32], [32], [3, 3, 32, 64], [144, 100], [1], [10]];

for (const [backend, simd] of [
  ['wasm', true],
  ['wasm', false],
  ['cpu', false],
] as [BackendName, boolean][]) {
  test(`L2Penalty = λ·addN(sum(square(w))) bit for bit on ${backend}${backend === 'wasm' ? (simd ? ' (wasm f32 loop)' : ' (SIMD off: JavaScript loop)') : ''}`, async (t) => {
    await initBackend(backend);
    setRoutes({ simd });
    t.after(resetRoutes);
    for (const [k, scale] of [0.3, 4, 1e-3].entries()) {
      const vars = SHAPES.map((shape, i) =>
        tf.mul(
          tf.tensor(
            seededValues(
              shape.reduce((a, b) => a * b),
              10 * k + i,
            ),
            shape,
          ),
          scale,
        ),
      );
      for (const l2 of [0.11, 0.1, 1 / 3, 7]) {
        const stock = tf.mul(l2, tf.addN(vars.map((v) => tf.sum(tf.square(v)))));
        const ours = l2PenaltyValue(l2, vars);
        assert.deepEqual(bits(ours.dataSync() as Float32Array), bits(stock.dataSync() as Float32Array), `λ ${l2}, scale ${scale}`);
        tf.dispose([stock, ours]);
      }
      tf.dispose(vars);
    }
    const names = (await tf.profile(() => l2PenaltyValue(0.5, [tf.ones([3])]))).kernels.map((k) => k.name);
    assert.deepEqual(
      names.filter((n) => n !== 'Fill'),
      ['L2Penalty'],
    );
  });
}
