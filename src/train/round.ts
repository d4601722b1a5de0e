/**
 * One round of the protocol for one model: fresh pairs, fresh weights, `epochs` passes of
 * Adam over shuffled mini-batches, then train and test error in inference mode.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ExperimentConfig } from '../config.js';
import { affineDigits, repair } from '../data/augment.js';
import type { DigitPools } from '../data/mnist.js';
import { DIGIT_PIXELS, makeRoundData, type PairSet } from '../data/pairs.js';
import { type ForwardContext, Params } from '../models/layers.js';
import type { Forward, HyperParams, Outputs } from '../models/model.js';
import { MODELS, type ModelName } from '../models/registry.js';
import { makeRng, permutation, type Rng } from '../rng.js';

export interface EpochErrors {
  trainErrorPercent: number;
  testErrorPercent: number;
}

export interface RoundResult {
  model: ModelName;
  round: number;
  /** The round's seed: config seed + round. */
  seed: number;
  status: 'ok';
  /** Trainable parameters of the model. */
  params: number;
  trainErrorPercent: number;
  testErrorPercent: number;
  /** Errors after each epoch (empty when per-epoch evaluation is off). */
  epochs: EpochErrors[];
  /** Total loss (comparison + aux + L2) after every mini-batch, in training order. */
  batchLoss: number[];
  /** Wall time of the round, data preparation included. */
  seconds: number;
}

/** Thrown when the loss stops being finite; the study records the round as failed. */
export class DivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(`loss became ${loss} in epoch ${epoch + 1}`);
  }
}

export interface RoundProgress {
  /** What is training, for display: "cnn round 3/15", "cnn fold 2/2 lr 0.001 λ 0.1". */
  task: string;
  epoch: number;
  epochs: number;
  loss: number;
}

/** A batch of pairs as tensors: inputs [B, 2, 14, 14], targets [B], digit classes [2B]. */
interface Batch {
  pairs: tf.Tensor;
  target: tf.Tensor1D;
  classes: tf.Tensor1D;
}

/** Copies the pairs at `indices` out of `set` into tensors (cheap next to a training step). */
export function takeBatch(set: PairSet, indices: ArrayLike<number>): Batch {
  const n = indices.length;
  const pixels = new Float32Array(n * 2 * DIGIT_PIXELS);
  const target = new Int32Array(n);
  const classes = new Int32Array(2 * n);
  for (let b = 0; b < n; b++) {
    const i = indices[b];
    pixels.set(set.input.subarray(i * 2 * DIGIT_PIXELS, (i + 1) * 2 * DIGIT_PIXELS), b * 2 * DIGIT_PIXELS);
    target[b] = set.target[i];
    classes[2 * b] = set.classes[2 * i];
    classes[2 * b + 1] = set.classes[2 * i + 1];
  }
  return {
    pairs: tf.tensor4d(pixels, [n, 2, 14, 14]),
    target: tf.tensor1d(target, 'int32'),
    classes: tf.tensor1d(classes, 'int32'),
  };
}

/**
 * Mean softmax cross-entropy of `logits` [B, k] against integer `labels` [B]; with
 * `smoothing` ε the target puts 1 − ε on the label and ε/k on every class.
 */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  const k = logits.shape[1]!;
  let target: tf.Tensor = tf.oneHot(labels, k);
  if (smoothing > 0) target = tf.add(tf.mul(target, 1 - smoothing), smoothing / k);
  const picked = tf.mul(target, tf.logSoftmax(logits as tf.Tensor2D));
  return tf.neg(tf.mean(tf.sum(picked, 1))) as tf.Scalar;
}

/**
 * The seed's loss: comparison cross-entropy, plus for aux models the cross-entropy of each
 * pair's first and of its second digit (equation 1), plus λ·Σw² over every trainable variable.
 * A recipe may drop the comparison term (a model whose comparison is arithmetic on its digit
 * outputs learns from the digits alone) and smooth the digit labels.
 */
export function totalLoss(
  outputs: Outputs,
  batch: Batch,
  trainable: tf.Variable[],
  hyper: Pick<HyperParams, 'l2' | 'comparisonLoss' | 'labelSmoothing'>,
): tf.Scalar {
  const terms: tf.Tensor[] = [];
  if (hyper.comparisonLoss !== false) terms.push(crossEntropy(outputs.comparison, batch.target));
  // The digit logits hold both digits of each pair: mean over 2B, times 2 = first + second.
  if (outputs.digits) terms.push(tf.mul(2, crossEntropy(outputs.digits, batch.classes, hyper.labelSmoothing)));
  if (hyper.l2 > 0) terms.push(tf.mul(hyper.l2, tf.addN(trainable.map((v) => tf.sum(tf.square(v))))));
  return terms.reduce((a, b) => tf.add(a, b)) as tf.Scalar;
}

