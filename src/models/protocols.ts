/**
 * Training protocols. `report` trains and measures as the seed report describes (our reading,
 * README "Decisions the seed report leaves open"). `authors-code` follows the authors'
 * published code (GitHub sducouedic/deep-learning-course-ee559, folder project1/), which is
 * what produced the seed's Table III: its recipes for the four seed models are below, and it
 * measures errors in training mode (src/train/fit.ts).
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
