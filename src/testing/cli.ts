/** The CLI as tests run it: the built entry point, run to completion or started as a child, and scratch folders. */
import { type ChildProcess, type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/cli/main.js, beside this file's compiled copy. */
export const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Runs `digit-pairs ARGS` to the end; `env` adds to the test's environment. */
export function runCli(args: string[], { env = {}, timeoutMs = 180_000 }: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, ...env } });
}

export interface StartedCli {
  child: ChildProcess;
  /** The exit code (-1 when a signal ended it). */
  exited: Promise<number | null>;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
}

/** Starts `digit-pairs ARGS` as a child (for signals, queues, servers); `env` replaces the environment when given. */
export function startCli(args: string[], env: NodeJS.ProcessEnv = process.env): StartedCli {
  const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  // 'close', not 'exit': only then has all of the child's output been read.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, exited, output: () => output };
}

/** A fresh scratch folder under the system's tmp. */
export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `${prefix}-`));
