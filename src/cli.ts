#!/usr/bin/env node
/**
 * digit-pairs command line: parses flags and calls one function per command.
 * Bad input exits with code 2 and a one-line message naming the problem and the valid choices.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type ExperimentConfig, parseConfig } from './config.js';
import { BACKENDS } from './engine/backend.js';
import { UserError } from './errors.js';
import { ABLATION_MODELS, MODEL_NAMES, MODELS, type ModelName, SEED_MODELS } from './models/registry.js';
import { buildReport } from './report/report.js';
import { toTerminal } from './report/summary.js';
import { RESULTS_FILE, readRecords } from './train/results-log.js';
import { newRunDir, readRunConfig, runStudy, writeSummary } from './train/study.js';
import { HPARAMS_FILE, type HParamsFile, runTune } from './train/tune.js';

const USAGE = `digit-pairs — is the first MNIST digit ≤ the second? MLP vs CNN, weight sharing, auxiliary loss.

Usage:
  digit-pairs study [options]        run the study (defaults: the seed report's protocol)
  digit-pairs tune [options]         cross-validate learning rate × L2 λ on the training pairs
  digit-pairs report RUN_DIR         rebuild a run's summary and report.html from its folder
  digit-pairs --help

Options of study and tune:
  --models a,b,…     models to train, or a group: seed (default), ablation (the 8 sharing × aux
                     variants), all. Models: ${MODEL_NAMES.join(', ')}
  --rounds N         rounds per model, fresh data and weights each (default 15; tune: 1)
  --epochs N         epochs per round (default 25)
  --pairs N          train pairs and test pairs per round (default 1000)
  --batch-size N     mini-batch size (default 100)
  --seed N           base seed; round r uses seed + r (default 0)
  --data DIR         read MNIST IDX files from DIR instead of the embedded digits
  --backend NAME     ${BACKENDS.join(' | ')} (default wasm)
  --workers N        worker threads running jobs in parallel (default: cores, here ${availableParallelism()})
  --out DIR          parent folder of the run folder (default runs)
  --resume RUN_DIR   continue a stopped run, skipping its finished jobs
Study only:
  --hparams FILE     per-model learning rate and λ from a tune run's ${HPARAMS_FILE}
  --final-eval-only  evaluate only after the last epoch (faster; no per-epoch curves)
Tune only:
  --folds K          k-fold cross-validation (default 2, as the seed)
  --lr-factors a,b,… learning rates tried, as factors of each model's default (default 0.1,0.316,1,3.16,10)
  --l2-factors a,b,… L2 λ tried, as factors of each model's default (default 0.1,0.316,1,3.16,10)
`;

const COMMON_OPTIONS = {
  models: { type: 'string' },
  rounds: { type: 'string' },
  epochs: { type: 'string' },
  pairs: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  backend: { type: 'string' },
  workers: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];
const STUDY_OPTIONS = { ...COMMON_OPTIONS, hparams: { type: 'string' }, 'final-eval-only': { type: 'boolean' } } satisfies ParseArgsConfig['options'];
const TUNE_OPTIONS = {
  ...COMMON_OPTIONS,
  folds: { type: 'string' },
  'lr-factors': { type: 'string' },
  'l2-factors': { type: 'string' },
} satisfies ParseArgsConfig['options'];
type Flags = Record<string, string | boolean | undefined>;

/** Flag name of each config field, so messages speak the user's language. */
const FLAG_OF: Record<string, string> = {
  models: '--models',
  rounds: '--rounds',
  epochs: '--epochs',
  pairs: '--pairs',
  batchSize: '--batch-size',
  seed: '--seed',
  dataDir: '--data',
  backend: '--backend',
  evalEveryEpoch: '--final-eval-only',
  hyper: '--hparams',
  tune: '--folds/--lr-factors/--l2-factors',
};

/** Names that stand for several models in --models. */
const MODEL_GROUPS: Record<string, ModelName[]> = { seed: SEED_MODELS, ablation: ABLATION_MODELS, all: MODEL_NAMES };

function wholeNumber(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UserError(`--${flag}: '${text}' is not a whole number`);
  return Number(text);
}

