/**
 * A run folder's layout: the name of every file a run writes, and pure readers of what is read
 * back (config.json, the logs, examples.json). run/ writes the folder and report/ reads it, both
 * through this module, so neither needs the other's code. Nothing here trains, spawns or loads data.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ExperimentConfig, parseConfig } from './config.js';
import { UserError } from './errors.js';
import type { ModelName } from './models/registry.js';
import type { RoundRecord } from './train/records.js';

/** The resolved config and what produced it (RunFile). */
export const CONFIG_FILE = 'config.json';
/** A study's log: one line per finished or failed round. */
export const RESULTS_FILE = 'results.jsonl';
/** A tuning run's log: one line per fold. */
export const FOLDS_FILE = 'folds.jsonl';
/** A tuning run's grid and chosen hyper-parameters (a study given --hparams keeps a copy). */
export const HPARAMS_FILE = 'hparams.json';
/** The first test pairs of a study's first round, as the report shows them (Examples). */
export const EXAMPLES_FILE = 'examples.json';
/** Table III of the records so far, in three forms. */
export const SUMMARY_JSON = 'summary.json';
export const SUMMARY_MD = 'summary.md';
export const SUMMARY_CSV = 'summary.csv';
/** The sharing × aux effects, when the run holds ablation pairs. */
export const EFFECTS_FILE = 'effects.json';
export const REPORT_FILE = 'report.html';
export const FIGURES_DIR = 'figures';
/** Saved models, one folder per round: MODELS_DIR/modelDirName(model, round). */
export const MODELS_DIR = 'models';

/** A round's model folder name: rounds counted from 1, as users read them. */
export const modelDirName = (model: ModelName, round: number) => `${model}-round${round + 1}`;

/** config.json: the resolved config and what produced it. */
export interface RunFile {
  config: ExperimentConfig;
  meta: Record<string, unknown> & { sessions?: object[] };
}

/** config.json of a run folder, as written. */
export function readRunFile(runDir: string): RunFile {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) throw new UserError(`${runDir}: not a run folder (no ${CONFIG_FILE})`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunFile;
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/** The config recorded in a run folder, validated; a bad field is named with the file it is in. */
export function readRunConfig(runDir: string): ExperimentConfig {
  const file = join(runDir, CONFIG_FILE);
  return parseConfig(readRunFile(runDir).config, (path) => `${file}: config${path ? `.${path}` : ''}`);
}

/**
 * Reads every complete record of a log. A last line without its newline is a write cut short
 * by a crash: it is ignored (the round runs again on resume). A bad line elsewhere is corruption:
 * refused in one line naming it, or, with `onBadLine`, reported there and left out.
 */
export function readRecords<R = RoundRecord>(path: string, onBadLine?: (line: number, text: string) => void): R[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // The piece after the last newline is '' for a whole file, or the partial tail of a crash.
  const complete = text.split('\n').slice(0, -1);
  return complete.flatMap((line, i) => {
    if (line.trim() === '') return [];
    try {
      return [JSON.parse(line) as R];
    } catch {
      if (!onBadLine)
        throw new UserError(
          `${path}: line ${i + 1} is not valid JSON (${JSON.stringify(line.slice(0, 40))}); one record per line (digit-pairs report --skip-bad-lines builds from the others)`,
        );
      onBadLine(i + 1, line);
      return [];
    }
  });
}

/**
 * Writes a run-folder file whole or not at all: into a temporary name, then renamed over the
 * old one, so a full disk leaves the previous file (or none), never a truncated one.
 */
export function writeWhole(path: string, text: string | Uint8Array): void {
  const partial = `${path}.partial`;
  try {
    writeFileSync(partial, text);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** Key of a job (its identifying fields, whatever they are), for finding what is already done. */
export const jobKey = (r: { model: string; round: number; fold?: number; learningRate?: number; l2?: number }): string =>
  [r.model, r.round, r.fold, r.learningRate, r.l2].join('#');

/** One record per job: the last one written (a failed job rerun with --retry-failed has two lines). */
export function latestRecords<R extends { model: string; round: number }>(records: R[]): R[] {
  return [...new Map(records.map((r) => [jobKey(r), r])).values()];
}

/** One test pair: both digits as 14×14 bytes (0–255 before standardisation, row by row), their classes and the target. */
export interface ExamplePair {
  /** Its place in the round's test set. */
  index: number;
  first: Uint8Array;
  second: Uint8Array;
  firstClass: number;
  secondClass: number;
  /** 1 iff first class ≤ second class. */
  target: number;
}

/** examples.json: the pairs and the round (0-based) and seed they were drawn with. */
export interface Examples {
  round: number;
  seed: number;
  pairs: ExamplePair[];
}

/** On disk each digit's 196 bytes are one base64 string: a few KB for the file, not a number per line. */
type StoredPair = Omit<ExamplePair, 'first' | 'second'> & { first: string; second: string };

/** examples.json's text for `examples`. */
export function encodeExamples(examples: Examples): string {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const pairs: StoredPair[] = examples.pairs.map((p) => ({ ...p, first: base64(p.first), second: base64(p.second) }));
  return `${JSON.stringify({ ...examples, pairs }, null, 2)}\n`;
}

/** The run's example pairs, or undefined for a folder without them (a tuning run, or a study from before they were written). */
export function readExamples(runDir: string): Examples | undefined {
  const path = join(runDir, EXAMPLES_FILE);
  if (!existsSync(path)) return undefined;
  let stored: Omit<Examples, 'pairs'> & { pairs: StoredPair[] };
  try {
    stored = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
  return { ...stored, pairs: stored.pairs.map((p) => ({ ...p, first: bytes(p.first), second: bytes(p.second) })) };
}
