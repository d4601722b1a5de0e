/** Table II: the CNN on the two-channel pair image; no aux loss. */
import { cnnTower, defineModel, linear, tf } from './kit.js';

export const cnn = defineModel({
  name: 'cnn',
  description: 'CNN on the 2-channel pair image (Table II)',
  auxiliaryLoss: false,
  hyper: { learningRate: 0.001, l2: 0.1 },
  build(params) {
    const tower = cnnTower(params, 2);
    const head = linear(params, 'fc3', 10, 2);
    // NCHW → NHWC: the two digits become the two input channels.
    return (pairs, ctx) => ({ comparison: head(tower(tf.transpose(pairs, [0, 2, 3, 1]), ctx), ctx) });
  },
});
