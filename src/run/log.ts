/**
 * A run folder's logs: one JSON line per finished (or failed) job — a study's rounds in
 * results.jsonl, a tuning run's folds in folds.jsonl — appended as soon as the job ends, so a
 * crash loses at most the jobs in progress.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import type { RoundRecord } from '../train/records.js';

export const RESULTS_FILE = 'results.jsonl';
export const FOLDS_FILE = 'folds.jsonl';

/**
 * Appends one record as one line. A write that fails part-way (a full disk) is cut back off, so
 * the log holds only whole lines and the error reaches the caller.
 */
export function appendRecord(path: string, record: object): void {
  const line = Buffer.from(`${JSON.stringify(record)}\n`);
  const fd = openSync(path, 'a');
  const size = fstatSync(fd).size;
  try {
    for (let done = 0; done < line.length; ) done += writeSync(fd, line, done);
  } catch (error) {
    try {
      ftruncateSync(fd, size);
    } catch {
      // the torn tail stays; readRecords ignores it and a resume cuts it (dropTornTail)
    }
    throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads every complete record. A last line without its newline is a write cut short by a
 * crash: it is ignored (the round runs again on resume). A bad line elsewhere is corruption.
 */
export function readRecords<R = RoundRecord>(path: string): R[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  // The piece after the last newline is '' for a whole file, or the partial tail of a crash.
  const complete = text.split('\n').slice(0, -1);
  return complete
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as R;
      } catch {
        throw new Error(`${path}: line ${i + 1} is not valid JSON`);
      }
    });
}

/**
 * Cuts a torn last line (a write cut short by a crash) off the log, so records appended on
 * resume start on a line of their own. Returns whether anything was cut.
 */
export function dropTornTail(path: string): boolean {
  if (!existsSync(path)) return false;
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1; // just past the last newline (0 if none)
  if (end === bytes.length) return false;
  truncateSync(path, end);
  return true;
}

/** Key of a job (its identifying fields, whatever they are), for finding what is already done. */
export const jobKey = (r: { model: string; round: number; fold?: number; learningRate?: number; l2?: number }): string =>
  [r.model, r.round, r.fold, r.learningRate, r.l2].join('#');

/** One record per job: the last one written (a failed job rerun with --retry-failed has two lines). */
export function latestRecords<R extends { model: string; round: number }>(records: R[]): R[] {
  return [...new Map(records.map((r) => [jobKey(r), r])).values()];
}

/** Whether a failed record may be run again: anything but a divergence, which is the round's result. */
export const retryable = (r: { status: string; reason?: string }): boolean => r.status === 'failed' && !r.reason?.startsWith('diverged');
