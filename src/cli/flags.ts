/**
 * Flags → a validated config. Shared by the commands that run jobs (study, tune): the common
 * options, turning flags into config fields, messages in the user's own flag names, --config
 * files, --hparams files and --resume.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ExperimentConfig, parseConfig, recipeOf } from '../config.js';
import { BACKENDS } from '../engine/backends.js';
import { UserError } from '../errors.js';
import { ABLATION_MODELS, MODEL_NAMES, MODELS, type ModelName, SEED_MODELS } from '../models/registry.js';
import { checkData, createRunDir, ensureWritableDir } from '../run/folder.js';
import type { QueueTarget } from '../run/queue.js';
import { HPARAMS_FILE, readRunConfig } from '../run-folder.js';

export type Options = NonNullable<ParseArgsConfig['options']>;
type Flags = Record<string, string | boolean | undefined>;

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  models: { type: 'string' },
  rounds: { type: 'string' },
  epochs: { type: 'string' },
  pairs: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  backend: { type: 'string' },
  protocol: { type: 'string' },
  workers: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  'retry-failed': { type: 'boolean' },
  queue: { type: 'string' },
  'lock-seconds': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

export const COMMON_HELP = `  --config FILE      a JSON config (the schema of a run's config.json; a run's own config.json re-runs it);
                     flags given beside it override its fields
  --models a,b,…     models to train, or a group: seed (default), ablation (the 8 sharing × aux
                     variants), all. Models: ${MODEL_NAMES.join(', ')}
  --rounds N         rounds per model, fresh data and weights each
  --epochs N         epochs per round for every model (default: each model's recipe; 25 for the seed's)
  --pairs N          train pairs and test pairs per round (default 1000)
  --batch-size N     mini-batch size (default 100)
  --seed N           base seed; round r uses seed + r (default 0)
  --data DIR         read MNIST IDX files from DIR instead of the embedded digits
  --backend NAME     ${BACKENDS.join(' | ')} (default wasm)
  --protocol NAME    report (default: train and measure as the seed report describes) | authors-code (as the
                     authors' published code did, which produced the seed's Table III; the four seed models)
  --workers N        worker threads running jobs in parallel (default: one per core)
  --out DIR          parent folder of the run folder (default runs)
  --resume RUN_DIR   continue a stopped run, skipping its finished jobs
  --retry-failed     with --resume: run again the jobs that failed for a passing reason (a crashed
                     worker); diverged rounds are results and stay
  --queue URL        run the jobs through a BullMQ queue on Redis (redis://[:password@]host[:port][/db],
                     rediss://… for TLS, or a unix socket path): \`digit-pairs worker --queue URL\` on any
                     machine takes them; --workers then counts this process's own (0: coordinate only)
  --lock-seconds S   with --queue: a job whose worker stops renewing its lock for S seconds goes back to
                     the queue (default 30)
  -h, --help         this help`;

/** Flag name of each config field (dotted path), so messages speak the user's language. */
const FLAG_OF: Record<string, string> = {
  models: '--models',
  rounds: '--rounds',
  epochs: '--epochs',
  pairs: '--pairs',
  batchSize: '--batch-size',
  seed: '--seed',
  dataDir: '--data',
  backend: '--backend',
  protocol: '--protocol',
  evalEveryEpoch: '--final-eval-only',
  epochEvalPairs: '--epoch-eval-pairs',
  hyper: '--hparams',
  'tune.folds': '--folds',
  'tune.learningRateFactors': '--lr-factors',
  'tune.l2Factors': '--l2-factors',
};

/** Names that stand for several models in --models. */
const MODEL_GROUPS: Record<string, ModelName[]> = { seed: SEED_MODELS, ablation: ABLATION_MODELS, all: MODEL_NAMES };

export function wholeNumber(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UserError(`--${flag}: '${text}' is not a whole number`);
  return Number(text);
}

function numberList(flag: string, text: string): number[] {
  const values = text.split(',').map((t) => t.trim());
  const bad = values.find((t) => t === '' || !Number.isFinite(Number(t)));
  if (bad !== undefined) throw new UserError(`--${flag}: '${bad}' is not a number (give a comma-separated list, e.g. 0.1,1,10)`);
  return values.map(Number);
}

/**
 * `--seed -1` would read -1 as an option of its own: glue a value that looks like a negative
 * number to its option (`--seed=-1`), so the message can be about the value.
 */
