/** `digit-pairs compare RUN_A RUN_B [--models …]` or `compare RUN --models a,b`: differences in error with 95 % intervals. */
import { writeFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { compareModels, compareRuns, compareToTerminal, readStudy } from '../report/compare.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs compare RUN_A RUN_B [--models a,b,…] | digit-pairs compare RUN --models a,b
Each model's mean train and test error in run A and run B (or model a and model b of one run), and
the difference B − A with its 95% interval and p-value. Rounds are paired (paired t) when both sides
drew the same pairs: the same digits, pairs count and seed; otherwise Welch's t compares them as
independent samples. The output names the test and the rounds used on each side; diverged or
failed rounds are counted, not averaged.`;

export async function run(args: string[]): Promise<number> {
  const { run, positionals } = parseCommand('compare', args);
  if (positionals.length < 1 || positionals.length > 2)
    throw new UserError('compare: give two run folders (compare RUN_A RUN_B) or one with two models (compare RUN --models a,b)');
  const runs = positionals.map(readStudy);
  const comparison = runs.length === 2 ? compareRuns(runs[0], runs[1], run.compareModels) : compareModels(runs[0], run.compareModels);
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
