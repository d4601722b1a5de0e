/** Every architecture by name. Adding a model = adding a file and a line here. */
import { baselineAux } from './baseline-aux.js';
import { baseline } from './baseline.js';
import { cnnAux } from './cnn-aux.js';
import { cnn } from './cnn.js';
import type { ModelSpec } from './model.js';

export const MODELS = {
  baseline,
  'baseline-aux': baselineAux,
  cnn,
  'cnn-aux': cnnAux,
} satisfies Record<string, ModelSpec>;

export type ModelName = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];
/** The seed report's four models, the default of a study. */
export const SEED_MODELS: ModelName[] = ['baseline', 'baseline-aux', 'cnn', 'cnn-aux'];
