/**
 * Fitting one model: mini-batch Adam over the epochs of its recipe (schedule, re-pairing,
 * jitter), then its probabilities on the training pairs and on the held-out pairs. Pure
 * compute: pairs and a seed in, errors and curves out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { affineDigits, repair } from '../data/augment.js';
import { firstPairs, type PairSet } from '../data/pairs.js';
import { l2PenaltyValue } from '../engine/ops/l2-penalty.js';
import { AdamOptimizer, isOurAdam } from '../engine/optim/adam.js';
import { eachReadOnce } from '../engine/tape.js';
import type { HyperParams } from '../models/hyper.js';
import { type ForwardContext, Params } from '../models/layers.js';
import type { Forward } from '../models/model.js';
import { type WeightValues, weightValues } from '../models/model-file.js';
import { comparisonProbabilities } from '../models/probabilities.js';
import { authorsCodeErrorPercent, measureOf, type Protocol } from '../models/protocols.js';
import { type ModelName, modelSpec } from '../models/registry.js';
import { makeRng, permutation, type Rng } from '../rng.js';
import { takeBatch } from './batch.js';
import { deadDigitUnits, errorOfProbabilities, errorPercent, wrongPairs } from './evaluate.js';
import { dataTerms, l2Penalty, sumOf } from './loss.js';
import type { EpochErrors } from './records.js';

/** Thrown when the loss stops being finite; the round is recorded as diverged (a result, not a retry). */
export class DivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(`loss became ${loss} in epoch ${epoch + 1}`);
  }
}

export interface FitOptions {
  model: ModelName;
  /** The model's resolved recipe; `epochs` is its epoch count. */
  hyper: HyperParams & { epochs: number };
  /** The pairs it trains on. */
  train: PairSet;
  /** The pairs it is measured on besides `train`: a round's test pairs, or a validation fold. */
  heldOut: PairSet;
  /** Every random draw (initial weights, shuffling, dropout, re-pairing, jitter) comes from it. */
  seed: number;
  /** Pairs per mini-batch when the recipe names none. */
  batchSize: number;
  /** Also measure after every epoch but the last (for the curves), not only at the end. */
  evalEveryEpoch: boolean;
  /** Measure those per-epoch errors on the first N pairs of `train` and of `heldOut` (default: all). */
  epochEvalPairs?: number;
  /** The protocol whose measurement gives the final errors (../models/protocols.ts). */
  protocol: Protocol;
  /** Keep the trained weights (of the first ensemble member), for a model file. */
  keepWeights?: boolean;
  /** Called after every epoch (counted across ensemble members) with its batch losses and, when it was measured (every epoch but the last), its errors. */
  onEpoch?: (epoch: number, losses: number[], errors?: EpochErrors) => void;
}

export interface FitResult {
  params: number;
  /** Errors on the training pairs and on the held-out pairs after each evaluated epoch (of the first ensemble member). */
  epochs: EpochErrors[];
  /** Pair errors after training, measured as the protocol says: of the model, or of the ensemble's averaged predictions. */
  final: EpochErrors;
  /** With training-mode measurement: the authors' error formula (../models/protocols.ts). */
  asComputed?: EpochErrors;
  /** With training-mode measurement: the same weights' pair errors in inference mode (of the first ensemble member). */
  inference?: EpochErrors;
  /** Aux models: digit-logit units dead on every training digit (of the first ensemble member). */
  deadDigitUnits?: number;
  /** Loss after every mini-batch (of the first ensemble member). */
  batchLoss: number[];
  /** With `keepWeights`: the trained variables and the inference-mode P(first ≤ second) of every held-out pair (first ensemble member). */
  kept?: { weights: WeightValues[]; heldOutProbabilities: Float32Array };
}

interface MemberResult extends Omit<FitResult, 'final' | 'asComputed'> {
  trainProbabilities: Float32Array;
  heldOutProbabilities: Float32Array;
}