function glueNegativeValues(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    if (name && options[name]?.type === 'string' && /^-\d/.test(args[i + 1] ?? '')) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

/** Parses a command's flags strictly; positionals are returned for the command to judge. */
export function parseFlags(args: string[], options: Options): { values: Flags; positionals: string[] } {
  return parseArgs({ args: glueNegativeValues(args, options), options, allowPositionals: true, strict: true }) as { values: Flags; positionals: string[] };
}

/** Whether the command line asks for help (checked before anything else, so a bad flag beside it does not hide the help). */

/** The config fields the user set explicitly on the command line. */
function configFromFlags(values: Flags): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (values.models !== undefined) {
    const names = String(values.models)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .flatMap((n) => MODEL_GROUPS[n] ?? [n]);
    const unknown = names.filter((n) => !(n in MODELS));
    if (unknown.length) {
      throw new UserError(`--models: unknown model ${unknown.join(', ')}; valid: ${[...Object.keys(MODEL_GROUPS), ...MODEL_NAMES].join(', ')}`);
    }
    input.models = [...new Set(names)];
  }
  for (const [flag, field] of [
    ['rounds', 'rounds'],
    ['epochs', 'epochs'],
    ['pairs', 'pairs'],
    ['batch-size', 'batchSize'],
    ['seed', 'seed'],
  ] as const) {
    if (values[flag] !== undefined) input[field] = wholeNumber(flag, String(values[flag]));
  }
  if (values.backend !== undefined) {
    if (!(BACKENDS as readonly string[]).includes(String(values.backend))) {
      throw new UserError(`--backend: unknown backend '${values.backend}'; valid: ${BACKENDS.join(', ')}`);
    }
    input.backend = values.backend;
  }
  if (values.data !== undefined) input.dataDir = values.data;
  if (values.protocol !== undefined) input.protocol = values.protocol;
  if (values['final-eval-only']) input.evalEveryEpoch = false;
  if (values['epoch-eval-pairs'] !== undefined) {
    if (values['final-eval-only'])
      throw new UserError('--epoch-eval-pairs sizes the per-epoch evaluation, which --final-eval-only turns off: give one of them');
    input.epochEvalPairs = wholeNumber('epoch-eval-pairs', String(values['epoch-eval-pairs']));
  }
  if (values.hparams !== undefined) input.hyper = readHparams(String(values.hparams));
  const tune: Record<string, unknown> = {};
  if (values.folds !== undefined) tune.folds = wholeNumber('folds', String(values.folds));
  if (values['lr-factors'] !== undefined) tune.learningRateFactors = numberList('lr-factors', String(values['lr-factors']));
  if (values['l2-factors'] !== undefined) tune.l2Factors = numberList('l2-factors', String(values['l2-factors']));
  if (Object.keys(tune).length) input.tune = tune;
  return input;
}

/** A JSON file, or one line saying why it cannot be read. */
function readJson(flag: string, file: string): unknown {
  if (!existsSync(file)) throw new UserError(`${flag} ${file}: no such file`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new UserError(`${flag} ${file}: not valid JSON`);
  }
}

/** The chosen hyper-parameters of a tune run (its hparams.json, or the run folder holding it). */
export const hparamsPath = (path: string) => (existsSync(join(path, HPARAMS_FILE)) ? join(path, HPARAMS_FILE) : path);

/**
 * The `chosen` map of an hparams file: a tune run's, or one written by hand such as
 * {"chosen": {"cnn": {"learningRate": 0.002, "l2": 0.05}}}. The values are validated with the
 * rest of the config.
 */
function readHparams(path: string): unknown {
  const file = hparamsPath(path);
  if (!existsSync(file)) throw new UserError(`--hparams ${path}: no such file (give a tune run's ${HPARAMS_FILE})`);
  const chosen = (readJson('--hparams', file) as { chosen?: unknown } | null)?.chosen;
  if (typeof chosen !== 'object' || chosen === null || Array.isArray(chosen)) {
    throw new UserError(`--hparams ${file}: no "chosen" object; expected {"chosen": {"<model>": {"learningRate": <number>, "l2": <number>}, …}}`);
  }
  return chosen;
}

