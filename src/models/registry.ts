/** Every architecture by name. Adding a model = adding a file and a line here. */

import { baseline } from './baseline.js';
import { baselineAux } from './baseline-aux.js';
import { baselineAuxUnshared } from './baseline-aux-unshared.js';
import { baselineShared } from './baseline-shared.js';
import { cnn } from './cnn.js';
import { cnnAux } from './cnn-aux.js';
import { cnnAuxUnshared } from './cnn-aux-unshared.js';
import { cnnShared } from './cnn-shared.js';
import { digitTower } from './digit-tower.js';
import type { ModelSpec } from './model.js';

export const MODELS = {
  baseline,
  'baseline-aux': baselineAux,
  cnn,
  'cnn-aux': cnnAux,
  'baseline-shared': baselineShared,
  'baseline-aux-unshared': baselineAuxUnshared,
  'cnn-shared': cnnShared,
  'cnn-aux-unshared': cnnAuxUnshared,
  'digit-tower': digitTower,
} satisfies Record<string, ModelSpec>;

export type ModelName = keyof typeof MODELS;
export const MODEL_NAMES = Object.keys(MODELS) as ModelName[];
/** The seed report's four models, the default of a study. */
export const SEED_MODELS: ModelName[] = ['baseline', 'baseline-aux', 'cnn', 'cnn-aux'];

/**
 * The sharing × aux ablation: per family, the four combinations. The seed's aux models share
 * weights too, so only all four together separate the two effects.
 */
export const ABLATION = {
  mlp: { plain: 'baseline', shared: 'baseline-shared', aux: 'baseline-aux-unshared', sharedAux: 'baseline-aux' },
  cnn: { plain: 'cnn', shared: 'cnn-shared', aux: 'cnn-aux-unshared', sharedAux: 'cnn-aux' },
} as const satisfies Record<string, Record<'plain' | 'shared' | 'aux' | 'sharedAux', ModelName>>;
export const ABLATION_MODELS: ModelName[] = Object.values(ABLATION).flatMap((f) => Object.values(f));
