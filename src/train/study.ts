/**
 * The study: every model × every round, on a pool of workers, into one run folder that holds
 * the resolved config, the results log (a line per round, written as each ends) and the summary.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type ExperimentConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { UserError } from '../errors.js';
import { ablationEffects, effectsMarkdown } from '../report/effects.js';
import { summarise, toCsv, toMarkdown, type ModelSummary } from '../report/summary.js';
import { runJobs } from './pool.js';
import { makeProgress } from './progress.js';
import { appendRecord, jobKey, readRecords, RESULTS_FILE, type RoundRecord } from './results-log.js';
import type { RoundJob } from './round.js';

export const CONFIG_FILE = 'config.json';

export interface StudyOptions {
  /** The run folder: new for a fresh study, existing for a resumed one. */
  runDir: string;
  /** Worker threads (default: the machine's cores). */
  workers?: number;
  /** Show progress (bars on a terminal, lines otherwise). */
  progress?: boolean;
}

export interface StudyOutcome {
  runDir: string;
  summary: ModelSummary[];
  records: RoundRecord[];
  /** True when the study was stopped (SIGINT/SIGTERM) before every round finished. */
  interrupted: boolean;
}

/** A fresh run folder name under `root`, e.g. runs/2026-11-27T10-31-05. */
export function newRunDir(root: string): string {
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  let dir = join(root, stamp);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `${stamp}-${i}`);
  return dir;
}

/** The config recorded in a run folder, validated. */
export function readRunConfig(runDir: string): ExperimentConfig {
  const path = join(runDir, CONFIG_FILE);
  if (!existsSync(path)) throw new UserError(`${runDir}: not a run folder (no ${CONFIG_FILE})`);
  return parseConfig((JSON.parse(readFileSync(path, 'utf8')) as { config: unknown }).config);
}

/** Every (model, round) job of a config, round by round so partial results cover every model. */
export function allJobs(config: ExperimentConfig): RoundJob[] {
  return Array.from({ length: config.rounds }, (_, round) => config.models.map((model) => ({ model, round }))).flat();
}

/**
 * Writes summary.{json,md,csv} for the records so far (and effects.json when the run holds
 * ablation pairs) and returns the summary.
 */
export function writeSummary(runDir: string, config: ExperimentConfig, records: RoundRecord[]): ModelSummary[] {
  const summary = summarise(records, config.models);
  const effects = ablationEffects(records);
  writeFileSync(join(runDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (effects.length) writeFileSync(join(runDir, 'effects.json'), JSON.stringify(effects, null, 2) + '\n');
  const effectsSection = effects.length ? `\n## Effects of weight sharing and the auxiliary loss\n\n${effectsMarkdown(effects)}` : '';
  writeFileSync(join(runDir, 'summary.md'), toMarkdown(summary) + effectsSection);
  writeFileSync(join(runDir, 'summary.csv'), toCsv(summary));
  return summary;
}

/** Fails fast, before any worker starts, on data that cannot be read or is too small. */
export function checkData(config: ExperimentConfig): void {
  const pools = loadPools(config.dataDir);
  for (const [name, pool] of [['train', pools.train], ['test', pools.test]] as const) {
    if (2 * config.pairs > pool.count) {
      throw new UserError(
        `--pairs ${config.pairs}: each set needs ${2 * config.pairs} digits but the ${name} pool holds ${pool.count} (at most ${Math.floor(pool.count / 2)} pairs)`,
      );
    }
  }
}

/**
 * Runs (or resumes) a study. Rounds already in the run's log are skipped; each new round is
 * appended the moment it ends. On SIGINT/SIGTERM the rounds in progress are abandoned, the
 * summary of what finished is written, and the outcome says `interrupted`.
 */
export async function runStudy(config: ExperimentConfig, options: StudyOptions): Promise<StudyOutcome> {
  const { runDir } = options;
  checkData(config);
  mkdirSync(runDir, { recursive: true });
  const configPath = join(runDir, CONFIG_FILE);
  if (!existsSync(configPath)) {
    const meta = { createdAt: new Date().toISOString(), node: process.version, cores: availableParallelism() };
    writeFileSync(configPath, JSON.stringify({ config, meta }, null, 2) + '\n');
  }
  const logPath = join(runDir, RESULTS_FILE);
  const records = readRecords(logPath);
  const done = new Set(records.map(jobKey));
  const jobs = allJobs(config).filter((job) => !done.has(jobKey(job)));

  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), jobs.length || 1));
  if (options.progress) {
    console.error(
      `digit-pairs study → ${runDir}  (${config.models.join(', ')}; ${config.rounds} rounds × ${config.epochs} epochs; ` +
        `${config.backend}; ${workers} worker${workers > 1 ? 's' : ''}; ${jobs.length} rounds to run)`,
    );
  }
  const progress = options.progress ? makeProgress(jobs.length, config.epochs, workers, config.rounds) : undefined;
  const pool = runJobs(jobs, config, workers, {
    onRecord(record) {
      appendRecord(logPath, record);
      records.push(record);
      progress?.record(record);
    },
    onProgress: (slot, p) => progress?.epoch(slot, p),
  });

  let interrupted = false;
  const stop = () => {
    interrupted = true;
    void pool.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await pool.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    progress?.stop();
  }
  const summary = writeSummary(runDir, config, records);
  return { runDir, summary, records, interrupted };
}
