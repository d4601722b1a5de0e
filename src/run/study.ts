/**
 * The study: every model × every round, on a pool of workers, into one run folder that holds
 * the resolved config and the results log (a line per round, written as each ends). The
 * summary and report are built from the folder afterwards (src/report).
 */
import type { ExperimentConfig } from '../config.js';
import { RESULTS_FILE } from '../run-folder.js';
import type { RoundJob, RoundRecord } from '../train/records.js';
import { writeExamples } from './examples.js';
import { type LoggedJobs, type RunOptions, runLoggedJobs, runnerFor } from './execute.js';
import { RunLog } from './run-log.js';

/** Every (model, round) job of a config, round by round so partial results cover every model. */
export function allJobs(config: ExperimentConfig): RoundJob[] {
  return Array.from({ length: config.rounds }, (_, round) => config.models.map((model) => ({ model, round }))).flat();
}

/** One line for a finished round, rounds counted from 1. */
export function describeRound(r: RoundRecord, rounds: number): string {
  const what = `${r.model} round ${r.round + 1}/${rounds}`;
  const where = 'host' in r ? ` on ${r.host}` : ''; // queued runs say which machine trained it
  return r.status === 'ok'
    ? `${what}: train ${r.trainErrorPercent.toFixed(1)}%  test ${r.testErrorPercent.toFixed(1)}%  (${r.seconds.toFixed(1)} s${where})`
    : `${what}: FAILED (${r.reason})`;
}

/**
 * Runs (or resumes) a study. Rounds already in the run's log are skipped; each new round is
 * appended the moment it ends. On SIGINT/SIGTERM the rounds in progress are abandoned and the
 * outcome says `interrupted`.
 */
export async function runStudy(config: ExperimentConfig, options: RunOptions): Promise<LoggedJobs<RoundRecord>> {
  writeExamples(options.runDir, config);
  const log = RunLog.open<RoundRecord>(options.runDir, 'study', config, RESULTS_FILE);
  return runLoggedJobs({
    command: 'study',
    config,
    jobs: allJobs(config),
    log,
    runner: await runnerFor(options, log),
    describe: (r) => describeRound(r, config.rounds),
    progress: options.progress,
    retryFailed: options.retryFailed,
  });
}