/** A model being trained: what every epoch's steps use. */
export interface Trainer {
  forward: Forward;
  params: Params;
  optimizer: tf.Optimizer;
  /** Pairs per step. */
  batchSize: number;
  /** The recipe: the loss's terms and whether to shuffle. */
  hyper: HyperParams;
}

/** One epoch of mini-batch Adam over `set` in a fresh random order (in order when the recipe says no shuffling); returns the loss after every batch. */
export function trainEpoch({ forward, params, optimizer, batchSize, hyper }: Trainer, set: PairSet, rng: Rng): number[] {
  const order = hyper.shuffle === false ? Int32Array.from({ length: set.count }, (_, i) => i) : permutation(set.count, rng);
  const ctx: ForwardContext = { mode: 'train', rng };
  const losses: number[] = [];
  const twiceL2 = 2 * Math.fround(hyper.l2); // as l2Penalty's gradient scales
  const adam = isOurAdam(optimizer) ? optimizer : undefined; // ours takes the L2 gradient; a stock optimizer, the taped penalty
  for (let start = 0; start < set.count; start += batchSize) {
    const indices = order.subarray(start, start + batchSize);
    losses.push(
      tf.tidy(() => {
        const batch = takeBatch(set, indices);
        let folded = false;
        const { value, grads } = tf.variableGrads(() => {
          const terms = dataTerms(forward(batch.pairs, ctx), batch, hyper);
          // The L2 term's gradient goes into Adam's kernel (one multiply-add per weight instead of
          // ~90 kernel calls per CNN step) when that gives the same number: each variable read by
          // one op, so the tape would have added its two gradients, data term's and L2's, in one
          // Add; a variable read twice would have summed three in another order.
          folded = adam !== undefined && hyper.l2 > 0 && terms.length > 0 && eachReadOnce(params.trainable);
          return sumOf(folded || hyper.l2 === 0 ? terms : [...terms, l2Penalty(hyper.l2, params.trainable)]);
        }, params.trainable);
        // The penalty of the weights the gradients are of, before the step moves them.
        const loss = folded ? tf.add(value, l2PenaltyValue(hyper.l2, params.trainable)) : value;
        // Every trainable variable listed, so one that no op reaches still gets the L2 term's gradient, as on the tape.
        if (folded && adam)
          adam.applyGradients(
            params.trainable.map((v) => ({ name: v.name, tensor: grads[v.name] })),
            twiceL2,
          );
        else optimizer.applyGradients(grads);
        return loss.dataSync()[0]!;
      }),
    );
  }
  return losses;
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
function fitMember(options: FitOptions, member: number): MemberResult {
  const { model, hyper, train, heldOut, seed } = options;
  const epochCount = hyper.epochs;
  const stream = member === 0 ? model : `${model}:member${member}`;
  const params = new Params(makeRng(seed, `init:${stream}`));
  const trainRng = makeRng(seed, `train:${stream}`); // shuffling, dropout masks, re-pairing, jitter
  const evalRng = makeRng(seed, 'eval'); // unused in inference mode, but the context needs one
  // tfjs's Adam, step for step, in one kernel per variable.
  const optimizer = new AdamOptimizer(hyper.learningRate, 0.9, 0.999, 1e-8);
  const background = train.input.reduce((a, b) => Math.min(a, b), Infinity); // a blank pixel, standardised
  const batchSize = hyper.batchSize ?? options.batchSize;
  // The per-epoch curves' pairs; the final errors below are measured on all of them.
  const [curveTrain, curveHeldOut] = [train, heldOut].map((set) => firstPairs(set, options.epochEvalPairs ?? set.count)) as [PairSet, PairSet];
  try {
    const forward = modelSpec(model).build(params, hyper);
    const trainer: Trainer = { forward, params, optimizer, batchSize, hyper };
    const batchLoss: number[] = [];
    const epochs: EpochErrors[] = [];
    for (let epoch = 0; epoch < epochCount; epoch++) {
      // Adam reads its learning rate at every step, so a schedule only has to set it.
      optimizer.learningRate = learningRateAt(hyper, epoch, epochCount);
      const losses = trainEpoch(trainer, epochPairs(train, hyper, background, trainRng), trainRng);
      const bad = losses.find((l) => !Number.isFinite(l));
      if (bad !== undefined) throw new DivergedError(epoch, bad);
      batchLoss.push(...losses);
      const measured =
        options.evalEveryEpoch && epoch < epochCount - 1
          ? { trainErrorPercent: errorPercent(forward, curveTrain, evalRng), testErrorPercent: errorPercent(forward, curveHeldOut, evalRng) }
          : undefined;
      if (measured) epochs.push(measured);
      options.onEpoch?.(member * epochCount + epoch, losses, measured);
    }
    const errorsOf = (trainP: Float32Array, heldOutP: Float32Array): EpochErrors => ({
      trainErrorPercent: errorOfProbabilities(trainP, train),
      testErrorPercent: errorOfProbabilities(heldOutP, heldOut),
    });
    // Inference mode first: a training-mode pass moves BatchNorm's running statistics.
    const inferenceP = [comparisonProbabilities(forward, train, evalRng), comparisonProbabilities(forward, heldOut, evalRng)] as const;
    const towers = modelSpec(model).digitTowers;
    const dead = towers ? deadDigitUnits(forward, train, evalRng, towers) : undefined;
    epochs.push(errorsOf(...inferenceP));
    const kept = options.keepWeights && member === 0 ? { kept: { weights: weightValues(params), heldOutProbabilities: inferenceP[1] } } : {};
    const common = { params: params.count(), epochs, batchLoss, ...(dead === undefined ? {} : { deadDigitUnits: dead }), ...kept };
    if (measureOf(options.protocol) !== 'training-mode') return { ...common, trainProbabilities: inferenceP[0], heldOutProbabilities: inferenceP[1] };
    const [trainP, heldOutP] = [train, heldOut].map((set) => comparisonProbabilities(forward, set, evalRng, { chunk: batchSize, mode: 'train' }));
    return { ...common, trainProbabilities: trainP, heldOutProbabilities: heldOutP, inference: errorsOf(...inferenceP) };
  } finally {
    optimizer.dispose();
    params.dispose();
  }
}

/**
 * Trains a fresh model on `train` and measures it on `train` and `heldOut`. With
 * `hyper.ensemble` = K, trains K members from different initial weights and averages their
 * probabilities; the curves are the first member's.
 */
export function fit(options: FitOptions): FitResult {
  const { train, heldOut } = options;
  const members = options.hyper.ensemble ?? 1;
  const trainVotes = new Float32Array(train.count);
  const heldOutVotes = new Float32Array(heldOut.count);
  let first: MemberResult | undefined;
  for (let member = 0; member < members; member++) {
    const result = fitMember(options, member);
    for (let i = 0; i < train.count; i++) trainVotes[i] += result.trainProbabilities[i] / members;
    for (let i = 0; i < heldOut.count; i++) heldOutVotes[i] += result.heldOutProbabilities[i] / members;
    first ??= result;
  }
  const final = { trainErrorPercent: errorOfProbabilities(trainVotes, train), testErrorPercent: errorOfProbabilities(heldOutVotes, heldOut) };
  const { trainProbabilities: _, heldOutProbabilities: __, ...curves } = first!;
  if (measureOf(options.protocol) !== 'training-mode') return { ...curves, final };
  const { auxiliaryLoss } = modelSpec(options.model);
  const asComputed = {
    trainErrorPercent: authorsCodeErrorPercent(wrongPairs(trainVotes, train), train.count, auxiliaryLoss),
    testErrorPercent: authorsCodeErrorPercent(wrongPairs(heldOutVotes, heldOut), heldOut.count, auxiliaryLoss),
  };
  return { ...curves, final, asComputed };
}
