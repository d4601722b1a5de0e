/** `digit-pairs compare RUN_A RUN_B [--models …]` or `compare RUN --models a,b`: differences in error with 95 % intervals. */
import { writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { type Comparison, compareModels, compareRuns, compareToTerminal, missingModels, sharedModels } from '../report/compare.js';
import { inspectRun, type StudyFolder } from '../report/runs.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs compare RUN_A RUN_B [--models a,b,… | x:y,…] | digit-pairs compare RUN --models a,b
Each model's mean train and test error in run A and run B (x:y: model x of run A against model y of
run B; or model a and model b of one run), and
the difference B − A with its 95% interval and p-value. Rounds are paired (paired t) when both sides
drew the same pairs: the same digits, pairs count and seed; otherwise Welch's t compares them as
independent samples. The output names the test and the rounds used on each side; diverged or
failed rounds are counted, not averaged.`;

/** A study run folder, read, or one line saying why it cannot be compared. */
export function readStudy(dir: string): StudyFolder {
  const found = inspectRun(dir);
  if (found.kind === 'study') return found.run;
  if (found.kind === 'broken') throw new UserError(`${dir}: ${found.problem}`);
  if (found.kind === 'tune') throw new UserError(`${dir}: a tuning run (folds, not rounds); compare takes study runs`);
  throw new UserError(`${dir}: not a run folder (no config.json)`);
}

/** A model name not in a run: one line naming the run's models. */
function checkModels(run: StudyFolder, models: string[]): void {
  const missing = missingModels(run, models);
  if (missing.length) throw new UserError(`--models ${missing.join(',')}: not in ${run.dir} (its models: ${run.config.models.join(', ')})`);
}

/** The comparison the command line asks for: two runs (all shared models, or `models`), or two models of one run. */
export function comparisonOf(dirs: string[], models: string[] | undefined): Comparison {
  if (dirs.length < 1 || dirs.length > 2)
    throw new UserError('compare: give two run folders (compare RUN_A RUN_B) or one with two models (compare RUN --models a,b)');
  const [a, b] = dirs.map(readStudy);
  if (b) {
    // `x:y` names model x of run A against model y of run B; a plain name, that model in both.
    const entries = (models ? [...new Set(models)] : sharedModels(a, b)).map((m) => (m.includes(':') ? (m.split(':', 2) as [string, string]) : m));
    if (!entries.length)
      throw new UserError(
        `${a.dir} and ${b.dir} have no model in common (${a.config.models.join(', ')} vs ${b.config.models.join(', ')}); ` +
          'name pairs across them (--models cnn-aux:my-model) or compare two models of one run (compare RUN --models a,b)',
      );
    checkModels(
      a,
      entries.map((e) => (typeof e === 'string' ? e : e[0])),
    );
    checkModels(
      b,
      entries.map((e) => (typeof e === 'string' ? e : e[1])),
    );
    return compareRuns(a, b, entries);
  }
  if (models?.length !== 2 || models[0] === models[1])
    throw new UserError(
      `compare ${a.dir}: give exactly two different models of it to compare, e.g. --models ${a.config.models.slice(0, 2).join(',') || 'a,b'} (its models: ${a.config.models.join(', ')})`,
    );
  checkModels(a, models);
  return compareModels(a, [models[0], models[1]]);
}

export async function run(args: string[]): Promise<number> {
  const { run, positionals } = parseCommand('compare', args);
  const comparison = comparisonOf(positionals, run.compareModels);
  if (run.html) {
    const { comparePage } = await import('../report/compare-page.js');
    const page = await comparePage(comparison);
    try {
      writeFileSync(run.html, page);
    } catch (error) {
      throw new UserError(`--html ${run.html}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  console.log(run.json ? JSON.stringify(comparison, null, 2) : compareToTerminal(comparison));
  if (run.html && !run.json) console.log(`\npage: ${run.html}`);
  return 0;
}
