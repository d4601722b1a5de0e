/** `digit-pairs study`: the seed study (or any models, rounds, recipe), then its summary and report. */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { toTerminal, writeSummary } from '../report/summary.js';
import { runStudy } from '../run/study.js';
import { HPARAMS_FILE, RESULTS_FILE } from '../run-folder.js';
import { COMMON_HELP, COMMON_OPTIONS, hparamsPath, type Options, setUp } from './flags.js';
import { preloadReport, reportOrExplain, stopped } from './outcome.js';

export const STUDY_OPTIONS = {
  ...COMMON_OPTIONS,
  hparams: { type: 'string' },
  'final-eval-only': { type: 'boolean' },
  'epoch-eval-pairs': { type: 'string' },
  'save-models': { type: 'boolean' },
} satisfies Options;

export const STUDY_HELP = `digit-pairs study [options] — train every model for every round (fresh pairs and weights each) and
report Table III, the figures and report.html. Defaults: the seed report's protocol
(baseline, baseline-aux, cnn, cnn-aux; 15 rounds; 25 epochs; 1000 pairs; batch 100).

Options:
${COMMON_HELP}
  --hparams FILE     per-model learning rate and λ from a tune run's ${HPARAMS_FILE} (or its folder), or a file
                     such as {"chosen": {"cnn": {"learningRate": 0.002, "l2": 0.05}}}
  --final-eval-only  evaluate only after the last epoch (faster; no per-epoch curves)
  --epoch-eval-pairs N
                     per-epoch curves from the first N train and N test pairs (a random sample); the
                     final errors still on all pairs (default: all pairs after every epoch)
  --save-models      write each finished round's trained model to RUN/models/<model>-round<r>/
                     (model.json + weights.bin, TensorFlow.js tf.io weights format)
`;

export async function study(args: string[]): Promise<number> {
  const { config, runDir, workers, retryFailed, values, queue, lockSeconds } = await setUp('study', args, STUDY_OPTIONS);
  const hparams = values.hparams as string | undefined;
  // Keep the tuning beside the results it produced, so the report can show the grid.
  if (hparams !== undefined && !existsSync(join(runDir, HPARAMS_FILE))) copyFileSync(hparamsPath(hparams), join(runDir, HPARAMS_FILE));
  const started = performance.now();
  const saveModels = values['save-models'] === true;
  const running = runStudy(config, { runDir, workers, retryFailed, saveModels, queue, lockSeconds, progress: true });
  preloadReport(); // its threads have started: load the report's code while they train
  const { records, interrupted } = await running;
  console.log(`\n${toTerminal(writeSummary(runDir, config.models, records))}\n`);
  console.log(
    `wall time ${((performance.now() - started) / 1000).toFixed(0)} s; results in ${runDir}/ (summary.md, summary.csv, summary.json, ${RESULTS_FILE})`,
  );
  const reported = await reportOrExplain(runDir);
  return interrupted ? stopped('study', runDir) : reported;
}
