#!/usr/bin/env node
/**
 * digit-pairs command line: parses flags and calls one function per command.
 * Bad input exits with code 2 and a one-line message naming the problem and the valid choices.
 */
import { availableParallelism } from 'node:os';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseConfig, type ExperimentConfig } from './config.js';
import { BACKENDS } from './engine/backend.js';
import { UserError } from './errors.js';
import { ABLATION_MODELS, MODEL_NAMES, MODELS, SEED_MODELS, type ModelName } from './models/registry.js';
import { toTerminal } from './report/summary.js';
import { readRecords, RESULTS_FILE } from './train/results-log.js';
import { newRunDir, readRunConfig, runStudy, writeSummary } from './train/study.js';
import { join } from 'node:path';

const USAGE = `digit-pairs — is the first MNIST digit ≤ the second? MLP vs CNN, weight sharing, auxiliary loss.

Usage:
  digit-pairs study [options]        run the study (defaults: the seed report's protocol)
  digit-pairs report RUN_DIR         rebuild a run's summary from its folder
  digit-pairs --help

Study options:
  --models a,b,…     models to train, or a group: seed (default), ablation (the 8 sharing × aux
                     variants), all. Models: ${MODEL_NAMES.join(', ')}
  --rounds N         rounds per model, fresh data and weights each (default 15)
  --epochs N         epochs per round (default 25)
  --pairs N          train pairs and test pairs per round (default 1000)
  --batch-size N     mini-batch size (default 100)
  --seed N           base seed; round r uses seed + r (default 0)
  --data DIR         read MNIST IDX files from DIR instead of the embedded digits
  --backend NAME     ${BACKENDS.join(' | ')} (default wasm)
  --workers N        worker threads running rounds in parallel (default: cores, here ${availableParallelism()})
  --out DIR          parent folder of the run folder (default runs)
  --resume RUN_DIR   continue a stopped run, skipping its finished rounds
  --final-eval-only  evaluate only after the last epoch (faster; no per-epoch curves)
`;

const STUDY_OPTIONS = {
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
  'final-eval-only': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

/** Flag name of each config field, so messages speak the user's language. */
const FLAG_OF: Record<string, string> = {
  models: '--models', rounds: '--rounds', epochs: '--epochs', pairs: '--pairs', batchSize: '--batch-size',
  seed: '--seed', dataDir: '--data', backend: '--backend', evalEveryEpoch: '--final-eval-only',
};

/** Names that stand for several models in --models. */
const MODEL_GROUPS: Record<string, ModelName[]> = { seed: SEED_MODELS, ablation: ABLATION_MODELS, all: MODEL_NAMES };

function wholeNumber(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UserError(`--${flag}: '${text}' is not a whole number`);
  return Number(text);
}

/** The config fields the user set explicitly on the command line. */
function configFromFlags(values: Record<string, string | boolean | undefined>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (values.models !== undefined) {
    const names = String(values.models).split(',').map((s) => s.trim()).filter(Boolean).flatMap((n) => MODEL_GROUPS[n] ?? [n]);
    const unknown = names.filter((n) => !(n in MODELS));
    if (unknown.length) {
      throw new UserError(`--models: unknown model ${unknown.join(', ')}; valid: ${[...Object.keys(MODEL_GROUPS), ...MODEL_NAMES].join(', ')}`);
    }
    input.models = [...new Set(names)];
  }
  for (const [flag, field] of [['rounds', 'rounds'], ['epochs', 'epochs'], ['pairs', 'pairs'], ['batch-size', 'batchSize'], ['seed', 'seed']] as const) {
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
  return input;
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
  const merged = validate({ ...recorded, ...explicit, hyper: recorded.hyper });
  const differing = (Object.keys(merged) as (keyof ExperimentConfig)[]).filter(
    (k) => JSON.stringify(merged[k]) !== JSON.stringify(recorded[k]),
  );
  if (differing.length) {
    const detail = differing.map((k) => `${FLAG_OF[k] ?? k} ${JSON.stringify(recorded[k])} → ${JSON.stringify(merged[k])}`);
    throw new UserError(`--resume ${runDir}: the run was recorded with a different config (${detail.join('; ')}); drop those flags or start a new run`);
  }
  return recorded;
}

async function study(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: STUDY_OPTIONS, allowPositionals: true, strict: true });
  if (values.help) return (console.log(USAGE), 0);
  if (positionals.length) throw new UserError(`study: unexpected argument '${positionals[0]}' (options start with --)`);
  const explicit = configFromFlags(values);
  const workers = values.workers === undefined ? undefined : wholeNumber('workers', values.workers);
  if (workers !== undefined && workers < 1) throw new UserError(`--workers: must be at least 1 (got ${workers})`);
  const config = values.resume ? resumeConfig(values.resume, explicit) : validate(explicit);
  const runDir = values.resume ?? newRunDir(values.out ?? 'runs');

  const started = performance.now();
  const outcome = await runStudy(config, { runDir, workers, progress: true });
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  console.log(`\n${toTerminal(outcome.summary)}\n`);
  console.log(`wall time ${minutes} min; results in ${runDir}/ (summary.md, summary.csv, summary.json, ${RESULTS_FILE})`);
  if (outcome.interrupted) {
    console.error(`\nstopped: finished rounds are saved in ${runDir}. Resume with:\n  digit-pairs study --resume ${runDir}`);
    return 130;
  }
  return 0;
}

function report(args: string[]): number {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new UserError('report: give exactly one run folder, e.g. digit-pairs report runs/2026-11-27T10-31-05');
  const runDir = positionals[0];
  const config = readRunConfig(runDir);
  const summary = writeSummary(runDir, config, readRecords(join(runDir, RESULTS_FILE)));
  console.log(toTerminal(summary));
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => number | Promise<number>> = { study, report };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return (console.log(USAGE), command ? 0 : 2);
  const run = COMMANDS[command];
  if (!run) throw new UserError(`unknown command '${command}'; valid: ${Object.keys(COMMANDS).join(', ')} (see --help)`);
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // parseArgs rejects unknown or malformed options with its own error codes.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UserError || code.startsWith('ERR_PARSE_ARGS')) {
      const message = (error as Error).message.split('\n')[0];
      const hint = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `; valid: ${Object.keys(STUDY_OPTIONS).map((o) => `--${o}`).join(', ')}` : '';
      console.error(`digit-pairs: ${message}${hint}`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
