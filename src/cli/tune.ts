/** `digit-pairs tune`: cross-validated learning rate × λ per model, written to hparams.json. */
import { join } from 'node:path';
import { runTune } from '../run/tune.js';
import { HPARAMS_FILE } from '../run-folder.js';
import { setUp } from './flags.js';
import { preloadReport, reportOrExplain, stopped } from './outcome.js';

export const usage = `digit-pairs tune [options] — k-fold cross-validation of learning rate × L2 λ on each round's
training pairs (the test pairs are never generated); writes ${HPARAMS_FILE} for study --hparams.`;

export async function run(args: string[]): Promise<number> {
  const { config, runDir, run, queue, lockSeconds } = await setUp('tune', args);
  const { workers, retryFailed } = run;
  const running = runTune(config, { runDir, workers, retryFailed, queue, lockSeconds, progress: true });
  preloadReport(); // its threads have started: load the report's code while they train
  const { hparams, interrupted } = await running;
  for (const [model, chosen] of Object.entries(hparams.chosen)) {
    if (!chosen) continue;
    const best = hparams.grid[model]!.find((p) => p.learningRate === chosen.learningRate && p.l2 === chosen.l2)!;
    console.log(
      `${model.padEnd(22)} lr ${chosen.learningRate}  λ ${chosen.l2}  validation error ${best.validationErrorMean.toFixed(2)} ± ${best.validationErrorStd.toFixed(2)}%`,
    );
  }
  console.log(`\nwritten ${join(runDir, HPARAMS_FILE)}; use it with: digit-pairs study --hparams ${join(runDir, HPARAMS_FILE)}`);
  const reported = await reportOrExplain(runDir);
  return interrupted ? stopped('tune', runDir) : reported;
}
