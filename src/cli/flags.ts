/**
 * Flags → a validated config, for the commands that run jobs (study, tune): --config files,
 * --hparams files, --resume, and the queue's flags. The options themselves are declared once
 * (src/config.ts, src/cli/options.ts).
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandName, type ExperimentConfig, parseConfig, recipeOf } from '../config.js';
import { UserError } from '../errors.js';
import { checkData, checkSameData, createRunDir, ensureWritableDir } from '../run/folder.js';
import { useModelFiles, withModelFiles } from '../run/model-code.js';
import type { QueueTarget } from '../run/queue.js';
import { HPARAMS_FILE, readRunConfig } from '../run-folder.js';
import { DEFAULT_LOCK_SECONDS, FLAG_OF, optionsOf, parseCommand, type RunFlags } from './options.js';

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
const hparamsPath = (path: string) => (existsSync(join(path, HPARAMS_FILE)) ? join(path, HPARAMS_FILE) : path);

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

/** Where the config's fields came from: the flags given, and the --config and --hparams files. */
interface Sources {
  flagged: Set<string>;
  configFile?: string;
  hparamsFile?: string;
}

/**
 * Validates, naming each field as the user gave it: its flag (`--folds`; `--lr-factors`, not
 * `tune.learningRateFactors.0`), the --hparams file and the model in it, or its place in the
 * --config file.
 */
function validate(input: Record<string, unknown>, { flagged, configFile, hparamsFile }: Sources): ExperimentConfig {
  return parseConfig(input, (path) => {
    if (path === '') return configFile ? `--config ${configFile}` : 'config';
    const [head, ...rest] = path.split('.');
    if (configFile && !flagged.has(head)) return `--config ${configFile}: ${path}`;
    if (head === 'hyper' && hparamsFile) return [`--hparams ${hparamsFile}:`, ...rest].join(' ').replace(/:$/, '');
    // The longest declared prefix names the flag; list indices (`.0`) are the value, which the message shows.
    const parts = path.split('.');
    for (let n = parts.length; n > 0; n--) {
      const flag = FLAG_OF[parts.slice(0, n).join('.')];
      if (flag) return [flag, ...parts.slice(n).filter((p) => !/^\d+$/.test(p))].join(' ');
    }
    return path;
  });
}

/** A resumed run keeps its recorded config; flags that contradict it are refused. */
function resumeConfig(runDir: string, explicit: Record<string, unknown>): ExperimentConfig {
  const recorded = readRunConfig(runDir);
  const merged = validate({ ...recorded, ...explicit, hyper: explicit.hyper ?? recorded.hyper }, { flagged: new Set(Object.keys(explicit)) });
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
  /** How the command runs: workers, queue, --save-models, … */
  run: RunFlags;
  /** The checked queue (Redis reached), when --queue is given. */
  queue?: QueueTarget;
  lockSeconds: number;
}

/** --queue and --lock-seconds, checked (Redis reached) before any work. */
export async function queueFlags(run: Pick<RunFlags, 'queue' | 'lockSeconds'>): Promise<{ queue?: QueueTarget; lockSeconds: number }> {
  const lockSeconds = run.lockSeconds ?? DEFAULT_LOCK_SECONDS;
  if (run.queue === undefined) {
    if (run.lockSeconds !== undefined) throw new UserError('--lock-seconds: only with --queue');
    return { lockSeconds };
  }
  const { checkQueue, parseQueueUrl, PASSWORD_ENV } = await import('../run/queue.js'); // BullMQ loads only for queued runs
  const queue = parseQueueUrl(run.queue);
  if (queue.passwordInUrl) {
    console.error(
      `digit-pairs: warning: the Redis password in --queue can be read by other users of this machine (ps, /proc/PID/cmdline); give it in $${PASSWORD_ENV} instead`,
    );
  }
  await checkQueue(queue);
  return { queue, lockSeconds };
}

/** A command's own defaults for config fields (tune runs 1 round), from the options' declarations. */
const commandDefaults = (command: CommandName): Record<string, unknown> =>
  Object.fromEntries(
    optionsOf(command).flatMap(({ path, target, meta }) =>
      target === 'config' && meta.defaultFor && command in meta.defaultFor ? [[path, meta.defaultFor[command]]] : [],
    ),
  );

/**
 * Parses a study/tune command line into its config, run folder and run flags. Everything is
 * checked (flags, data, the queue, the output folder) before the run folder is made.
 */
export async function setUp(command: 'study' | 'tune', args: string[]): Promise<SetUp> {
  let hparamsFile: string | undefined;
  const readHyper = (path: string) => {
    hparamsFile = hparamsPath(path);
    return readHparams(path);
  };
  const { config: flagged, run, positionals } = parseCommand(command, args, { hyper: readHyper });
  if (positionals.length) throw new UserError(`${command}: unexpected argument '${positionals[0]}' (options start with --)`);
  const file = run.config;
  // Model files named in --models (or the --config file) are loaded and recorded by name and hash.
  const explicit = await withModelFiles({ ...(file ? readConfigFile(file) : {}), ...flagged });
  if (run.workers !== undefined && run.workers < 1 && run.queue === undefined) {
    throw new UserError(`--workers ${run.workers}: must be at least 1; 0 (coordinate only) needs --queue`);
  }
  if (run.queue !== undefined && run.saveModels)
    throw new UserError('--save-models: not with --queue yet (export a round afterwards: digit-pairs export RUN --model M --round R)');
  if (run.retryFailed && !run.resume) throw new UserError('--retry-failed: only with --resume RUN_DIR (it reruns that run’s failed jobs)');
  const config = run.resume
    ? resumeConfig(run.resume, explicit)
    : validate({ ...commandDefaults(command), ...explicit }, { flagged: new Set(Object.keys(flagged)), configFile: file, hparamsFile });
  checkData(config, (field) => FLAG_OF[field] ?? field);
  if (run.resume) checkSameData(run.resume, config);
  await useModelFiles(config); // a resumed run's model files, only with the hashes it recorded
  const queued = await queueFlags(run);
  let runDir: string;
  if (run.resume) {
    ensureWritableDir(run.resume, '--resume');
    runDir = run.resume;
  } else {
    runDir = createRunDir(run.out, command === 'study' ? '' : `${command}-`);
  }
  // Keep the tuning beside the results it produced, so the report can show the grid.
  if (hparamsFile !== undefined && !existsSync(join(runDir, HPARAMS_FILE))) copyFileSync(hparamsFile, join(runDir, HPARAMS_FILE));
  return { config, runDir, run, ...queued };
}
