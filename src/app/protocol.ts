/**
 * Messages between the page and its engine workers. The page never runs TensorFlow.js: every
 * model call happens in a Web Worker (one answers drawings and test pairs, another trains),
 * so drawing stays smooth while a model trains.
 */
import type { DigitPools } from '../data/digits.js';
import type { ModelName } from '../models/registry.js';
import type { PairPrediction } from '../models/trained-model.js';
import type { EpochErrors, JobProgress, RoundResult } from '../train/records.js';

/** What to train in the tab: one round of one model, as `digit-pairs study` would train it. */
export interface TrainRequest {
  model: ModelName;
  seed: number;
  pairs: number;
  epochs: number;
  /** Measure train and test error after every epoch (the per-epoch curves). */
  evalEveryEpoch: boolean;
}

export interface Requests {
  /** Runs a model file's code (a module of the site, by URL), making its model known by name. */
  code: { args: { url: string; sha256: string }; result: { model: string } };
  /** Loads a model file under `key` (model.json's value and weights.bin's bytes). */
  load: { args: { key: string; json: unknown; weights: ArrayBuffer }; result: { model: ModelName } };
  /** P(first ≤ second) (and digit classes) of two 28×28 MNIST-style digits. */
  compare: { args: { key: string; first: Uint8Array; second: Uint8Array }; result: PairPrediction };
  /** P(first ≤ second) of pairs of digits (28×28 or pooled 14×14). */
  probabilities: { args: { key: string; pairs: [number[], number[]][] }; result: Float32Array };
  /** The digits to train on, fetched by the page when it first trains (the training pool's bytes are transferred). */
  digits: { args: DigitPools; result: null };
  /** Trains one round on the digits sent; progress arrives per epoch. */
  train: { args: TrainRequest; result: TrainResult };
}

export type RequestKind = keyof Requests;

export interface TrainResult {
  record: RoundResult;
  /** The trained model in the model-file format. */
  json: unknown;
  weights: ArrayBuffer;
  /** Milliseconds from the start of training to the end of each epoch (training steps, plus per-epoch evaluation when on). */
  epochEndMs: number[];
}

export interface TrainProgress extends JobProgress {
  errors?: EpochErrors;
  /** Milliseconds since the round started. */
  ms: number;
}

export type ToWorker = { [K in RequestKind]: { id: number; kind: K; args: Requests[K]['args'] } }[RequestKind];

export type FromWorker =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: string }
  | { id: number; progress: TrainProgress }
  | { ready: true; simd: boolean; ours: boolean }
  | { fatal: string };