/** A --config file: a bare config object, or a run's config.json ({config, meta}), whose config re-runs that run. */
function readConfigFile(file: string): Record<string, unknown> {
  const json = readJson('--config', file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UserError(`--config ${file}: expected a JSON object`);
  const inner = (json as { config?: unknown; meta?: unknown }).meta !== undefined ? (json as { config: unknown }).config : json;
  return inner as Record<string, unknown>;
}

/**
 * Validates, naming each field as the user gave it: its flag (`--folds`, `--hparams cnn.l2`),
 * or its place in the --config file.
 */
function validate(input: Record<string, unknown>, flagged: Set<string>, configFile?: string): ExperimentConfig {
  return parseConfig(input, (path) => {
    if (path === '') return configFile ? `--config ${configFile}` : 'config';
    const [head, ...rest] = path.split('.');
    if (configFile && !flagged.has(head)) return `--config ${configFile}: ${path}`;
    return FLAG_OF[path] ?? (FLAG_OF[head] ? [FLAG_OF[head], ...rest].join(' ') : path);
  });
}

/** A resumed run keeps its recorded config; flags that contradict it are refused. */
function resumeConfig(runDir: string, explicit: Record<string, unknown>): ExperimentConfig {
  const recorded = readRunConfig(runDir);
  const merged = validate({ ...recorded, ...explicit, hyper: explicit.hyper ?? recorded.hyper }, new Set(Object.keys(explicit)));
  // Epoch counts are compared as each model trains them (`epochs` null and 25 can mean the
  // same), and the recipes without them, so a changed --epochs is named once, as itself.
  const epochsOf = (c: ExperimentConfig) => JSON.stringify(c.models.map((m) => recipeOf(c, m).epochs));
  const recipes = (c: ExperimentConfig) => JSON.stringify(Object.values(c.hyper).map((h) => ({ ...h, epochs: undefined })));
  const differs: Partial<Record<keyof ExperimentConfig, (c: ExperimentConfig) => string>> = { epochs: epochsOf, hyper: recipes };
  const differing = (Object.keys(merged) as (keyof ExperimentConfig)[]).filter((k) => {
    const view = differs[k] ?? ((c: ExperimentConfig) => JSON.stringify(c[k]));
    return view(merged) !== view(recorded);
  });
  if (differing.length) {
    const detail = differing.map((k) => `${FLAG_OF[k] ?? k} ${JSON.stringify(recorded[k])} → ${JSON.stringify(merged[k])}`);
    throw new UserError(`--resume ${runDir}: the run was recorded with a different config (${detail.join('; ')}); drop those flags or start a new run`);
  }
  return recorded;
}

export interface SetUp {
  config: ExperimentConfig;
  runDir: string;
  workers?: number;
  retryFailed: boolean;
  queue?: QueueTarget;
  lockSeconds?: number;
  values: Flags;
}

/** --queue and --lock-seconds, checked (Redis reached) before any work. */
export async function queueFlags(values: Flags): Promise<{ queue?: QueueTarget; lockSeconds?: number }> {
  const lockSeconds = values['lock-seconds'] === undefined ? undefined : wholeNumber('lock-seconds', String(values['lock-seconds']));
  if (lockSeconds !== undefined && lockSeconds < 1) throw new UserError(`--lock-seconds ${lockSeconds}: must be at least 1`);
  if (values.queue === undefined) {
    if (lockSeconds !== undefined) throw new UserError('--lock-seconds: only with --queue');
    return {};
  }
  const { checkQueue, parseQueueUrl } = await import('../run/queue.js'); // BullMQ loads only for queued runs
  const queue = parseQueueUrl(String(values.queue));
  await checkQueue(queue);
  return { queue, lockSeconds };
}

/**
 * Parses a study/tune command line into its config, run folder and worker count. Everything is
 * checked (flags, data, the output folder) before the run folder is made.
 */
export async function setUp(command: string, args: string[], options: Options, defaults: Record<string, unknown> = {}): Promise<SetUp> {
  const { values, positionals } = parseFlags(args, options);
  if (positionals.length) throw new UserError(`${command}: unexpected argument '${positionals[0]}' (options start with --)`);
  const file = values.config as string | undefined;
  const flagged = configFromFlags(values);
  const explicit = { ...(file ? readConfigFile(file) : {}), ...flagged };
  const workers = values.workers === undefined ? undefined : wholeNumber('workers', String(values.workers));
  const minimum = values.queue === undefined ? 1 : 0;
  if (workers !== undefined && workers < minimum) {
    throw new UserError(`--workers: must be at least ${minimum} (got ${workers})${minimum ? '; 0 (coordinate only) needs --queue' : ''}`);
  }
  if (values.queue !== undefined && values['save-models'])
    throw new UserError('--save-models: not with --queue yet (export a round afterwards: digit-pairs export RUN --model M --round R)');
  const resume = values.resume as string | undefined;
  if (values['retry-failed'] && !resume) throw new UserError('--retry-failed: only with --resume RUN_DIR (it reruns that run’s failed jobs)');
  const config = resume ? resumeConfig(resume, explicit) : validate({ ...defaults, ...explicit }, new Set(Object.keys(flagged)), file);
  checkData(config);
  const queued = await queueFlags(values);
  let runDir: string;
  if (resume) {
    ensureWritableDir(resume, '--resume');
    runDir = resume;
  } else {
    runDir = createRunDir((values.out as string | undefined) ?? 'runs', command === 'study' ? '' : `${command}-`);
  }
  return { config, runDir, workers, retryFailed: values['retry-failed'] === true, values, ...queued };
}
