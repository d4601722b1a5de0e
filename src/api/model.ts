/**
 * A trained model to use from Node: `import { loadModel } from 'digit-pairs'` reads a model
 * folder and hands back a TrainedModel (../models/trained-model.ts), the class `predict`, the
 * self-checks of saved models and the browser app use too, so a model answers the same everywhere.
 */
import { type BackendName, initBackend } from '../engine/backend.js';
import { TrainedModel } from '../models/trained-model.js';
import { loadModelFile } from '../run/model-code.js';
import { readModelFiles } from '../run/model-files.js';

export { type Digit, pooledDigit } from '../data/pairs.js';
export { type PairPrediction, TrainedModel } from '../models/trained-model.js';

/**
 * Loads a model folder (model.json + weights.bin) on `backend` (initialised on first use). A model
 * trained from a model file needs that file as `modelFile`, with the SHA-256 model.json names.
 */
export async function loadModel(dir: string, options: { backend?: BackendName; modelFile?: string } = {}): Promise<TrainedModel> {
  await initBackend(options.backend ?? 'wasm');
  if (options.modelFile !== undefined) await loadModelFile(options.modelFile);
  return new TrainedModel(readModelFiles(dir));
}
