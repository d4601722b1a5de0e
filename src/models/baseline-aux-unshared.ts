/** Ablation: the aux loss without weight sharing — two MLP towers, one per digit, each with its digit head. */

import { baselineAux } from './baseline-aux.js';
import { defineModel, digitOutputs, interleave, linear, mlpTower, splitPair, tf } from './kit.js';

export const baselineAuxUnshared = defineModel({
  name: 'baseline-aux-unshared',
  description: 'two MLP digit towers (no sharing) + auxiliary digit loss (ablation)',
  auxiliaryLoss: true,
  hyper: baselineAux.hyper, // same loss as baseline-aux, so its hyper-parameters
  digitTowers: 2,
  build(params, recipe) {
    const firstTower = mlpTower(params, 196, false);
    const secondTower = mlpTower(params, 196, false);
    const head = linear(params, 'fc4', 20, 2);
    return (pairs, ctx) => {
      const [first, second] = splitPair(pairs).map((d) => tf.reshape(d, [-1, 196]));
      const { activated, digits, digitsPreReLU } = digitOutputs(interleave(firstTower(first, ctx), secondTower(second, ctx)), recipe);
      return { comparison: head(tf.reshape(activated, [-1, 20]), ctx), digits, digitsPreReLU };
    };
  },
});