/**
 * Pairs per forward pass when evaluating. Small chunks keep a CNN's activations in cache:
 * evaluating 1000 pairs takes ~25% less time in chunks of 100 than in one pass (wasm,
 * scratch measurements), and the probabilities are bit-identical (inference is per pair).
 */
const EVAL_CHUNK = 100;

/** P(first ≤ second) for every pair of `set`, from `forward` in inference mode. */
export function comparisonProbabilities(forward: Forward, set: PairSet, rng: Rng, chunk = EVAL_CHUNK): Float32Array {
  const ctx: ForwardContext = { mode: 'eval', rng };
  const out = new Float32Array(set.count);
  for (let start = 0; start < set.count; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, set.count - start) }, (_, k) => start + k);
    out.set(
      tf.tidy(() => {
        const logits = forward(takeBatch(set, indices).pairs, ctx).comparison;
        return tf.slice(tf.softmax(logits as tf.Tensor2D), [0, 1], [-1, 1]).dataSync() as Float32Array;
      }),
      start,
    );
  }
  return out;
}

/** Comparison error (%) of probabilities P(first ≤ second) against the set's targets. */
export function errorOfProbabilities(probabilities: Float32Array, set: PairSet): number {
  let wrong = 0;
  for (let i = 0; i < set.count; i++) if ((probabilities[i] > 0.5 ? 1 : 0) !== set.target[i]) wrong++;
  return (100 * wrong) / set.count;
}

/** Comparison error (%) of `forward` in inference mode over a whole set. */
export function errorPercent(forward: Forward, set: PairSet, rng: Rng): number {
  return errorOfProbabilities(comparisonProbabilities(forward, set, rng), set);
}

/** One epoch of mini-batch Adam; returns the loss after every batch. */
export function trainEpoch(
  forward: Forward,
  params: Params,
  optimizer: tf.Optimizer,
  set: PairSet,
  config: Pick<ExperimentConfig, 'batchSize'>,
  hyper: HyperParams,
  rng: Rng,
): number[] {
  const order = permutation(set.count, rng);
  const ctx: ForwardContext = { mode: 'train', rng };
  const losses: number[] = [];
  const batchSize = hyper.batchSize ?? config.batchSize;
  for (let start = 0; start < set.count; start += batchSize) {
    const indices = order.subarray(start, start + batchSize);
    losses.push(
      tf.tidy(() => {
        const batch = takeBatch(set, indices);
        const { value, grads } = tf.variableGrads(() => totalLoss(forward(batch.pairs, ctx), batch, params.trainable, hyper), params.trainable);
        optimizer.applyGradients(grads);
        return value.dataSync()[0];
      }),
    );
  }
  return losses;
}

export interface RoundJob {
  model: ModelName;
  round: number;
}

/**
 * Fault injection for testing the study's failure handling: DIGIT_PAIRS_FAULT=nan:MODEL:ROUND
 * makes that round's first loss NaN, as a diverging run would. Read per call, so worker
 * threads (which inherit the environment) see it too.
 */
function injectedNaN(job: RoundJob): boolean {
  return process.env.DIGIT_PAIRS_FAULT === `nan:${job.model}:${job.round}`;
}

export interface FitResult {
  params: number;
  /** Errors on the training pairs and on the held-out pairs after each evaluated epoch (of the first ensemble member). */
  epochs: EpochErrors[];
  /** Errors after training: of the model, or of the ensemble's averaged predictions. */
  final: EpochErrors;
  /** Loss after every mini-batch (of the first ensemble member). */
  batchLoss: number[];
}

interface MemberResult extends Omit<FitResult, 'final'> {
  trainProbabilities: Float32Array;
  heldOutProbabilities: Float32Array;
}

