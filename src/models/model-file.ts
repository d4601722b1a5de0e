/**
 * Model files: a trained model as `model.json` (what it is, where it came from, how to prepare
 * its input, a few test pairs with the probabilities its run computed) and `weights.bin` with a
 * weights manifest in TensorFlow.js's tf.io format (tf.io.encodeWeights / decodeWeights),
 * BatchNorm running statistics included. Pure: bytes in, bytes out; reading and writing files
 * is the caller's (Node's fs, or fetch in a browser).
 */
import * as tf from '@tensorflow/tfjs-core';
import { digitsOfPair, type PairSet } from '../data/pairs.js';
import { UserError } from '../errors.js';
import { makeRng } from '../rng.js';
import { type HyperParams, hyperSchema } from './hyper.js';
import { Params } from './layers.js';
import type { Forward } from './model.js';
import { isBuiltIn, loadedModelFile, MODEL_NAMES, type ModelName, modelSpec } from './registry.js';

export const MODEL_FORMAT = 'digit-pairs-model';
export const MODEL_FORMAT_VERSION = 1;
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/** A test pair the run measured, kept for self-checks: its two 14×14 digits (pooled, 0–255) and the model's P(first ≤ second). */
export interface CheckPair {
  first: number[];
  second: number[];
  firstClass: number;
  secondClass: number;
  target: number;
  probability: number;
}

export interface ModelJson {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  model: ModelName;
  description: string;
  /** A model from a model file: the file's name and SHA-256, which whoever loads the model must give (and match). */
  modelFile?: { name: string; sha256: string };
  digitPairs: { version: string; commit?: string };
  tfjs: string;
  /** Where it was trained: the run folder's name, the round (0-based) and its seed. */
  run?: string;
  round?: number;
  seed?: number;
  hyper: HyperParams;
  input: {
    layout: string;
    preparation: string;
    /** The round's train-pixel mean and std (0–255 scale) that standardise every input. */
    mean: number;
    std: number;
  };
  /** The round's train and test errors (%), as its results.jsonl has them. */
  errors?: { trainErrorPercent: number; testErrorPercent: number };
  checks: CheckPair[];
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** A model's variables as plain arrays: trainable and BatchNorm state, in creation order. */
export interface WeightValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

export function weightValues(params: Params): WeightValues[] {
  return [...params.byName].map(([name, v]) => ({ name, shape: v.shape, values: v.dataSync() as Float32Array }));
}

export type ModelMeta = Omit<ModelJson, 'format' | 'formatVersion' | 'weightsManifest' | 'description' | 'modelFile'>;

/**
 * model.json and weights.bin for `weights`: the float32 values one after the other, described
 * by tf.io's weight specs (what tf.io.encodeWeights writes for float32 tensors, without its
 * await, so a run can write a model and then its results line in order).
 */
export function encodeModel(meta: ModelMeta, weights: WeightValues[]): { json: ModelJson; bin: Uint8Array } {
  const bin = new Uint8Array(weights.reduce((n, w) => n + 4 * w.values.length, 0));
  let offset = 0;
  for (const w of weights) {
    bin.set(new Uint8Array(w.values.buffer, w.values.byteOffset, 4 * w.values.length), offset);
    offset += 4 * w.values.length;
  }
  const specs: tf.io.WeightsManifestEntry[] = weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' }));
  const json: ModelJson = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    ...meta,
    description: modelSpec(meta.model).description,
    ...modelFileOf(meta.model),
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
  };
  return { json, bin };
}

/** model.json's record of a model file: its name (not the folders it sat in) and hash. */
function modelFileOf(model: ModelName): Pick<ModelJson, 'modelFile'> {
  const file = loadedModelFile(model);
  return file ? { modelFile: { name: file.path.split(/[\\/]/).pop()!, sha256: file.sha256 } } : {};
}

/** Test pairs kept in a model file for self-checks. */
export const CHECK_PAIRS = 8;

/** What every model file says of its input. */
export const INPUT_LAYOUT = '[N, 2, 14, 14] pairs: channel 0 the first digit, channel 1 the second';
export const INPUT_PREPARATION =
  'MNIST-style 28×28 digits (0–255, light on dark), 2×2 average pooling to 14×14, then (v − mean) / std with the mean and std below';

/** A trained round's model as training hands it over (plain data: it crosses from a worker thread); encodeRoundModel makes its files. */
export interface TrainedRoundModel {
  model: ModelName;
  round: number;
  seed: number;
  hyper: HyperParams;
  /** The round's train-pixel mean and std, which standardise every input. */
  mean: number;
  std: number;
  errors: { trainErrorPercent: number; testErrorPercent: number };
  weights: WeightValues[];
  /** The round's first test pairs (at most CHECK_PAIRS) as drawn: pooled digits, 0–255, before standardisation. */
  checkPairs: PairSet;
  /** The model's P(first ≤ second) for each of them, in inference mode. */
  checkProbabilities: Float32Array;
}

