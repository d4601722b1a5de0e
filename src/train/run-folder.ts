/**
 * What a study and a tuning run share: a run folder holding the resolved config and a log of
 * finished jobs; the jobs not yet in the log run on the worker pool, each appended as it ends;
 * SIGINT/SIGTERM abandon only the jobs in progress.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import { type ExperimentConfig, parseConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { UserError } from '../errors.js';
import type { Job, JobRecord } from './jobs.js';
import { runJobs } from './pool.js';
import { makeProgress } from './progress.js';
import { appendRecord, dropTornTail, jobKey, readRecords } from './results-log.js';

export const CONFIG_FILE = 'config.json';

export interface RunOptions {
  /** The run folder: new for a fresh run, existing for a resumed one. */
  runDir: string;
  /** Worker threads (default: the machine's cores). */
  workers?: number;
  /** Show progress (bars on a terminal, lines otherwise). */
  progress?: boolean;
}

/** A fresh run folder name under `root`, e.g. runs/2026-11-27T10-31-05 (with a prefix: runs/tune-…). */
export function newRunDir(root: string, prefix = ''): string {
  const stamp = prefix + new Date().toISOString().slice(0, 19).replace(/:/g, '-');
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

/** Fails fast, before any worker starts, on data that cannot be read or is too small. */
export function checkData(config: ExperimentConfig): void {
  const pools = loadPools(config.dataDir);
  for (const [name, pool] of [
    ['train', pools.train],
    ['test', pools.test],
  ] as const) {
    if (2 * config.pairs > pool.count) {
      throw new UserError(
        `--pairs ${config.pairs}: each set needs ${2 * config.pairs} digits but the ${name} pool holds ${pool.count} (at most ${Math.floor(pool.count / 2)} pairs)`,
      );
    }
  }
}

/** The nearest folder above this file holding a package.json: digit-pairs' own (from src/ or dist/src/). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * The digit-pairs version and, in a git checkout of it, the commit the run's code came from
 * ("+dirty" when tracked files differ from it), so a run's numbers can be traced to code.
 * Only the project's own .git counts: installed under node_modules, a parent repo's commit
 * would say nothing about this code.
 */
export function codeRevision(root = projectRoot()): { digitPairs: string; commit?: string } {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  if (!existsSync(join(root, '.git'))) return { digitPairs: version };
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return { digitPairs: version, commit: git('rev-parse', '--short=12', 'HEAD') + (dirty ? '+dirty' : '') };
  } catch {
    return { digitPairs: version }; // no git on this machine: the version alone
  }
}

/** Appends one run session (start, wall time, workers) to the run's config.json meta, so resumed runs keep every session's timing. */
function recordSession(configPath: string, session: object): void {
  const file = JSON.parse(readFileSync(configPath, 'utf8')) as { config: unknown; meta: { sessions?: object[] } };
  file.meta.sessions = [...(file.meta.sessions ?? []), session];
  writeFileSync(configPath, `${JSON.stringify(file, null, 2)}\n`);
}

export interface LoggedJobs<R> {
  /** Every record in the log: earlier runs' and this one's. */
  records: R[];
  /** True when stopped (SIGINT/SIGTERM) before every job finished. */
  interrupted: boolean;
}

/**
 * Runs the `jobs` of `config` that `runDir/logFile` does not hold yet. `command` and
 * `describe` only shape what the user sees.
 */
export async function runLoggedJobs<J extends Job, R extends JobRecord>(
  command: string,
  config: ExperimentConfig,
  jobs: J[],
  logFile: string,
  options: RunOptions,
  describe: (r: R) => string,
): Promise<LoggedJobs<R>> {
  const { runDir } = options;
  checkData(config);
  mkdirSync(runDir, { recursive: true });
  const configPath = join(runDir, CONFIG_FILE);
  if (!existsSync(configPath)) {
    const meta = {
      command,
      createdAt: new Date().toISOString(),
      ...codeRevision(),
      node: process.version,
      tfjs: tfjsVersion,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
    };
    writeFileSync(configPath, `${JSON.stringify({ config, meta }, null, 2)}\n`);
  }
  const logPath = join(runDir, logFile);
  dropTornTail(logPath);
  const records = readRecords<R>(logPath);
  const done = new Set(records.map(jobKey));
  const todo = jobs.filter((job) => !done.has(jobKey(job)));

  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), todo.length || 1));
  if (options.progress) {
    console.error(
      `digit-pairs ${command} → ${runDir}  (${config.models.join(', ')}; ${config.epochs} epochs; ${config.backend}; ` +
        `${workers} worker${workers > 1 ? 's' : ''}; ${todo.length} of ${jobs.length} jobs to run)`,
    );
  }
  const progress = options.progress ? makeProgress(todo.length, config.epochs, workers, describe as (r: JobRecord) => string) : undefined;
  const pool = runJobs<J, R>(todo, config, workers, {
    onRecord(record) {
      appendRecord(logPath, record);
      records.push(record);
      progress?.record(record);
    },
    onProgress: (slot, p) => progress?.epoch(slot, p),
  });

  const startedAt = new Date();
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
  recordSession(configPath, {
    startedAt: startedAt.toISOString(),
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    workers,
    jobs: todo.length,
    interrupted,
  });
  return { records, interrupted };
}
