/** Table I in blue: one MLP tower applied to each 196-pixel digit, its 10 outputs as digit logits. */
import { defineModel, digitOutputs, linear, mlpTower, tf } from './kit.js';

export const baselineAux = defineModel({
  name: 'baseline-aux',
  description: 'shared MLP digit tower + auxiliary digit loss (Table I, blue)',
  auxiliaryLoss: true,
  hyper: { learningRate: 0.0056, l2: 0.001 },
  digitTowers: 1,
  build(params, recipe) {
    const tower = mlpTower(params, 196, false);
    const head = linear(params, 'fc4', 20, 2);
    return (pairs, ctx) => {
      // [N, 2, 14, 14] → [2N, 196]: both digits of every pair through the one tower, as the
      // seed's single-channel batch in which the two channels alternate.
      const { activated, digits, digitsPreReLU } = digitOutputs(tower(tf.reshape(pairs, [-1, 196]), ctx), recipe);
      // [2N, 10] → [N, 20]: each pair's two digit outputs side by side.
      return { comparison: head(tf.reshape(activated, [-1, 20]), ctx), digits, digitsPreReLU };
    };
  },
});
