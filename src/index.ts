/**
 * digit-pairs as a library: define a model of your own with the building blocks the built-in
 * models use (`study --models ./my-model.js` trains it; docs/your-own-model.md); load a model
 * folder that a study wrote (`study --save-models`, `digit-pairs export`) and compare digits with
 * it; prepare your own images as MNIST was.
 */
export { type Digit, loadModel, type PairPrediction, pooledDigit, TrainedModel } from './api/model.js';
export { type ExperimentConfig, parseConfig, seedProtocol } from './config.js';
export { digitFromPng } from './data/png.js';
export { digitFromRgba, mnistStyle, rgbaToGrey } from './data/prepare.js';
export * from './models/kit.js';
export type { ModelJson } from './models/model-file.js';
export { MODEL_NAMES, type ModelName } from './models/registry.js';
