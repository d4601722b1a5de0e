/**
 * Our best model: a stronger digit classifier, shared by both digits, and no learnt comparison
 * at all — P(first ≤ second) is computed from the two digit distributions. The comparison error
 * follows the digit error, so all the work goes into reading digits from 2,000 training
 * examples: re-pairing them every epoch, random rotation/zoom/shift, label smoothing, a cosine
 * learning-rate decay and 80 epochs (its recipe's own count). Design search: docs/research/.
 */
import { batchNorm, comparisonFromDigits, conv2d, defineModel, flatten, linear, maxPool, relu, sequential, tf } from './kit.js';

export const digitTower = defineModel({
  name: 'digit-tower',
  description: 'shared CNN digit classifier (32c5-pool-64c3-pool-128-10); comparison computed from the digit probabilities',
  auxiliaryLoss: true,
  hyper: {
    learningRate: 0.004,
    l2: 0,
    epochs: 80,
    schedule: 'cosine',
    repairEachEpoch: true,
    augment: { rotateDegrees: 10, scale: 0.1, translatePixels: 1 },
    labelSmoothing: 0.1,
    comparisonLoss: false, // the comparison has no weights: the digit loss is the whole signal
    batchSize: 32, // 64 digits per step
  },
  build(params) {
    // 14×14 → conv 5×5 (same) → 7×7 → conv 3×3 (same) → 3×3×64 = 576 → 128 → 10.
    const tower = sequential(
      conv2d(params, 'conv1', 1, 32, 5, 2),
      batchNorm(params, 'bn1', 32),
      relu,
      maxPool(2),
      conv2d(params, 'conv2', 32, 64, 3, 1),
      batchNorm(params, 'bn2', 64),
      relu,
      maxPool(2),
      flatten,
      linear(params, 'fc1', 576, 128),
      batchNorm(params, 'bn3', 128),
      relu,
      linear(params, 'fc2', 128, 10),
    );
    return (pairs, ctx) => {
      const digits = tower(tf.reshape(pairs, [-1, 14, 14, 1]), ctx); // every digit, pairs interleaved
      return { comparison: comparisonFromDigits(digits), digits };
    };
  },
});
