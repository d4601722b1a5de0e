/** `digit-pairs report RUN_DIR`: rebuild a run's summary and report from its folder alone. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_APP_PORT } from '../app/manifest.js';
import { UserError } from '../errors.js';
import { buildReport } from '../report/report.js';
import { toTerminal, writeSummary } from '../report/summary.js';
import { latestRecords, RESULTS_FILE, readRecords, readRunConfig } from '../run-folder.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs report RUN_DIR [--skip-bad-lines] — rebuild a run's summary (summary.md/.csv/.json)
and report.html with its figures from the run folder alone (config.json and the results log).`;

export async function run(args: string[]): Promise<number> {
  const { run, positionals } = parseCommand('report', args);
  if (positionals.length !== 1) throw new UserError('report: give exactly one run folder, e.g. digit-pairs report runs/2026-11-27T10-31-05');
  const runDir = positionals[0];
  const config = readRunConfig(runDir);
  // A tune run has folds, not rounds: its report is the grid alone.
  const isStudy = existsSync(join(runDir, RESULTS_FILE));
  // A damaged line is refused unless asked to leave it out; then each one is named once.
  const skipped = new Set<number>();
  const onBadLine = run.skipBadLines ? (line: number) => skipped.add(line) : undefined;
  const summary = isStudy ? writeSummary(runDir, config.models, latestRecords(readRecords(join(runDir, RESULTS_FILE), onBadLine))) : [];
  const built = await buildReport(runDir, { appPort: DEFAULT_APP_PORT, onBadLine });
  if (skipped.size)
    console.error(`digit-pairs: left out line${skipped.size === 1 ? '' : 's'} ${[...skipped].join(', ')} of ${join(runDir, RESULTS_FILE)} (not JSON)`);
  if (isStudy) console.log(toTerminal(summary));
  console.log(`\nreport: ${built.html}`);
  return 0;
}
