/**
 * The run folder's results log: one JSON line per finished (or failed) round, appended and
 * flushed as soon as the round ends, so a crash loses at most the round in progress.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { ModelName } from '../models/registry.js';
import type { RoundResult } from './round.js';

export interface FailedRound {
  model: ModelName;
  round: number;
  seed: number;
  status: 'failed';
  /** Why: "loss became NaN in epoch 3", or the error message. */
  reason: string;
}

export type RoundRecord = RoundResult | FailedRound;

export const RESULTS_FILE = 'results.jsonl';

export function appendRecord(path: string, record: RoundRecord): void {
  appendFileSync(path, JSON.stringify(record) + '\n');
}

/**
 * Reads every complete record. A last line without its newline is a write cut short by a
 * crash: it is ignored (the round runs again on resume). A bad line elsewhere is corruption.
 */
export function readRecords(path: string): RoundRecord[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // The piece after the last newline is '' for a whole file, or the partial tail of a crash.
  const complete = text.split('\n').slice(0, -1);
  return complete.filter((l) => l.trim() !== '').map((line, i) => {
    try {
      return JSON.parse(line) as RoundRecord;
    } catch {
      throw new Error(`${path}: line ${i + 1} is not valid JSON`);
    }
  });
}

/** Key of a (model, round) job, for finding what is already done. */
export const jobKey = (r: { model: string; round: number }): string => `${r.model}#${r.round}`;