function numberList(flag: string, text: string): number[] {
  const values = text.split(',').map((t) => t.trim());
  const bad = values.find((t) => t === '' || !Number.isFinite(Number(t)));
  if (bad !== undefined) throw new UserError(`--${flag}: '${bad}' is not a number (give a comma-separated list, e.g. 0.1,1,10)`);
  return values.map(Number);
}

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
  if (values['final-eval-only']) input.evalEveryEpoch = false;
  if (values.hparams !== undefined) input.hyper = readHparams(String(values.hparams));
  const tune: Record<string, unknown> = {};
  if (values.folds !== undefined) tune.folds = wholeNumber('folds', String(values.folds));
  if (values['lr-factors'] !== undefined) tune.learningRateFactors = numberList('lr-factors', String(values['lr-factors']));
  if (values['l2-factors'] !== undefined) tune.l2Factors = numberList('l2-factors', String(values['l2-factors']));
  if (Object.keys(tune).length) input.tune = tune;
  return input;
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
  let parsed: Partial<HParamsFile> | null;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<HParamsFile> | null;
  } catch {
    throw new UserError(`--hparams ${file}: not valid JSON`);
  }
  const chosen = parsed?.chosen;
  if (typeof chosen !== 'object' || chosen === null || Array.isArray(chosen)) {
    throw new UserError(`--hparams ${file}: no "chosen" object; expected {"chosen": {"<model>": {"learningRate": <number>, "l2": <number>}, …}}`);
  }
  return chosen;
}

/** Validates, translating config field names back into flags. */
function validate(input: Record<string, unknown>): ExperimentConfig {
  try {
    return parseConfig(input);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(error.message.replace(/(^|; )(\w+)(?=[.:])/g, (_, sep: string, field: string) => sep + (FLAG_OF[field] ?? field)));
  }
}

/** A resumed run keeps its recorded config; flags that contradict it are refused. */
function resumeConfig(runDir: string, explicit: Record<string, unknown>): ExperimentConfig {
  const recorded = readRunConfig(runDir);
  const merged = validate({ ...recorded, ...explicit, hyper: explicit.hyper ?? recorded.hyper });
  const differing = (Object.keys(merged) as (keyof ExperimentConfig)[]).filter((k) => JSON.stringify(merged[k]) !== JSON.stringify(recorded[k]));
  if (differing.length) {
    const detail = differing.map((k) => `${FLAG_OF[k] ?? k} ${JSON.stringify(recorded[k])} → ${JSON.stringify(merged[k])}`);
    throw new UserError(`--resume ${runDir}: the run was recorded with a different config (${detail.join('; ')}); drop those flags or start a new run`);
  }
  return recorded;
}

/** Parses a study/tune command line into its config, run folder and worker count. */
function setUp(command: string, args: string[], options: ParseArgsConfig['options'], defaults: Record<string, unknown> = {}) {
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true }) as { values: Flags; positionals: string[] };
  if (positionals.length) throw new UserError(`${command}: unexpected argument '${positionals[0]}' (options start with --)`);
  const explicit = configFromFlags(values);
  const workers = values.workers === undefined ? undefined : wholeNumber('workers', String(values.workers));
  if (workers !== undefined && workers < 1) throw new UserError(`--workers: must be at least 1 (got ${workers})`);
  const resume = values.resume as string | undefined;
  const config = resume ? resumeConfig(resume, explicit) : validate({ ...defaults, ...explicit });
  const runDir = resume ?? newRunDir((values.out as string | undefined) ?? 'runs', command === 'study' ? '' : `${command}-`);
  return { config, runDir, workers, help: values.help === true, hparams: values.hparams as string | undefined };
}

function usage(code: number): number {
  console.log(USAGE);
  return code;
}

function stopped(command: string, runDir: string): number {
  console.error(`\nstopped: finished jobs are saved in ${runDir}. Resume with:\n  digit-pairs ${command} --resume ${runDir}`);
  return 130;
}

