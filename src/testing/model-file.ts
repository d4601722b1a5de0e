/** Model files for tests: small enough to train in a second, written as a user would. */

/** A model file's source: an MLP on the pair's 392 pixels, named `name`, with `extra` code at its top. */
export const mlpModelSource = (name: string, { learningRate = 0.002, hidden = 32, extra = '' } = {}) => `
import { defineModel, linear, relu, sequential, tf } from 'digit-pairs';
${extra}
export default defineModel({
  name: '${name}',
  description: 'a small MLP from a model file',
  auxiliaryLoss: false,
  hyper: { learningRate: ${learningRate}, l2: 0 },
  build(params) {
    const net = sequential(linear(params, 'fc1', 392, ${hidden}), relu, linear(params, 'fc2', ${hidden}, 2));
    return (pairs, ctx) => ({ comparison: net(tf.reshape(pairs, [-1, 392]), ctx) });
  },
});
`;
