/**
 * A running average's step, running·keep + batch·take, as the stock ops
 *
 *   tf.add(tf.mul(running, keep), tf.mul(batch, take))
 *
 * round it (each product and the sum rounded to float32; keep and take made float32 scalars),
 * computed on the host instead: batch norm moves its running statistics this way after every
 * training step, and as ops that was six kernel calls per layer, each taped (the batch
 * statistics come out of a taped op) and then pruned from the gradient. Reading back C numbers
 * costs less than one dispatch. Not taped: the running statistics take no gradient.
 */
import * as tf from '@tensorflow/tfjs-core';

const fr = Math.fround;

export function runningAverage(running: tf.Tensor1D, batch: tf.Tensor1D, keep: number, take: number): tf.Tensor1D {
  const [r, b] = [running.dataSync(), batch.dataSync()];
  const [k, t] = [fr(keep), fr(take)];
  const out = new Float32Array(r.length);
  // Each double result rounded once to float32: exactly float32's + and × (53 ≥ 2·24 + 2 bits).
  for (let i = 0; i < out.length; i++) out[i] = fr(r[i]! * k) + fr(b[i]! * t);
  return tf.tensor1d(out);
}