/** Learning rate of `epoch` (0-based): constant, or a cosine decay from the base rate towards 0. */
export function learningRateAt(hyper: HyperParams, epoch: number, epochs: number): number {
  return hyper.schedule === 'cosine' ? (hyper.learningRate * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2 : hyper.learningRate;
}

/** The pairs one epoch trains on: the round's own, or re-paired and jittered copies when the model's recipe asks. */
function epochPairs(train: PairSet, hyper: HyperParams, background: number, rng: Rng): PairSet {
  let set = hyper.repairEachEpoch ? repair(train, rng) : train;
  if (hyper.augment) set = affineDigits(set, hyper.augment, background, rng);
  return set;
}

/** Trains one fresh model (ensemble member `member`) and measures it. */
function fitMember(
  model: ModelName,
  hyper: HyperParams,
  train: PairSet,
  heldOut: PairSet,
  seed: number,
  member: number,
  config: Pick<ExperimentConfig, 'epochs' | 'batchSize' | 'evalEveryEpoch'>,
  onEpoch?: (epoch: number, loss: number) => void,
  injectNaN = false,
): MemberResult {
  const stream = member === 0 ? model : `${model}:member${member}`;
  const params = new Params(makeRng(seed, `init:${stream}`));
  const trainRng = makeRng(seed, `train:${stream}`); // shuffling, dropout masks, re-pairing, jitter
  const evalRng = makeRng(seed, 'eval'); // unused in inference mode, but the context needs one
  const optimizer = tf.train.adam(hyper.learningRate, 0.9, 0.999, 1e-8);
  const background = train.input.reduce((a, b) => Math.min(a, b), Infinity); // a blank pixel, standardised
  try {
    const forward = MODELS[model].build(params);
    const batchLoss: number[] = [];
    const epochs: EpochErrors[] = [];
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      // tfjs's Adam reads its learning rate at every step, so a schedule only has to set it.
      (optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(hyper, epoch, config.epochs);
      const pairs = epochPairs(train, hyper, background, trainRng);
      const losses = trainEpoch(forward, params, optimizer, pairs, config, hyper, trainRng);
      if (injectNaN) losses[0] = NaN;
      const bad = losses.find((l) => !Number.isFinite(l));
      if (bad !== undefined) throw new DivergedError(epoch, bad);
      batchLoss.push(...losses);
      if (config.evalEveryEpoch && epoch < config.epochs - 1) {
        epochs.push({ trainErrorPercent: errorPercent(forward, train, evalRng), testErrorPercent: errorPercent(forward, heldOut, evalRng) });
      }
      onEpoch?.(epoch, losses[losses.length - 1]);
    }
    const trainProbabilities = comparisonProbabilities(forward, train, evalRng);
    const heldOutProbabilities = comparisonProbabilities(forward, heldOut, evalRng);
    epochs.push({ trainErrorPercent: errorOfProbabilities(trainProbabilities, train), testErrorPercent: errorOfProbabilities(heldOutProbabilities, heldOut) });
    return { params: params.count(), epochs, batchLoss, trainProbabilities, heldOutProbabilities };
  } finally {
    optimizer.dispose();
    params.dispose();
  }
}

/**
 * Trains a fresh `model` on `train` and measures it on `train` and `heldOut` (the test pairs
 * of a round, or the validation fold of a cross-validation split). All randomness comes from
 * `seed`. Evaluates after every epoch when `config.evalEveryEpoch`, else after the last.
 * With `hyper.ensemble` = K, trains K members from different initial weights and averages
 * their probabilities; the curves are the first member's.
 */
export function fit(
  model: ModelName,
  hyper: HyperParams,
  train: PairSet,
  heldOut: PairSet,
  seed: number,
  config: Pick<ExperimentConfig, 'epochs' | 'batchSize' | 'evalEveryEpoch'>,
  onEpoch?: (epoch: number, loss: number) => void,
  injectNaN = false,
): FitResult {
  const members = hyper.ensemble ?? 1;
  const trainVotes = new Float32Array(train.count);
  const heldOutVotes = new Float32Array(heldOut.count);
  let first: MemberResult | undefined;
  for (let member = 0; member < members; member++) {
    const result = fitMember(model, hyper, train, heldOut, seed, member, config, (e, l) => onEpoch?.(member * config.epochs + e, l), injectNaN);
    for (let i = 0; i < train.count; i++) trainVotes[i] += result.trainProbabilities[i] / members;
    for (let i = 0; i < heldOut.count; i++) heldOutVotes[i] += result.heldOutProbabilities[i] / members;
    first ??= result;
  }
  const final = { trainErrorPercent: errorOfProbabilities(trainVotes, train), testErrorPercent: errorOfProbabilities(heldOutVotes, heldOut) };
  return { params: first!.params, epochs: first!.epochs, final, batchLoss: first!.batchLoss };
}

/** Trains and evaluates `job.model` for round `job.round` of `config`: fresh pairs, fresh weights. */
export function runRound(job: RoundJob, config: ExperimentConfig, pools: DigitPools, onEpoch?: (p: RoundProgress) => void): RoundResult {
  const started = performance.now();
  const seed = config.seed + job.round;
  const hyper = config.hyper[job.model] ?? MODELS[job.model].hyper;
  const data = makeRoundData(pools, config.pairs, seed);
  const task = `${job.model} round ${job.round + 1}/${config.rounds}`;
  const totalEpochs = config.epochs * (hyper.ensemble ?? 1);
  const progress = (epoch: number, loss: number) => onEpoch?.({ task, epoch, epochs: totalEpochs, loss });
  const { params, epochs, final, batchLoss } = fit(job.model, hyper, data.train, data.test, seed, config, progress, injectedNaN(job));
  return {
    ...job,
    seed,
    status: 'ok',
    params,
    ...final,
    epochs: config.evalEveryEpoch ? epochs : [],
    batchLoss,
    seconds: (performance.now() - started) / 1000,
  };
}
