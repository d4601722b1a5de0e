/** Ablation: weight sharing without the aux loss — Table II's shared CNN tower, comparison loss only. */

import { cnn } from './cnn.js';
import { cnnTower, defineModel, linear, tf } from './kit.js';

export const cnnShared = defineModel({
  name: 'cnn-shared',
  description: 'shared CNN digit tower, no auxiliary loss (ablation)',
  auxiliaryLoss: false,
  hyper: cnn.hyper, // same loss as the CNN, so its hyper-parameters
  build(params) {
    const tower = cnnTower(params, 1);
    const head = linear(params, 'fc3', 20, 2);
    return (pairs, ctx) => ({ comparison: head(tf.reshape(tower(tf.reshape(pairs, [-1, 14, 14, 1]), ctx), [-1, 20]), ctx) });
  },
});
