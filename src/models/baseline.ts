/** Table I: the MLP baseline, both digits' 392 pixels in one vector; no sharing, no aux loss. */
import { defineModel, linear, mlpTower, tf } from './kit.js';

export const baseline = defineModel({
  name: 'baseline',
  description: 'MLP on the 392 pixels of the pair (Table I)',
  auxiliaryLoss: false,
  hyper: { learningRate: 0.0011, l2: 0.33 },
  build(params) {
    const tower = mlpTower(params, 392);
    const head = linear(params, 'fc4', 10, 2);
    return (pairs, ctx) => ({ comparison: head(tower(tf.reshape(pairs, [pairs.shape[0], 392]), ctx), ctx) });
  },
});
