/** Ablation: the aux loss without weight sharing — two CNN towers, one per digit, each with its digit head. */

import { cnnAux } from './cnn-aux.js';
import { cnnTower, defineModel, digitOutputs, interleave, linear, splitPair, tf } from './kit.js';

export const cnnAuxUnshared = defineModel({
  name: 'cnn-aux-unshared',
  description: 'two CNN digit towers (no sharing) + auxiliary digit loss (ablation)',
  auxiliaryLoss: true,
  hyper: cnnAux.hyper, // same loss as cnn-aux, so its hyper-parameters
  digitTowers: 2,
  build(params, recipe) {
    const firstTower = cnnTower(params, 1, false);
    const secondTower = cnnTower(params, 1, false);
    const head = linear(params, 'fc3', 20, 2);
    return (pairs, ctx) => {
      const [first, second] = splitPair(pairs);
      const { activated, digits, digitsPreReLU } = digitOutputs(interleave(firstTower(first, ctx), secondTower(second, ctx)), recipe);
      return { comparison: head(tf.reshape(activated, [-1, 20]), ctx), digits, digitsPreReLU };
    };
  },
});
