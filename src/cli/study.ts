/** `digit-pairs study`: the seed study (or any models, rounds, recipe), then its summary and report. */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { toTerminal, writeSummary } from '../report/summary.js';
import { runStudy } from '../run/study.js';
import { RESULTS_FILE } from '../run-folder.js';
import { setUp } from './flags.js';
import { preloadReport, reportOrExplain, stopped } from './outcome.js';

export const usage = `digit-pairs study [options] — train every model for every round (fresh pairs and weights each) and
report Table III, the figures and report.html. Defaults: the seed report's protocol
(baseline, baseline-aux, cnn, cnn-aux; 15 rounds; 25 epochs; 1000 pairs; batch 100).`;

/** The run's summary, written; a disk that fills up here loses nothing, and the message says how to finish. */
function summaryOrExplain(...args: Parameters<typeof writeSummary>): ReturnType<typeof writeSummary> {
  const [runDir] = args;
  try {
    return writeSummary(...args);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(
      `cannot write the summary in ${runDir} (${code}); every finished round is kept in ${join(runDir, RESULTS_FILE)}: ` +
        `make room, then build the summary and report with: digit-pairs report ${runDir}`,
    );
  }
}

export async function run(args: string[]): Promise<number> {
  const { config, runDir, run, queue, lockSeconds } = await setUp('study', args);
  const started = performance.now();
  const { workers, retryFailed, saveModels } = run;
  const running = runStudy(config, { runDir, workers, retryFailed, saveModels, queue, lockSeconds, progress: true });
  preloadReport(); // its threads have started: load the report's code while they train
  const { records, interrupted } = await running;
  console.log(`\n${toTerminal(summaryOrExplain(runDir, config.models, records), records)}\n`);
  console.log(
    `wall time ${((performance.now() - started) / 1000).toFixed(0)} s; results in ${runDir}/ (summary.md, summary.csv, summary.json, ${RESULTS_FILE})`,
  );
  const reported = await reportOrExplain(runDir);
  return interrupted ? stopped('study', runDir) : reported;
}
