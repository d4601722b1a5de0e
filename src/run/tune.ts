/**
 * `digit-pairs tune`: k-fold cross-validation on the training pairs only, over a grid of
 * learning rate × L2 λ per model, as the seed's "2-fold cross validation to find the best
 * hyper-parameters". Each (point, fold, round) is one job (src/train/fold.ts); the chosen
 * point per model goes to hparams.json, which a study can take with --hparams.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultsOf, type ExperimentConfig } from '../config.js';
import type { HyperParams } from '../models/hyper.js';
import type { ModelName } from '../models/registry.js';
import { FOLDS_FILE, HPARAMS_FILE } from '../run-folder.js';
import { meanStd } from '../stats.js';
import type { FoldJob, FoldRecord, FoldResult } from '../train/records.js';
import { type RunOptions, runLoggedJobs, runnerFor } from './execute.js';
import { RunLog } from './run-log.js';

/**
 * The grid of a model: the config's factors × its default learning rate and λ. Points that
 * coincide (every λ factor of a model whose λ is 0) are trained once.
 */
export function grid(config: ExperimentConfig, model: ModelName): Pick<HyperParams, 'learningRate' | 'l2'>[] {
  const base = defaultsOf(config, model);
  const round6 = (v: number) => Number(v.toPrecision(6));
  const points = config.tune.learningRateFactors.flatMap((f) =>
    config.tune.l2Factors.map((g) => ({ learningRate: round6(f * base.learningRate), l2: round6(g * base.l2) })),
  );
  return [...new Map(points.map((p) => [`${p.learningRate}#${p.l2}`, p])).values()];
}

export function tuneJobs(config: ExperimentConfig): FoldJob[] {
  return config.models.flatMap((model) =>
    grid(config, model).flatMap((point) =>
      Array.from({ length: config.rounds }, (_, round) => Array.from({ length: config.tune.folds }, (_, fold) => ({ model, round, fold, ...point }))).flat(),
    ),
  );
}

export interface GridPoint extends Pick<HyperParams, 'learningRate' | 'l2'> {
  validationErrorMean: number;
  validationErrorStd: number;
  /** Folds × rounds that finished. */
  folds: number;
}

export interface HParamsFile {
  /** The chosen learning rate and λ per model. */
  chosen: Partial<Record<ModelName, Pick<HyperParams, 'learningRate' | 'l2'>>>;
  /** Every grid point's validation error, per model. */
  grid: Partial<Record<ModelName, GridPoint[]>>;
  folds: number;
  rounds: number;
}

/** Lowest mean validation error wins; ties go to the smaller λ (the simpler fit), then the smaller lr. */
export function selectHyper(records: FoldRecord[], config: ExperimentConfig): HParamsFile {
  const result: HParamsFile = { chosen: {}, grid: {}, folds: config.tune.folds, rounds: config.rounds };
  for (const model of config.models) {
    const points = grid(config, model).map((point): GridPoint => {
      const errors = records
        .filter((r): r is FoldResult => r.status === 'ok' && r.model === model && r.learningRate === point.learningRate && r.l2 === point.l2)
        .map((r) => r.validationErrorPercent);
      const { mean, std } = meanStd(errors);
      return { ...point, validationErrorMean: mean, validationErrorStd: std, folds: errors.length };
    });
    const ranked = points
      .filter((p) => p.folds > 0)
      .sort((a, b) => a.validationErrorMean - b.validationErrorMean || a.l2 - b.l2 || a.learningRate - b.learningRate);
    result.grid[model] = points;
    if (ranked.length) result.chosen[model] = { learningRate: ranked[0].learningRate, l2: ranked[0].l2 };
  }
  return result;
}

function describeFold(r: FoldRecord, folds: number): string {
  const what = `${r.model} round ${r.round + 1} fold ${r.fold + 1}/${folds} lr ${r.learningRate} λ ${r.l2}`;
  return r.status === 'ok' ? `${what}: validation ${r.validationErrorPercent.toFixed(1)}%  (${r.seconds.toFixed(1)} s)` : `${what}: FAILED (${r.reason})`;
}

/** Runs (or resumes) the search and writes hparams.json into the run folder. */
export async function runTune(config: ExperimentConfig, options: RunOptions): Promise<{ hparams: HParamsFile; interrupted: boolean }> {
  const log = RunLog.open<FoldRecord>(options.runDir, 'tune', config, FOLDS_FILE);
  const { records, interrupted } = await runLoggedJobs({
    command: 'tune',
    config,
    jobs: tuneJobs(config),
    log,
    runner: await runnerFor(options, log),
    describe: (r) => describeFold(r, config.tune.folds),
    progress: options.progress,
    retryFailed: options.retryFailed,
  });
  const hparams = selectHyper(records, config);
  writeFileSync(join(options.runDir, HPARAMS_FILE), `${JSON.stringify(hparams, null, 2)}\n`);
  return { hparams, interrupted };
}
