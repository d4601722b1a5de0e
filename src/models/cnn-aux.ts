/** Table II in blue: one CNN tower applied to each single-channel digit, with digit logits. */
import * as tf from '@tensorflow/tfjs-core';
import { digitOutputs } from './digit-head.js';
import { linear } from './layers.js';
import type { ModelSpec } from './model.js';
import { cnnTower } from './towers.js';

export const cnnAux: ModelSpec = {
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
};
