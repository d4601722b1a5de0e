/**
 * The study: every model × every round, on a pool of workers, into one run folder that holds
 * the resolved config, the results log (a line per round, written as each ends) and the summary.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import { ablationEffects, effectsMarkdown } from '../report/effects.js';
import { type ModelSummary, summarise, toCsv, toMarkdown } from '../report/summary.js';
import { RESULTS_FILE, type RoundRecord } from './results-log.js';
import type { RoundJob } from './round.js';
import { type RunOptions, runLoggedJobs } from './run-folder.js';

export { CONFIG_FILE, checkData, newRunDir, readRunConfig } from './run-folder.js';
export type StudyOptions = RunOptions;

export interface StudyOutcome {
  runDir: string;
  summary: ModelSummary[];
  records: RoundRecord[];
  /** True when the study was stopped (SIGINT/SIGTERM) before every round finished. */
  interrupted: boolean;
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
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (effects.length) writeFileSync(join(runDir, 'effects.json'), `${JSON.stringify(effects, null, 2)}\n`);
  const effectsSection = effects.length ? `\n## Effects of weight sharing and the auxiliary loss\n\n${effectsMarkdown(effects)}` : '';
  writeFileSync(join(runDir, 'summary.md'), toMarkdown(summary) + effectsSection);
  writeFileSync(join(runDir, 'summary.csv'), toCsv(summary));
  return summary;
}

function describeRound(r: RoundRecord, rounds: number): string {
  const what = `${r.model} round ${r.round + 1}/${rounds}`;
  return r.status === 'ok'
    ? `${what}: train ${r.trainErrorPercent.toFixed(1)}%  test ${r.testErrorPercent.toFixed(1)}%  (${r.seconds.toFixed(1)} s)`
    : `${what}: FAILED (${r.reason})`;
}

/**
 * Runs (or resumes) a study. Rounds already in the run's log are skipped; each new round is
 * appended the moment it ends. On SIGINT/SIGTERM the rounds in progress are abandoned, the
 * summary of what finished is written, and the outcome says `interrupted`.
 */
export async function runStudy(config: ExperimentConfig, options: StudyOptions): Promise<StudyOutcome> {
  const { records, interrupted } = await runLoggedJobs<RoundJob, RoundRecord>('study', config, allJobs(config), RESULTS_FILE, options, (r) =>
    describeRound(r, config.rounds),
  );
  const summary = writeSummary(options.runDir, config, records);
  return { runDir: options.runDir, summary, records, interrupted };
}