/** A trained round's model file (model.json's value and weights.bin's bytes), saying which code made it and in which run. */
export function encodeRoundModel(
  trained: TrainedRoundModel,
  origin: { digitPairs: ModelJson['digitPairs']; run: string },
): { json: ModelJson; bin: Uint8Array } {
  const { checkPairs: pairs, checkProbabilities: probabilities } = trained;
  const checks = Array.from({ length: pairs.count }, (_, i): CheckPair => {
    const [first, second] = digitsOfPair(pairs, i);
    const [firstClass, secondClass] = [pairs.classes[2 * i], pairs.classes[2 * i + 1]];
    return { first: Array.from(first), second: Array.from(second), firstClass, secondClass, target: pairs.target[i], probability: probabilities[i] };
  });
  return encodeModel(
    {
      model: trained.model,
      digitPairs: origin.digitPairs,
      tfjs: tf.version_core,
      run: origin.run,
      round: trained.round,
      seed: trained.seed,
      hyper: trained.hyper,
      input: { layout: INPUT_LAYOUT, preparation: INPUT_PREPARATION, mean: trained.mean, std: trained.std },
      errors: trained.errors,
      checks,
    },
    trained.weights,
  );
}

/** A model ready to use: its forward function (inference mode) and what model.json says. */
export interface DecodedModel {
  meta: ModelJson;
  forward: Forward;
  params: Params;
}

/** Checks model.json's shape, one line per problem. */
function checkJson(json: unknown, where: string): ModelJson {
  const j = json as Partial<ModelJson> | null;
  const refuse = (why: string): never => {
    throw new UserError(`${where}: ${why}`);
  };
  if (typeof j !== 'object' || j === null) return refuse('not a JSON object');
  if (j.format !== MODEL_FORMAT) refuse(`not a digit-pairs model file (format ${JSON.stringify(j.format)}, expected "${MODEL_FORMAT}")`);
  if (j.formatVersion !== MODEL_FORMAT_VERSION) refuse(`format version ${j.formatVersion} is not supported (this digit-pairs reads ${MODEL_FORMAT_VERSION})`);
  if (typeof j.model !== 'string') refuse('model: missing');
  const model = j.model as string;
  if (!isBuiltIn(model)) {
    const file = j.modelFile;
    if (!file)
      refuse(`unknown model ${JSON.stringify(model)}; valid: ${MODEL_NAMES.join(', ')}, or a model from a model file (model.json then names the file)`);
    const loaded = loadedModelFile(model);
    if (!loaded)
      refuse(
        `${model} comes from the model file ${file!.name} (sha256 ${file!.sha256.slice(0, 12)}…): give that file (--model-file FILE, or loadModel(dir, { modelFile }))`,
      );
    if (loaded!.sha256 !== file!.sha256) {
      refuse(
        `${loaded!.path} is not the file ${model} was trained with (sha256 ${loaded!.sha256.slice(0, 12)}…, the model needs ${file!.sha256.slice(0, 12)}…)`,
      );
    }
  }
  const hyper = hyperSchema.safeParse(j.hyper);
  if (!hyper.success) refuse(`hyper: ${hyper.error.issues[0]?.message}`);
  if (!Number.isFinite(j.input?.mean) || !(Number(j.input?.std) > 0)) refuse('input: needs the standardisation mean and a positive std');
  if (!Array.isArray(j.weightsManifest) || j.weightsManifest.length !== 1) refuse('weightsManifest: expected one group');
  return j as ModelJson;
}

/**
 * Rebuilds the model from model.json and weights.bin. Every variable the architecture has must
 * be in the file with its shape, and the file must hold exactly the bytes its manifest names;
 * anything else is refused with one line.
 */
export function decodeModel(json: unknown, bin: Uint8Array, where = MODEL_JSON): DecodedModel {
  const meta = checkJson(json, where);
  const specs = meta.weightsManifest[0].weights;
  const expectedBytes = specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (specs.some((s) => s.dtype !== 'float32')) throw new UserError(`${where}: only float32 weights are supported`);
  if (bin.byteLength !== expectedBytes) {
    throw new UserError(`${WEIGHTS_BIN}: holds ${bin.byteLength} bytes but the manifest in ${where} describes ${expectedBytes}`);
  }
  const params = new Params(makeRng(0, 'load')); // initial values are overwritten below
  try {
    const forward = modelSpec(meta.model).build(params, meta.hyper);
    const inFile = new Map(specs.map((s) => [s.name, s.shape]));
    for (const [name, v] of params.byName) {
      const shape = inFile.get(name);
      if (!shape) throw new UserError(`${where}: weight ${name} of ${meta.model} is missing`);
      if (JSON.stringify(shape) !== JSON.stringify(v.shape)) {
        throw new UserError(`${where}: weight ${name} has shape ${JSON.stringify(shape)}, but ${meta.model} needs ${JSON.stringify(v.shape)}`);
      }
    }
    const extra = specs.find((s) => !params.byName.has(s.name));
    if (extra) throw new UserError(`${where}: weight ${extra.name} is not part of ${meta.model}`);
    const buffer = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
    const decoded = tf.io.decodeWeights(buffer, specs);
    for (const [name, v] of params.byName) {
      v.assign(decoded[name]);
      decoded[name].dispose();
    }
    return { meta, forward, params };
  } catch (error) {
    params.dispose();
    throw error;
  }
}
