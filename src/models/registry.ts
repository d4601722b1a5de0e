/** Every model by name: the built-in ones (adding one = a file and a line here) and those loaded from model files. */

import { UserError } from '../errors.js';
import { baseline } from './baseline.js';
import { baselineAux } from './baseline-aux.js';
import { baselineAuxUnshared } from './baseline-aux-unshared.js';
import { baselineShared } from './baseline-shared.js';
import { cnn } from './cnn.js';
import { cnnAux } from './cnn-aux.js';
import { cnnAuxUnshared } from './cnn-aux-unshared.js';
import { cnnShared } from './cnn-shared.js';
import { digitTower } from './digit-tower.js';
import type { ModelSpec } from './model.js';

/** The built-in models, in the order `digit-pairs models` lists them. */
const BUILT_IN = [
  baseline,
  baselineAux,
  cnn,
  cnnAux,
  baselineShared,
  baselineAuxUnshared,
  cnnShared,
  cnnAuxUnshared,
  digitTower,
] as const satisfies readonly ModelSpec[];

/** A built-in model's name. */
export type BuiltInModel = (typeof BUILT_IN)[number]['name'];
/** A model's name: a built-in one's, or the name a model file declares. */
export type ModelName = string;

export const MODELS = Object.fromEntries(BUILT_IN.map((spec) => [spec.name, spec])) as Record<BuiltInModel, ModelSpec>;
export const MODEL_NAMES: BuiltInModel[] = BUILT_IN.map((spec) => spec.name);
export const isBuiltIn = (name: string): name is BuiltInModel => name in MODELS;

/**
 * The models this process (or thread) loaded from model files, by name, with the SHA-256 of
 * the file each came from: src/run/model-files.ts loads them, checking the hash, before any job
 * names one.
 */
const fromFiles = new Map<string, { spec: ModelSpec; file: ModelFileRef }>();

/** Where a model file's model came from: the file's path as given, and its SHA-256. */
export interface ModelFileRef {
  path: string;
  sha256: string;
}

/** Makes a model file's model known by its name; one name, one file (a built-in name is refused). */
export function registerModelFile(spec: ModelSpec, file: ModelFileRef): void {
  if (isBuiltIn(spec.name)) throw new UserError(`${file.path}: declares ${spec.name}, a built-in model's name; give the model a name of its own`);
  const known = fromFiles.get(spec.name);
  if (known && known.file.sha256 !== file.sha256) {
    throw new UserError(`two model files declare the model ${spec.name} (${known.file.path} and ${file.path}): give each its own name`);
  }
  fromFiles.set(spec.name, { spec, file });
}

/** The model file `name` was loaded from in this process, if it was. */
export const loadedModelFile = (name: ModelName): ModelFileRef | undefined => fromFiles.get(name)?.file;

/** A model's spec: built in, or loaded from its file in this process. */
export function modelSpec(name: ModelName): ModelSpec {
  const spec = isBuiltIn(name) ? MODELS[name] : fromFiles.get(name)?.spec;
  if (!spec) throw new UserError(`unknown model ${name}: neither built in (${MODEL_NAMES.join(', ')}) nor loaded from a model file`);
  return spec;
}

/** The seed report's four models, the default of a study. */
export const SEED_MODELS: BuiltInModel[] = ['baseline', 'baseline-aux', 'cnn', 'cnn-aux'];

/**
 * The sharing × aux ablation: per family, the four combinations. The seed's aux models share
 * weights too, so only all four together separate the two effects.
 */
export const ABLATION = {
  mlp: { plain: 'baseline', shared: 'baseline-shared', aux: 'baseline-aux-unshared', sharedAux: 'baseline-aux' },
  cnn: { plain: 'cnn', shared: 'cnn-shared', aux: 'cnn-aux-unshared', sharedAux: 'cnn-aux' },
} as const satisfies Record<string, Record<'plain' | 'shared' | 'aux' | 'sharedAux', BuiltInModel>>;
export const ABLATION_MODELS: BuiltInModel[] = Object.values(ABLATION).flatMap((f) => Object.values(f));