async function study(args: string[]): Promise<number> {
  const { config, runDir, workers, help, hparams } = setUp('study', args, STUDY_OPTIONS);
  if (help) return usage(0);
  if (hparams !== undefined && !existsSync(join(runDir, HPARAMS_FILE))) {
    // Keep the tuning beside the results it produced, so the report can show the grid.
    mkdirSync(runDir, { recursive: true });
    copyFileSync(hparamsPath(hparams), join(runDir, HPARAMS_FILE));
  }
  const started = performance.now();
  const outcome = await runStudy(config, { runDir, workers, progress: true });
  console.log(`\n${toTerminal(outcome.summary)}\n`);
  console.log(
    `wall time ${((performance.now() - started) / 1000).toFixed(0)} s; results in ${runDir}/ (summary.md, summary.csv, summary.json, ${RESULTS_FILE})`,
  );
  const reported = await reportOrExplain(runDir);
  return outcome.interrupted ? stopped('study', runDir) : reported;
}

/**
 * Builds the run's report after its results are safely on disk. If that fails, the results
 * still stand: say so and how to rebuild, and exit 1 rather than with a bare stack trace.
 */
async function reportOrExplain(runDir: string): Promise<number> {
  try {
    console.log(`report: ${(await buildReport(runDir)).html}`);
    return 0;
  } catch (error) {
    console.error(
      `digit-pairs: building the report failed (${(error as Error).message}); the results in ${runDir} are complete. ` +
        `Rebuild it with: digit-pairs report ${runDir}`,
    );
    return 1;
  }
}

async function tune(args: string[]): Promise<number> {
  // One round unless asked: a grid × folds × rounds search is many trainings.
  const { config, runDir, workers, help } = setUp('tune', args, TUNE_OPTIONS, { rounds: 1 });
  if (help) return usage(0);
  const { hparams, interrupted } = await runTune(config, { runDir, workers, progress: true });
  for (const [model, chosen] of Object.entries(hparams.chosen)) {
    const best = hparams.grid[model as ModelName]!.find((p) => p.learningRate === chosen.learningRate && p.l2 === chosen.l2)!;
    console.log(
      `${model.padEnd(22)} lr ${chosen.learningRate}  λ ${chosen.l2}  validation error ${best.validationErrorMean.toFixed(2)} ± ${best.validationErrorStd.toFixed(2)}%`,
    );
  }
  console.log(`\nwritten ${join(runDir, HPARAMS_FILE)}; use it with: digit-pairs study --hparams ${join(runDir, HPARAMS_FILE)}`);
  const reported = await reportOrExplain(runDir);
  return interrupted ? stopped('tune', runDir) : reported;
}

async function report(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UserError('report: give exactly one run folder, e.g. digit-pairs report runs/2026-11-27T10-31-05');
  const runDir = positionals[0];
  const config = readRunConfig(runDir);
  // A tune run has folds, not rounds: its report is the grid alone.
  const isStudy = existsSync(join(runDir, RESULTS_FILE));
  const summary = isStudy ? writeSummary(runDir, config, readRecords(join(runDir, RESULTS_FILE))) : [];
  const built = await buildReport(runDir);
  if (isStudy) console.log(toTerminal(summary));
  console.log(`\nreport: ${built.html}`);
  return 0;
}

const COMMANDS: Record<string, { run: (args: string[]) => number | Promise<number>; options: object }> = {
  study: { run: study, options: STUDY_OPTIONS },
  tune: { run: tune, options: TUNE_OPTIONS },
  report: { run: report, options: {} },
};

const [command, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return usage(command ? 0 : 2);
  const entry = COMMANDS[command];
  if (!entry) throw new UserError(`unknown command '${command}'; valid: ${Object.keys(COMMANDS).join(', ')} (see --help)`);
  return entry.run(rest);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // parseArgs rejects unknown or malformed options with its own error codes.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UserError || code.startsWith('ERR_PARSE_ARGS')) {
      const message = (error as Error).message.split('\n')[0];
      const valid = Object.keys(COMMANDS[command]?.options ?? {})
        .map((o) => `--${o}`)
        .join(', ');
      const hint = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `; valid: ${valid}` : '';
      console.error(`digit-pairs: ${message}${hint}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
