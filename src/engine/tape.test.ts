import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './backend.js';
import { eachReadOnce } from './tape.js';

before(() => initBackend('cpu'));

test('eachReadOnce counts the ops on the tape that read each variable', () => {
  const [w, b] = [tf.variable(tf.ones([2, 2])), tf.variable(tf.ones([2]))];
  const x = tf.ones([3, 2]);
  const seen: boolean[] = [];
  const record = (loss: () => tf.Tensor) =>
    tf.variableGrads(() => {
      const y = loss();
      seen.push(eachReadOnce([w, b]));
      return tf.sum(y) as tf.Scalar;
    }, [w, b]);
  record(() => tf.add(tf.matMul(x, w), b)); // each once
  record(() => tf.add(tf.matMul(x, w), tf.mul(b, b))); // b: one op, two inputs
  record(() => tf.add(tf.matMul(tf.matMul(x, w), w), b)); // w read by two ops
  assert.deepEqual(seen, [true, false, false]);
  assert.equal(eachReadOnce([w, b]), false, 'no tape records outside a gradient');
  tf.dispose([w, b, x]);
});
