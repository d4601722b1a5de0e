/**
 * A trained model to use from Node: `import { loadModel } from 'digit-pairs'` reads a model
 * folder and hands back a TrainedModel (../models/trained-model.ts), the class `predict`, the
 * self-checks of saved models and the browser app use too, so a model answers the same everywhere.
 */
import { type BackendName, initBackend } from '../engine/backend.js';
import { TrainedModel } from '../models/trained-model.js';
import { readModelFiles } from '../run/model-files.js';

export { type Digit, pooledDigit } from '../data/pairs.js';
export { type PairPrediction, TrainedModel } from '../models/trained-model.js';

/** Loads a model folder (model.json + weights.bin) on `backend` (initialised on first use). */
export async function loadModel(dir: string, options: { backend?: BackendName } = {}): Promise<TrainedModel> {
  await initBackend(options.backend ?? 'wasm');
  return new TrainedModel(readModelFiles(dir));
}
