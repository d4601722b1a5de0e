/**
 * The one experiment config. Its defaults are the seed report's protocol; a variant is a
 * spread (`{ ...seedProtocol, rounds: 2 }`). Everything that changes the numbers lives here and
 * is written next to the results; how the run is executed (workers, output folder) does not.
 * The zod schema is the single source: the TypeScript type is derived from it.
 */
import { z } from 'zod';
import { BACKENDS } from './engine/backends.js';
import { UserError } from './errors.js';
import { type HyperParams, hyperSchema, SEED_EPOCHS } from './models/hyper.js';
import { AUTHORS_CODE_RECIPES, PROTOCOLS } from './models/protocols.js';
import { MODEL_NAMES, MODELS, type ModelName, SEED_MODELS } from './models/registry.js';

const positiveInt = (max: number) => z.int().min(1).max(max);

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

const fields = z.strictObject({
  /** Architectures to train, by registry name. */
  models: z.array(z.enum(MODEL_NAMES)).min(1).default(SEED_MODELS),
  /** Rounds per model; each draws fresh pairs and fresh weights. */
  rounds: positiveInt(10_000).default(15),
  /** Passes over the training pairs per round for every model; null: each model's recipe decides (the seed's 25 unless it names its own). */
  epochs: positiveInt(100_000).nullable().default(null),
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
  /** How models train and errors are measured: the seed report as written, or the authors' published code (src/models/protocols.ts). */
  protocol: z.enum(PROTOCOLS).default('report'),
  /** Evaluate train and test error after every epoch (for the per-epoch curves), not only at the end. */
  evalEveryEpoch: z.boolean().default(true),
  /**
   * Measure the per-epoch errors (every epoch but the last) on the first N train and N test
   * pairs only, a random sample since pairs are drawn at random; null: on all of them. The
   * final errors, Table III's, are always on every pair.
   */
  epochEvalPairs: z.number().int().min(1).nullable().default(null),
  /** Per-model overrides of the recipe; the resolved recipe of every model is recorded. */
  hyper: z.partialRecord(z.enum(MODEL_NAMES), hyperSchema.partial()).default({}),
  /** The hyper-parameter search of `digit-pairs tune` (unused by a study). */
  tune: tuneSchema.default(tuneSchema.parse({})),
});

/** Config field names, for messages. */
export const CONFIG_FIELDS = Object.keys(fields.shape);

/**
 * Each model's full recipe: its defaults, the config's overrides, and the epoch count
 * (`epochs` when set, else the recipe's own, else the seed's).
 */
export const configSchema = fields
  .superRefine((config, context) => {
    const outside = config.protocol === 'authors-code' ? config.models.filter((m) => !(m in AUTHORS_CODE_RECIPES)) : [];
    if (outside.length) {
      context.addIssue({
        code: 'custom',
        path: ['protocol'],
        message: `authors-code follows the published code of the four seed models only (${Object.keys(AUTHORS_CODE_RECIPES).join(', ')}); not ${outside.join(', ')}`,
      });
    }
  })
  .transform((config) => {
    const hyper: Partial<Record<ModelName, HyperParams>> = {};
    for (const name of config.models) {
      const protocolRecipe = config.protocol === 'authors-code' ? AUTHORS_CODE_RECIPES[name] : {};
      const recipe = { ...MODELS[name].hyper, ...protocolRecipe, ...config.hyper[name] };
      hyper[name] = { ...recipe, epochs: config.epochs ?? recipe.epochs ?? SEED_EPOCHS };
    }
    return { ...config, hyper };
  });

export type ExperimentConfig = z.output<typeof configSchema>;

/**
 * Validates `input` (e.g. flags or a recorded config.json) and fills the defaults. `name` turns
 * a field's dotted path into what the user wrote (a flag, for the CLI).
 */
export function parseConfig(input: unknown, name: (path: string) => string = (path) => path || 'config'): ExperimentConfig {
  const result = configSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new UserError(describeIssues(result.error, name));
  return result.data;
}

/** The resolved recipe of `model` in `config` (its defaults when the config does not list it). */
export function recipeOf(config: ExperimentConfig, model: ModelName): HyperParams & { epochs: number } {
  // `epochs`, when set, is every model's count (so a spread variant `{ ...config, epochs: 3 }` works too).
  const hyper = config.hyper[model] ?? MODELS[model].hyper;
  return { ...hyper, epochs: config.epochs ?? hyper.epochs ?? SEED_EPOCHS };
}

/** The seed report's protocol: four models, 15 rounds, 25 epochs, 1000 pairs, batch 100. */
export const seedProtocol: ExperimentConfig = parseConfig({});

/** One line per problem, naming the field, what was given and what is valid. */
function describeIssues(error: z.ZodError, name: (path: string) => string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const field = name(path);
      const given = 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? ` ${JSON.stringify(issue.input)}` : '';
      if (issue.code === 'invalid_value') return `${field}: must be one of ${issue.values.join(', ')}`;
      if (issue.code === 'too_small') return `${field}${given}: must be at least ${issue.minimum}${issue.origin === 'array' ? ' values' : ''}`;
      if (issue.code === 'too_big') return `${field}${given}: must be at most ${issue.maximum}`;
      if (issue.code === 'unrecognized_keys') {
        const valid = issue.path.length === 0 ? CONFIG_FIELDS : issue.path[0] === 'tune' ? Object.keys(tuneSchema.shape) : Object.keys(hyperSchema.shape);
        return `${field}: unknown field(s) ${issue.keys.join(', ')}; valid: ${valid.join(', ')}`;
      }
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
