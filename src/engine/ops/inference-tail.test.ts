/**
 * fusedInferenceTail fused (one wasm kernel) against the separate Add, batchNorm, Relu and
 * MaxPool it replaces, on wasm: equal bit for bit, on the SIMD path (C a multiple of 4) and the
 * JavaScript one, with negative zeros and NaN among the inputs.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { runOn, seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import { initBackend } from '../backend.js';
import { resetRoutes, setRoutes } from '../routes.js';
import { fusedInferenceTail } from './inference-tail.js';

after(resetRoutes);

/** Layer outputs of either sign, a few −0 and, unless pooled (a max's NaN is not pinned down), one NaN. */
function layerOutput(size: number, seed: number, withNaN: boolean): Float32Array {
  const v = seededValues(size, seed).map((u) => 4 * u);
  for (let i = 0; i < size; i += 37) v[i] = -0;
  if (withNaN) v[size >> 1] = Number.NaN;
  return v;
}

function inputsFor(shape: number[], seed: number, withNaN = true) {
  const channels = shape[shape.length - 1]!;
  const perChannel = (s: number, f: (u: number) => number) => ({ values: seededValues(channels, s).map(f), shape: [channels] });
  return [
    { values: layerOutput(tf.util.sizeFromShape(shape), seed, withNaN), shape },
    perChannel(seed + 1, (u) => u), // bias
    perChannel(seed + 2, (u) => 0.3 * u), // running mean
    perChannel(seed + 3, (u) => 0.5 + 0.4 * u), // running variance
    perChannel(seed + 4, (u) => 1 + 0.5 * u), // γ
    perChannel(seed + 5, (u) => 0.2 * u), // β
  ];
}

async function compare(shape: number[], withNorm: boolean, relu: boolean, seed: number, pool = 0) {
  const run = (fused: boolean) => {
    setRoutes({ fusedInferenceTail: fused });
    return runOn('wasm', inputsFor(shape, seed, pool === 0), (x, bias, mean, variance, scale, offset) => [
      fusedInferenceTail(
        x!,
        bias!,
        withNorm ? { mean: mean!, variance: variance!, scale: scale!, offset: offset!, varianceEpsilon: 1e-5 } : undefined,
        relu,
        pool,
      ),
    ]);
  };
  const [expected] = await run(false);
  const [got] = await run(true);
  assert.deepEqual(bits(got!), bits(expected!));
}

for (const simd of [true, false]) {
  for (const shape of [
    [6, 14, 14, 32],
    [5, 8, 8, 64],
    [20, 100],
    [20, 10],
  ]) {
    for (const [withNorm, relu] of [
      [true, true],
      [true, false],
      [false, true],
    ] as const) {
      test(`fusedInferenceTail fused = Add${withNorm ? ' + batchNorm' : ''}${relu ? ' + Relu' : ''} bit for bit on wasm: [${shape}]${simd ? '' : ', SIMD off'}`, async () => {
        setRoutes({ simd });
        await compare(shape, withNorm, relu, shape.length * 10 + shape[shape.length - 1]!);
      });
    }
  }
  // With the MaxPool after the ReLU, as in every conv block: 14 → 4 (3×3, floor), 8 → 4, 6 → 3.
  for (const [shape, pool] of [
    [[6, 14, 14, 32], 3],
    [[5, 8, 8, 64], 2],
    [[4, 6, 6, 16], 2],
    [[3, 5, 5, 6], 2],
  ] as const) {
    for (const withNorm of [true, false]) {
      test(`fusedInferenceTail fused with MaxPool(${pool}) = Add${withNorm ? ' + batchNorm' : ''} + Relu + MaxPool bit for bit on wasm: [${shape}]${simd ? '' : ', SIMD off'}`, async () => {
        setRoutes({ simd });
        await compare([...shape], withNorm, true, 7 + pool, pool);
      });
    }
  }
}

test('on wasm it is one kernel, not three', async () => {
  resetRoutes();
  await initBackend('wasm');
  const [x, bias, mean, variance, scale, offset] = inputsFor([4, 8], 1).map(({ values, shape }) => tf.tensor(values, shape));
  const norm = { mean: mean!, variance: variance!, scale: scale!, offset: offset!, varianceEpsilon: 1e-5 };
  const profile = await tf.profile(() => fusedInferenceTail(x!, bias!, norm, true));
  assert.deepEqual(profile.kernelNames, ['FusedInferenceTail']);
  tf.dispose([x!, bias!, mean!, variance!, scale!, offset!, profile.result as tf.Tensor]);
});
