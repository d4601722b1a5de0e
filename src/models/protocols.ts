/**
 * Training protocols, and everything each one decides. `report` trains and measures as the seed
 * report describes (our reading, docs/decisions.md). `authors-code`
 * follows the authors' published code (GitHub sducouedic/deep-learning-course-ee559, folder
 * project1/), which is what produced the seed's Table III: its recipes for the four seed models,
 * its measurement in training mode and its error formula are below; the config resolves the
 * recipes and training (src/train/) asks this module the rest.
 */
import type { HyperParams } from './hyper.js';
import type { ModelName } from './registry.js';

export const PROTOCOLS = ['report', 'authors-code'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * The published code's recipes. Learning rate and λ: the constructor defaults of Baseline,
 * Base_Aux, CNN and CNN_Aux in models.py (test.py overrides none). Model._train in
 * modelclass.py never reshuffles (batches are `narrow`ed in order) and feeds the aux models
 * 100 digit rows = 50 pairs per step, with one cross-entropy averaged over those 100 digits;
 * Base_Aux takes that loss on fc3 before its ReLU (the comparison layer reads the ReLU'd values).
 */
export const AUTHORS_CODE_RECIPES: Partial<Record<ModelName, Partial<HyperParams>>> = {
  baseline: { learningRate: 0.00112, l2: 0.33333333, shuffle: false },
  'baseline-aux': { learningRate: 0.0056, l2: 0, shuffle: false, batchSize: 50, digitLoss: 'mean', digitLossOn: 'pre-relu' },
  cnn: { learningRate: 0.001, l2: 0.1, shuffle: false },
  'cnn-aux': { learningRate: 0.00223, l2: 0.11111111, shuffle: false, batchSize: 50, digitLoss: 'mean' },
};

/** What a protocol changes in `model`'s recipe, over the model's own defaults. */
export function protocolRecipe(protocol: Protocol, model: ModelName): Partial<HyperParams> {
  return protocol === 'authors-code' ? (AUTHORS_CODE_RECIPES[model] ?? {}) : {};
}

/**
 * How a protocol measures a model's final errors: in inference mode (report), or as the authors'
 * code did, in training mode (batch statistics, dropout on) over consecutive chunks of one
 * mini-batch each (authors-code). Per-epoch curves are always in inference mode.
 */
export type Measure = 'inference' | 'training-mode';
export const measureOf = (protocol: Protocol): Measure => (protocol === 'authors-code' ? 'training-mode' : 'inference');

/**
 * A training-mode measurement's error (%) as the authors' code computes it: wrong pairs divided
 * by the rows of its input, 2 per pair for the aux models (whose input has a row per digit), so
 * their error comes out halved.
 */
export function authorsCodeErrorPercent(wrongPairs: number, pairs: number, auxiliaryLoss: boolean): number {
  return (100 * wrongPairs) / ((auxiliaryLoss ? 2 : 1) * pairs);
}
