/** `digit-pairs export RUN --model M --round R`: a round's model files for a run made without --save-models. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPools } from '../data/mnist.js';
import { initBackend } from '../engine/backend.js';
import { UserError } from '../errors.js';
import { checkSameData } from '../run/folder.js';
import { useModelFiles } from '../run/model-code.js';
import { writeModelFiles } from '../run/model-files.js';
import { latestRecords, MODELS_DIR, modelDirName, RESULTS_FILE, readRecords, readRunConfig } from '../run-folder.js';
import type { RoundRecord } from '../train/records.js';
import { trainRound } from '../train/round.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs export RUN_DIR --model M --round R [--out DIR] — the model files of one round of a run
made without --save-models. Retrains that round (a round is a function of its config and seed) and
writes model.json + weights.bin only if its train and test errors equal those in ${RESULTS_FILE}.`;

export async function run(args: string[]): Promise<number> {
  const { run, positionals } = parseCommand('export', args);
  if (positionals.length !== 1) throw new UserError('export: give exactly one run folder, e.g. digit-pairs export runs/<run> --model cnn --round 1');
  const runDir = positionals[0];
  const config = readRunConfig(runDir);
  checkSameData(runDir, config);
  const model = run.model;
  if (!model || !config.models.includes(model))
    throw new UserError(`--model${model ? ` ${model}` : ''}: give one of the run's models: ${config.models.join(', ')}`);
  if (run.round === undefined) throw new UserError(`--round: give a round from 1 to ${config.rounds}`);
  const round = run.round - 1;
  if (round < 0 || round >= config.rounds) throw new UserError(`--round ${round + 1}: the run has rounds 1 to ${config.rounds}`);
  const recorded = latestRecords(readRecords<RoundRecord>(join(runDir, RESULTS_FILE))).find((r) => r.model === model && r.round === round);
  if (recorded?.status !== 'ok') throw new UserError(`${runDir}: ${model} round ${round + 1} has no finished result to check an export against`);
  const out = run.exportOut ?? join(runDir, MODELS_DIR, modelDirName(model, round));
  if (existsSync(join(out, 'model.json'))) throw new UserError(`--out ${out}: already holds a model (model.json); remove it or give another --out`);

  await initBackend(config.backend);
  await useModelFiles(config, [model]);
  console.error(`retraining ${model} round ${round + 1} of ${runDir} …`);
  const { record, model: trained } = trainRound({ model, round }, config, loadPools(config.dataDir), { keepModel: true });
  const same = record.trainErrorPercent === recorded.trainErrorPercent && record.testErrorPercent === recorded.testErrorPercent;
  if (!same) {
    console.error(
      `digit-pairs: the retrained round differs from ${RESULTS_FILE} (train ${record.trainErrorPercent}% vs ${recorded.trainErrorPercent}%, ` +
        `test ${record.testErrorPercent}% vs ${recorded.testErrorPercent}%): other code or another backend than the run's; nothing written`,
    );
    return 1;
  }
  writeModelFiles(out, trained!, runDir);
  console.log(`${out}: ${model} round ${round + 1}, train ${record.trainErrorPercent}%, test ${record.testErrorPercent}% (equal to the run's)`);
  return 0;
}
