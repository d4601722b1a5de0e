import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { bits } from '../testing/records.js';
import { type BackendName, initBackend } from './backend.js';

for (const backend of ['wasm', 'cpu'] as BackendName[]) {
  test(`tensors kept for backprop share their data, with no Identity kernel, the same gradients and no leak, on ${backend}`, async () => {
    await initBackend(backend); // installs the shared saving
    const engine = tf.engine() as unknown as Record<string, unknown>;
    const shared = engine.saveTensorsForBackwardMode;
    const w = tf.variable(tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.75], [3, 2]));
    const x = tf.tensor2d([1, 2, 3, -1, 0.5, 4], [2, 3]);
    const step = () => tf.variableGrads(() => tf.sum(tf.tanh(tf.matMul(tf.relu(x), w))) as tf.Scalar, [w]);
    const run = async () => {
      const before = tf.memory().numTensors;
      const { value, grads } = step();
      const out = { value: bits(value.dataSync() as Float32Array), grad: bits(grads[w.name]!.dataSync() as Float32Array) };
      tf.dispose([value, grads[w.name]!]);
      assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
      const kernels = (await tf.profile(() => tf.dispose(Object.values(step().grads)))).kernels.map((k) => k.name);
      return { ...out, identities: kernels.filter((k) => k === 'Identity').length };
    };
    const ours = await run();
    delete engine.saveTensorsForBackwardMode; // the engine's own: a clone (an Identity kernel) per kept tensor
    try {
      const stock = await run();
      assert.ok(stock.identities > 0, 'the stock path clones');
      assert.equal(ours.identities, 0);
      assert.deepEqual({ ...ours, identities: 0 }, { ...stock, identities: 0 });
    } finally {
      engine.saveTensorsForBackwardMode = shared;
      tf.dispose([w, x]);
    }
  });
}
