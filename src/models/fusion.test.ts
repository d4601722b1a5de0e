/**
 * Evaluation runs each layer's bias [→ batch norm] [→ ReLU [→ max-pool]] as one fused kernel on
 * wasm (sequential → fusedInferenceTail). Every model's evaluation outputs must equal the unfused
 * ops' bit for bit, with running statistics away from their initial 0 and 1. Training runs each
 * conv layer with its bias (Conv2DBias), each batch norm → ReLU → max-pool (BatchNormReluMaxPool)
 * and each other ReLU → max-pool (ReluMaxPool) as one op: every model's training outputs and
 * gradients must equal those of the ops they replace, the batch-norm block's alone and all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
import { registerKernels } from '../engine/kernel-list.js';
import { BatchNormReluMaxPool } from '../engine/kernels/batch-norm-relu-max-pool.js';
import { Conv2DBias } from '../engine/kernels/conv2d-bias.js';
import { ReluMaxPool } from '../engine/kernels/relu-max-pool.js';
import { resetRoutes, setRoutes } from '../engine/routes.js';
import { makeRng } from '../rng.js';
import { seededValues } from '../testing/backend-compare.js';
import { bits } from '../testing/records.js';
import { Params } from './layers.js';
import { MODEL_NAMES, MODELS } from './registry.js';

before(() => initBackend('wasm'));
after(resetRoutes);

const tensorBits = (t: tf.Tensor) => bits(t.dataSync() as Float32Array);

describe('fused evaluation', () => {
  for (const name of MODEL_NAMES) {
    it(`${name}: evaluation outputs equal the unfused ops' bit for bit, in fewer kernels`, async () => {
      const params = new Params(makeRng(3, name));
      const forward = MODELS[name].build(params);
      // Running statistics as after training: means around 0, variances around 1, per channel.
      for (const [i, v] of params.state.entries()) {
        const isVariance = i % 2 === 1;
        v.assign(
          tf.tensor(
            seededValues(v.size, i + 1).map((u) => (isVariance ? 1 + 0.8 * u : 0.5 * u)),
            v.shape,
          ),
        );
      }
      const pairs = tf.tensor(
        seededValues(60 * 2 * 14 * 14, 9).map((u) => Math.max(0, u)),
        [60, 2, 14, 14],
      );
      const ctx = { mode: 'eval' as const, rng: makeRng(0, 'eval') };
      const run = async (fused: boolean) => {
        setRoutes({ fusedInferenceTail: fused });
        const profile = await tf.profile(() => {
          const out = forward(pairs, ctx);
          return [out.comparison, ...(out.digits ? [out.digits] : [])];
        });
        const outputs = profile.result as tf.Tensor[];
        const values = outputs.map(tensorBits);
        tf.dispose(outputs);
        return { values, kernels: profile.kernels.length };
      };
      const unfused = await run(false);
      const fused = await run(true);
      assert.deepEqual(fused.values, unfused.values);
      assert.ok(fused.kernels < unfused.kernels, `${fused.kernels} kernels fused, ${unfused.kernels} not`);
      pairs.dispose();
      params.dispose();
    });
  }
});

describe('fused training', () => {
  for (const name of MODEL_NAMES) {
    it(`${name}: a training step's outputs and every gradient equal the unfused ops' bit for bit`, async () => {
      const params = new Params(makeRng(5, name));
      const forward = MODELS[name].build(params);
      const pairs = tf.tensor(seededValues(40 * 2 * 14 * 14, 11), [40, 2, 14, 14]);
      // A loss that weighs every output differently, so each gradient path carries its own numbers.
      const weigh = (t: tf.Tensor, seed: number) => tf.sum(tf.mul(t, tf.tensor(seededValues(t.size, seed), t.shape)));
      const step = async () => {
        const profile = await tf.profile(() => {
          const { value, grads } = tf.variableGrads(() => {
            const out = forward(pairs, { mode: 'train', rng: makeRng(0, 'train') }); // the same dropout masks each time
            return tf.addN([weigh(out.comparison, 21), ...(out.digits ? [weigh(out.digits, 22)] : [])]) as tf.Scalar;
          }, params.trainable);
          return [value, ...params.trainable.map((v) => grads[v.name]!)];
        });
        const outputs = profile.result as tf.Tensor[];
        const values = outputs.map(tensorBits);
        tf.dispose(outputs);
        return { values, kernels: profile.kernels.length };
      };
      const fused = await step();
      try {
        // First without the batch-norm block alone (BatchNormTrain then ReluMaxPool), then without any fusion (tfjs's ops).
        for (const unregister of [[BatchNormReluMaxPool], [Conv2DBias, ReluMaxPool]]) {
          for (const kernel of unregister) tf.unregisterKernel(kernel, 'wasm'); // their ops fall back
          const unfused = await step();
          assert.deepEqual(fused.values, unfused.values);
          if (params.trainable.some((v) => v.rank === 4)) assert.ok(fused.kernels < unfused.kernels, `${fused.kernels} kernels fused, ${unfused.kernels} not`);
        }
      } finally {
        registerKernels('wasm');
        pairs.dispose();
        params.dispose();
      }
    });
  }
});
