/** Table II in blue: one CNN tower applied to each single-channel digit, with digit logits. */
import { cnnTower, defineModel, digitOutputs, linear, tf } from './kit.js';

export const cnnAux = defineModel({
  name: 'cnn-aux',
  description: 'shared CNN digit tower + auxiliary digit loss (Table II, blue)',
  auxiliaryLoss: true,
  hyper: { learningRate: 0.0022, l2: 0.11 },
  digitTowers: 1,
  build(params, recipe) {
    const tower = cnnTower(params, 1, false);
    const head = linear(params, 'fc3', 20, 2);
    return (pairs, ctx) => {
      // [N, 2, 14, 14] → [2N, 14, 14, 1]: every digit through the one tower, pairs interleaved.
      const { activated, digits, digitsPreReLU } = digitOutputs(tower(tf.reshape(pairs, [-1, 14, 14, 1]), ctx), recipe);
      return { comparison: head(tf.reshape(activated, [-1, 20]), ctx), digits, digitsPreReLU };
    };
  },
});
