// The seed's CNN digit tower, shared by both digits, with no learnt comparison: P(first ≤ second)
// is computed from the tower's two digit distributions, so everything learnt goes into reading digits.
import { cnnTower, comparisonFromDigits, defineModel, tf } from 'digit-pairs';

export default defineModel({
  name: 'cnn-arith',
  description: "the seed's CNN tower on each digit; P(first ≤ second) from its two digit softmaxes",
  auxiliaryLoss: true, // the digit labels train the tower directly
  hyper: { learningRate: 0.0022, l2: 0.11 }, // cnn-aux's: the same tower under a similar loss
  build(params) {
    // Table II's tower up to its 10 digit logits (no final ReLU: the softmax reads them).
    const tower = cnnTower(params, 1, false);
    return (pairs, ctx) => {
      // [N, 2, 14, 14] → [2N, 14, 14, 1]: every digit through the one tower, pairs interleaved.
      const digits = tower(tf.reshape(pairs, [-1, 14, 14, 1]), ctx);
      return { comparison: comparisonFromDigits(digits), digits };
    };
  },
});
