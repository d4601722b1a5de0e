/**
 * Evaluation runs each layer's bias [→ batch norm] [→ ReLU [→ max-pool]] as one fused kernel on
 * wasm (sequential → fusedInferenceTail). Every model's evaluation outputs must equal the unfused
 * ops' bit for bit, with running statistics away from their initial 0 and 1.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../engine/backend.js';
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
