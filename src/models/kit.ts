/**
 * What a model is made of, as `import { … } from 'digit-pairs'` gives it: the layers, the seed's
 * two towers, the digit-head helpers, `defineModel`, and TensorFlow.js itself (the same instance
 * the trainer runs). The built-in models are written with exactly this, so a model file can do
 * whatever they do.
 */
export * as tf from '@tensorflow/tfjs-core';
export { defineModel, MODEL_NAME_PATTERN } from './define.js';
export { comparisonFromDigits, digitOutputs, interleave, splitPair } from './digit-head.js';
export { type HyperParams, hyperSchema, SEED_EPOCHS } from './hyper.js';
export {
  batchNorm,
  conv2d,
  dropout,
  type ForwardContext,
  flatten,
  type Layer,
  linear,
  type Mode,
  maxPool,
  maxPoolFeatures,
  Params,
  relu,
  sequential,
} from './layers.js';
export type { Forward, ModelSpec, Outputs } from './model.js';
export { cnnTower, mlpTower } from './towers.js';
