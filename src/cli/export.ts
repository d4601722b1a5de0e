/** `digit-pairs export RUN --model M --round R`: a round's model files for a run made without --save-models. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPools } from '../data/mnist.js';
import { initBackend } from '../engine/backend.js';
import { UserError } from '../errors.js';
import { MODEL_NAMES, type ModelName } from '../models/registry.js';
import { readRunConfig } from '../run/folder.js';
import { latestRecords, RESULTS_FILE, readRecords } from '../run/log.js';
import { MODELS_DIR, modelDirName, writeModelFiles } from '../run/model-files.js';
import type { RoundRecord } from '../train/records.js';
import { trainRound } from '../train/round.js';
import { type Options, parseFlags, wholeNumber } from './flags.js';

export const EXPORT_OPTIONS = {
  model: { type: 'string' },
  round: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

export const EXPORT_HELP = `digit-pairs export RUN_DIR --model M --round R [--out DIR] — the model files of one round of a run
made without --save-models. Retrains that round (a round is a function of its config and seed) and
writes model.json + weights.bin only if its train and test errors equal those in ${RESULTS_FILE}.
  --model M    the model (as in the run)
  --round R    the round, counted from 1
  --out DIR    where to write (default RUN_DIR/${MODELS_DIR}/<model>-round<R>)
`;

export async function exportModel(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, EXPORT_OPTIONS);
  if (positionals.length !== 1) throw new UserError('export: give exactly one run folder, e.g. digit-pairs export runs/<run> --model cnn --round 1');
  const runDir = positionals[0];
  const config = readRunConfig(runDir);
  const model = values.model as ModelName | undefined;
  if (!model || !config.models.includes(model)) {
    throw new UserError(
      `--model: give one of the run's models: ${config.models.join(', ')}${model && !MODEL_NAMES.includes(model) ? ` (${model} is no model)` : ''}`,
    );
  }
  if (values.round === undefined) throw new UserError(`--round: give a round from 1 to ${config.rounds}`);
  const round = wholeNumber('round', String(values.round)) - 1;
  if (round < 0 || round >= config.rounds) throw new UserError(`--round ${round + 1}: the run has rounds 1 to ${config.rounds}`);
  const recorded = latestRecords(readRecords<RoundRecord>(join(runDir, RESULTS_FILE))).find((r) => r.model === model && r.round === round);
  if (recorded?.status !== 'ok') throw new UserError(`${runDir}: ${model} round ${round + 1} has no finished result to check an export against`);
  const out = (values.out as string | undefined) ?? join(runDir, MODELS_DIR, modelDirName(model, round));
  if (existsSync(join(out, 'model.json'))) throw new UserError(`--out ${out}: already holds a model (model.json); remove it or give another --out`);

  await initBackend(config.backend);
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
