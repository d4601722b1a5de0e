/** Ablation: the aux loss without weight sharing — two CNN towers, one per digit, each with its digit head. */
import * as tf from '@tensorflow/tfjs-core';
import { cnnAux } from './cnn-aux.js';
import { linear } from './layers.js';
import type { ModelSpec } from './model.js';
import { interleave, splitPair } from './pair-utils.js';
import { cnnTower } from './towers.js';

export const cnnAuxUnshared: ModelSpec = {
  description: 'two CNN digit towers (no sharing) + auxiliary digit loss (ablation)',
  auxiliaryLoss: true,
  hyper: cnnAux.hyper, // same loss as cnn-aux, so its hyper-parameters
  build(params) {
    const firstTower = cnnTower(params, 1);
    const secondTower = cnnTower(params, 1);
    const head = linear(params, 'fc3', 20, 2);
    return (pairs, ctx) => {
      const [first, second] = splitPair(pairs);
      const digits = interleave(firstTower(first, ctx), secondTower(second, ctx));
      return { comparison: head(tf.reshape(digits, [-1, 20]), ctx), digits };
    };
  },
};
