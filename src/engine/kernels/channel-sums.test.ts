/**
 * A conv layer's bias gradient taken from batch norm's gradient pass (./channel-sums.ts) against
 * the Sum kernel's: a CNN block, conv2dBias then batchNormReluMaxPool, against tf.conv2d + bias
 * then the same block, bit for bit (values, statistics, and the gradients of x, filter, bias,
 * scale and offset), on the CNN tower's shapes and on one whose rows end part-way through a
 * summing block; and with the conv's output read twice, where the sum must not be taken.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from '../../testing/backend-compare.js';
import { bits } from '../../testing/records.js';
import { initBackend } from '../backend.js';
import { batchNormReluMaxPool } from '../ops/batch-norm-relu-max-pool.js';
import { conv2dBias } from '../ops/conv2d-bias.js';

before(() => initBackend('wasm'));

const CASES: { x: [number, number, number, number]; filter: [number, number, number, number]; pad: number; k: number }[] = [
  { x: [3, 14, 14, 1], filter: [5, 5, 1, 32], pad: 2, k: 3 }, // the tower's conv1 … conv4
  { x: [3, 4, 4, 32], filter: [3, 3, 32, 64], pad: 3, k: 2 },
  { x: [3, 4, 4, 64], filter: [3, 3, 64, 32], pad: 3, k: 2 },
  { x: [3, 4, 4, 32], filter: [5, 5, 32, 16], pad: 3, k: 2 },
  { x: [5, 7, 9, 2], filter: [3, 3, 2, 8], pad: 1, k: 2 }, // 315 rows: the last of the 64-row blocks is partial
];

type Case = (typeof CASES)[number];
type Block = (
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  c: Case,
) => { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor };

const block = (z: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D, c: Case) => batchNormReluMaxPool(z, scale, offset, 1e-5, c.k);
/** The model's route: the bias gradient from batch norm's pass. */
const handedOver: Block = (x, filter, bias, scale, offset, c) => block(conv2dBias(x, filter, bias, c.pad), scale, offset, c);
/** tfjs's Add: its bias gradient by the Sum kernel. */
const summed: Block = (x, filter, bias, scale, offset, c) => block(tf.add(tf.conv2d(x, filter, 1, c.pad), bias), scale, offset, c);
/** z read twice (the block and a second term), so its gradient is a new tensor: each route must sum it. */
const readTwice =
  (conv: (x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, c: Case) => tf.Tensor4D): Block =>
  (x, filter, bias, scale, offset, c) => {
    const z = conv(x, filter, bias, c);
    const out = block(z, scale, offset, c);
    return { ...out, mean: tf.add(out.mean, tf.sum(tf.mul(z, 0.25), [0, 1, 2])) };
  };

/** Values, statistics and the gradients of Σ y·w + Σ mean·wm + Σ variance·wv, as bits; and the kernels it ran. */
async function run(route: Block, c: Case, seed: number): Promise<{ values: number[][]; kernels: string[] }> {
  const values = seededValues(tf.util.sizeFromShape(c.x), seed).map((v, i) => (i % 13 === 0 ? -0 : v));
  const channels = c.filter[3];
  const profile = await tf.profile(() =>
    tf.tidy(() => {
      const inputs = [
        tf.tensor4d(values, c.x),
        tf.tensor4d(seededValues(tf.util.sizeFromShape(c.filter), seed + 1), c.filter),
        tf.tensor1d(seededValues(channels, seed + 2)),
        tf.tensor1d(seededValues(channels, seed + 3).map((v) => v + 0.5)),
        tf.tensor1d(seededValues(channels, seed + 4)),
      ];
      let outs: number[][] = [];
      const weigh = (t: tf.Tensor, s: number) => tf.sum(tf.mul(t, tf.tensor(seededValues(t.size, s), t.shape)));
      const grads = tf.grads((x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) => {
        const { y, mean, variance } = route(x as tf.Tensor4D, filter as tf.Tensor4D, bias as tf.Tensor1D, scale as tf.Tensor1D, offset as tf.Tensor1D, c);
        outs = [y, mean, variance].map((t) => bits(t.dataSync() as Float32Array));
        return tf.addN([weigh(y, seed + 5), weigh(mean, seed + 6), weigh(variance, seed + 7)]);
      })(inputs);
      return [...outs, ...grads.map((t) => bits(t.dataSync() as Float32Array))];
    }),
  );
  // A Sum over the convolution's output z (batch norm's gradient's input x): the bias gradient's.
  const z = JSON.stringify(profile.kernels.find((k) => k.name === 'BatchNormReluMaxPoolGrad')?.inputShapes[1]);
  return {
    values: profile.result as unknown as number[][],
    kernels: profile.kernels.map((k) => (k.name === 'Sum' && JSON.stringify(k.inputShapes[0]) === z ? 'bias Sum' : k.name)),
  };
}

const NAMES = ['y', 'mean', 'variance', 'dx', 'dfilter', 'dbias', 'dscale', 'doffset'];

test("a conv layer's bias gradient from batch norm's gradient pass = the Sum kernel's, bit for bit", async () => {
  for (const [i, c] of CASES.entries()) {
    const [a, b] = [await run(handedOver, c, 10 * i), await run(summed, c, 10 * i)];
    assert.ok(!a.kernels.includes('bias Sum'), `${c.x}: no Sum over dz`);
    assert.ok(b.kernels.includes('bias Sum'), `${c.x}: the reference sums dz`);
    for (const [j, name] of NAMES.entries()) assert.deepEqual(a.values[j], b.values[j], `${c.x} * ${c.filter}: ${name}`);
  }
});

test('with the conv output read twice, the bias gradient is the Sum of the summed gradient', async () => {
  const c = CASES[1]!;
  const ours = readTwice((x, filter, bias, c) => conv2dBias(x, filter, bias, c.pad));
  const stock = readTwice((x, filter, bias, c) => tf.add(tf.conv2d(x, filter, 1, c.pad), bias));
  const [a, b] = [await run(ours, c, 3), await run(stock, c, 3)];
  const biasSums = (r: { kernels: string[] }) => r.kernels.filter((k) => k === 'bias Sum').length;
  assert.equal(biasSums(a), 2, "the forward's Sum and the summed gradient's");
  assert.equal(biasSums(b), 2);
  for (const [j, name] of NAMES.entries()) assert.deepEqual(a.values[j], b.values[j], name);
});
