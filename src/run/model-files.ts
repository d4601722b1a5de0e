/**
 * Model files on disk: `RUN/models/<model>-round<r>/model.json` and `weights.bin`
 * (format: src/models/model-file.ts), written as a round ends and read back by `predict`,
 * `export` and the library's loadModel.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { UserError } from '../errors.js';
import { type DecodedModel, decodeModel, encodeRoundModel, MODEL_JSON, type TrainedRoundModel, WEIGHTS_BIN } from '../models/model-file.js';
import { codeRevision } from './folder.js';

/** Writes `trained` into `dir` (made if missing), saying it came from `runDir` and this code. */
export function writeModelFiles(dir: string, trained: TrainedRoundModel, runDir: string): void {
  const { digitPairs: version, commit } = codeRevision();
  const { json, bin } = encodeRoundModel(trained, { digitPairs: commit ? { version, commit } : { version }, run: basename(runDir) });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, WEIGHTS_BIN), bin);
  writeFileSync(join(dir, MODEL_JSON), `${JSON.stringify(json, null, 2)}\n`);
}

/** Reads and checks a model folder (the engine must be initialised). */
export function readModelFiles(dir: string): DecodedModel {
  const jsonPath = join(dir, MODEL_JSON);
  const binPath = join(dir, WEIGHTS_BIN);
  for (const path of [jsonPath, binPath]) if (!existsSync(path)) throw new UserError(`${dir}: not a model folder (no ${basename(path)})`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8'));
  } catch {
    throw new UserError(`${jsonPath}: not valid JSON`);
  }
  return decodeModel(json, new Uint8Array(readFileSync(binPath)), jsonPath);
}
