/** `digit-pairs runs [DIR]`: the study runs under DIR, one row each, oldest first. */
import { existsSync, statSync } from 'node:fs';
import { UserError } from '../errors.js';
import { listRuns, RUNS_TABLE } from '../report/runs.js';
import { terminalTable } from '../report/table.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs runs [DIR] — the study runs in the folders under DIR (default runs), oldest first: when each
started, its protocol, data and models, rounds done of those planned (models × rounds; a failed round
counts as done), its status and the commit it ran. Tuning runs and folders that hold no run are left out;
a run whose config.json or results.jsonl cannot be read is listed with what is wrong.`;

export async function run(args: string[]): Promise<number> {
  const { run, positionals } = parseCommand('runs', args);
  if (positionals.length > 1) throw new UserError(`runs: one folder at most (got ${positionals.join(' ')})`);
  const dir = positionals[0] ?? 'runs';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`runs: ${dir} is not a folder`);
  const rows = listRuns(dir);
  if (run.json) console.log(JSON.stringify(rows, null, 2));
  else console.log(rows.length ? terminalTable(RUNS_TABLE, rows) : `no runs in ${dir}`);
  return 0;
}
