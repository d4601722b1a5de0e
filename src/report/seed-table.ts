/** The seed report's Table III, for side-by-side comparison (its test-error std for the baseline reads "1.125"). */
import type { ModelName } from '../models/registry.js';

export interface SeedRow {
  label: string;
  params: number;
  train: [mean: number, std: number];
  test: [mean: number, std: number];
}

export const SEED_TABLE: Partial<Record<ModelName, SeedRow>> = {
  baseline: { label: 'Baseline', params: 72_032, train: [11.56, 0.61], test: [22.98, 1.125] },
  'baseline-aux': { label: 'Base. Aux', params: 40_692, train: [3.41, 0.48], test: [7.66, 0.6] },
  cnn: { label: 'CNN', params: 67_228, train: [4.9, 5.2], test: [21.56, 2.5] },
  'cnn-aux': { label: 'CNN Aux', params: 66_448, train: [1.3, 0.53], test: [5.83, 0.97] },
};
