/**
 * A model's training recipe, as one zod schema: the single source of the option names, their
 * bounds and their TypeScript type. The config validates per-model overrides against it and
 * each model file declares its defaults in it.
 */
import { z } from 'zod';
import type { AffineJitter } from '../data/augment.js';

/** The seed's epoch count, for models whose recipe does not name its own. */
export const SEED_EPOCHS = 25;

const affineJitter = z.strictObject({
  /** Rotation bound, in degrees. */
  rotateDegrees: z.number().min(0).max(180),
  /** Scale bound, as a fraction (0.1: zoom between 0.9× and 1.1×). */
  scale: z.number().min(0).max(0.9),
  /** Translation bound along each axis, in pixels (continuous). */
  translatePixels: z.number().min(0).max(7),
}) satisfies z.ZodType<AffineJitter>;

export const hyperSchema = z.strictObject({
  /** Adam's learning rate. */
  learningRate: z.number().positive().max(10),
  /** λ of the L2 penalty λ·Σw² added to the loss. */
  l2: z.number().min(0).max(100),
  /** Passes over the training pairs per round (default: the seed's 25; `--epochs` overrides every model's). */
  epochs: z.int().min(1).max(100_000).optional(),
  /** Learning-rate schedule over the epochs: constant (the seed's), or cosine decay towards 0. */
  schedule: z.enum(['constant', 'cosine']).optional(),
  /** Re-pair the round's 2N training digits into new pairs every epoch. */
  repairEachEpoch: z.boolean().optional(),
  /** Random rotation, zoom and translation of every training digit, drawn afresh each epoch. */
  augment: affineJitter.optional(),
  /** Members trained per round from different initial weights, their predicted probabilities averaged. */
  ensemble: z.int().min(1).max(32).optional(),
  /** Pairs per mini-batch for this model (default: the config's batch size). */
  batchSize: z.int().min(1).max(1_000_000).optional(),
  /** Label smoothing ε of the digit cross-entropy (default 0). */
  labelSmoothing: z.number().min(0).max(0.5).optional(),
  /** Whether the comparison cross-entropy is part of the loss (default true). */
  comparisonLoss: z.boolean().optional(),
  /** Draw a fresh order of the training pairs every epoch (default true; the authors' code never reshuffles). */
  shuffle: z.boolean().optional(),
  /**
   * The digit term of the loss: 'sum' = CE(first) + CE(second), the seed's equation 1 (default);
   * 'mean' = one CE averaged over all 2B digits, half of it (the authors' code).
   */
  digitLoss: z.enum(['sum', 'mean']).optional(),
  /** Where the digit loss reads the tower of an aux model: after its last ReLU (default), or before it (the authors' Base_Aux). */
  digitLossOn: z.enum(['relu', 'pre-relu']).optional(),
  /** Whether an aux model's digit outputs pass through the tower's last ReLU at all (default true; false: an ablation). */
  digitReLU: z.boolean().optional(),
});

/** The training hyper-parameters that differ between models (the optional ones default to the seed's plain recipe). */
export type HyperParams = z.output<typeof hyperSchema>;
