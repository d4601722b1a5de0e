/**
 * A run folder's logs: one JSON line per finished (or failed) job — a study's rounds in
 * results.jsonl, a tuning run's folds in folds.jsonl — appended as soon as the job ends, so a
 * crash loses at most the jobs in progress. Their names and readRecords: ../run-folder.ts.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';

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

/** Whether a failed record may be run again: anything but a divergence, which is the round's result. */
export const retryable = (r: { status: string; reason?: string }): boolean => r.status === 'failed' && !r.reason?.startsWith('diverged');
