/**
 * The one experiment config. Its defaults are the seed report's protocol; a variant is a
 * spread (`{ ...seedProtocol, rounds: 2 }`). Everything that changes the numbers lives here and
 * is written next to the results; how the run is executed (workers, output folder) does not.
 */
import { z } from 'zod';
import { BACKENDS } from './engine/backend.js';
import { UserError } from './errors.js';
import type { HyperParams } from './models/model.js';
import { MODEL_NAMES, MODELS, type ModelName, SEED_MODELS } from './models/registry.js';

const positiveInt = (max: number) => z.int().min(1).max(max);

const hyperSchema = z.strictObject({
  learningRate: z.number().positive().max(10),
  l2: z.number().min(0).max(100),
  schedule: z.enum(['constant', 'cosine']).optional(),
  repairEachEpoch: z.boolean().optional(),
  augment: z
    .strictObject({ rotateDegrees: z.number().min(0).max(180), scale: z.number().min(0).max(0.9), translatePixels: z.number().min(0).max(7) })
    .optional(),
  ensemble: z.int().min(1).max(32).optional(),
  batchSize: z.int().min(1).max(1_000_000).optional(),
  labelSmoothing: z.number().min(0).max(0.5).optional(),
  comparisonLoss: z.boolean().optional(),
});

/** Log-spaced factors from ×0.1 to ×10 around a model's default (its seed value). */
const SPAN_10X = [0.1, 0.316, 1, 3.16, 10];

const tuneSchema = z.strictObject({
  /** k of k-fold cross-validation on the training pairs. */
  folds: z.int().min(2).max(20).default(2),
  /** Learning rates tried: these factors × each model's default learning rate. */
  learningRateFactors: z.array(z.number().positive()).min(1).default(SPAN_10X),
  /** L2 λ tried: these factors × each model's default λ. */
  l2Factors: z.array(z.number().min(0)).min(1).default(SPAN_10X),
});

export const configSchema = z.strictObject({
  /** Architectures to train, by registry name. */
  models: z.array(z.enum(MODEL_NAMES)).min(1).default(SEED_MODELS),
  /** Rounds per model; each draws fresh pairs and fresh weights. */
  rounds: positiveInt(10_000).default(15),
  /** Passes over the training pairs per round. */
  epochs: positiveInt(100_000).default(25),
  /** Pairs in each of the train and test sets (each pair uses two digits of its pool). */
  pairs: positiveInt(1_000_000).default(1000),
  /** Mini-batch size. */
  batchSize: positiveInt(1_000_000).default(100),
  /** Base seed; round r uses seed + r for its data, weights, dropout and shuffling. */
  seed: z
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0),
  /** Directory with the MNIST IDX files, or null for the embedded digits. */
  dataDir: z.string().min(1).nullable().default(null),
  /** TensorFlow.js backend. */
  backend: z.enum(BACKENDS).default('wasm'),
  /** Evaluate train and test error after every epoch (for the per-epoch curves), not only at the end. */
  evalEveryEpoch: z.boolean().default(true),
  /** Per-model overrides of learning rate and L2 λ; the resolved values are recorded per model. */
  hyper: z.partialRecord(z.enum(MODEL_NAMES), hyperSchema.partial()).default({}),
  /** The hyper-parameter search of `digit-pairs tune` (unused by a study). */
  tune: tuneSchema.default(tuneSchema.parse({})),
});

export type ExperimentConfig = Omit<z.output<typeof configSchema>, 'hyper'> & {
  hyper: Partial<Record<ModelName, HyperParams>>;
};

/** Validates `input` (e.g. flags or a recorded config.json) and fills the defaults. */
export function parseConfig(input: unknown): ExperimentConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new UserError(describeIssues(result.error));
  const config = result.data;
  const hyper: Partial<Record<ModelName, HyperParams>> = {};
  for (const name of config.models) hyper[name] = { ...MODELS[name].hyper, ...config.hyper[name] };
  return { ...config, hyper };
}

/** The seed report's protocol: four models, 15 rounds, 25 epochs, 1000 pairs, batch 100. */
export const seedProtocol: ExperimentConfig = parseConfig({});

/** One line per problem, naming the field, what was given and what is valid. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.') || 'config';
      if (issue.code === 'invalid_value') return `${field}: must be one of ${issue.values.join(', ')}`;
      if (issue.code === 'unrecognized_keys')
        return `${field}: unknown field(s) ${issue.keys.join(', ')}; valid: ${Object.keys(configSchema.shape).join(', ')}`;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
