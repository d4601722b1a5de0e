/** Ablation: weight sharing without the aux loss — Table I's shared MLP tower, comparison loss only. */

import { baseline } from './baseline.js';
import { defineModel, linear, mlpTower, tf } from './kit.js';

export const baselineShared = defineModel({
  name: 'baseline-shared',
  description: 'shared MLP digit tower, no auxiliary loss (ablation)',
  auxiliaryLoss: false,
  hyper: baseline.hyper, // same loss as the baseline, so its hyper-parameters
  build(params) {
    const tower = mlpTower(params, 196);
    const head = linear(params, 'fc4', 20, 2);
    // One tower on both digits of each pair (see baseline-aux), its outputs never supervised alone.
    return (pairs, ctx) => ({ comparison: head(tf.reshape(tower(tf.reshape(pairs, [-1, 196]), ctx), [-1, 20]), ctx) });
  },
});
