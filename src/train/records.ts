/**
 * What training produces: the jobs (a study round, a tuning fold) and the one record each job
 * becomes. These are the lines of a run folder's logs, so the run layer writes them and the
 * report reads them without importing any training code.
 */
import type { ModelName } from '../models/registry.js';

/** One round of the study for one model: fresh pairs and fresh weights from seed + round. */
export interface RoundJob {
  model: ModelName;
  /** 0-based; shown to users as round + 1 of `rounds`. */
  round: number;
}

/** One training of the tuning grid: `model` at one grid point, validated on fold `fold` of round `round`'s training pairs. */
export interface FoldJob extends RoundJob {
  fold: number;
  learningRate: number;
  l2: number;
}

export type Job = RoundJob | FoldJob;

export const isFold = (job: Job): job is FoldJob => 'fold' in job;

export interface EpochErrors {
  trainErrorPercent: number;
  testErrorPercent: number;
}

export interface RoundResult extends RoundJob {
  /** The round's seed: config seed + round. */
  seed: number;
  status: 'ok';
  /** Trainable parameters of the model. */
  params: number;
  /** Pair errors (%) after the last epoch, measured as the protocol says (report: inference mode; authors-code: training mode). */
  trainErrorPercent: number;
  testErrorPercent: number;
  /** Errors after each epoch, in inference mode (empty when per-epoch evaluation is off). */
  epochs: EpochErrors[];
  /** Protocol authors-code: the errors as the authors' code computes them (wrong pairs ÷ input rows: half the pair error for aux models). */
  asComputed?: EpochErrors;
  /** Protocol authors-code: the same weights' pair errors in inference mode (the main fields hold them measured in training mode). */
  inference?: EpochErrors;
  /** Aux models: digit-logit units that the tower's last ReLU clamps to zero for every training digit (of 10 per tower). */
  deadDigitUnits?: number;
  /** Total loss (comparison + aux + L2) after every mini-batch, in training order. */
  batchLoss: number[];
  /** Wall time of the round, data preparation included. */
  seconds: number;
  /** With --fast only: whether the fused multiply-add kernels ran (false: this runtime has no relaxed SIMD, so exact ones did). */
  fast?: boolean;
}

export interface FoldResult extends FoldJob {
  seed: number;
  status: 'ok';
  trainErrorPercent: number;
  validationErrorPercent: number;
  seconds: number;
  /** With --fast only: as RoundResult's. */
  fast?: boolean;
}

/** A job that did not finish, with why; its fields identify the job as the job itself does. */
export interface FailedRecord {
  model: ModelName;
  round: number;
  seed: number;
  status: 'failed';
  /** Why: "diverged: loss became NaN in epoch 3", "worker crashed: …". */
  reason: string;
  /** Whether running it again may succeed (a crashed or unstartable worker), as opposed to a result such as divergence. */
  transient?: boolean;
  /** How many times it was run. */
  attempts?: number;
}

export type RoundRecord = RoundResult | (RoundJob & FailedRecord);
export type FoldRecord = FoldResult | (FoldJob & FailedRecord);
export type JobRecord = RoundRecord | FoldRecord;

/** What a running job reports after each epoch. */
export interface JobProgress {
  /** What is training, for display: "cnn round 3/15", "cnn fold 2/2 lr 0.001 λ 0.1". */
  task: string;
  epoch: number;
  epochs: number;
  /** The epoch's last batch loss. */
  loss: number;
  /** The epoch's batch losses, in training order. */
  batchLoss: number[];
  /** The epoch's errors, when it was measured (per-epoch evaluation on, every epoch but the last). */
  errors?: EpochErrors;
}

/** What a job's caller may ask of it besides the job itself. */
export interface JobOptions {
  /** Called after every epoch with the job's progress. */
  onEpoch?: (p: JobProgress) => void;
  /** A study round only: also hand back the trained model, for a model file. */
  keepModel?: boolean;
}

/** The record of a job that did not finish. */
export function failedRecord<J extends Job>(job: J, seed: number, reason: string, { transient = false } = {}): J & FailedRecord {
  const failure: FailedRecord = { model: job.model, round: job.round, seed, status: 'failed', reason, ...(transient ? { transient } : {}) };
  return { ...job, ...failure };
}
