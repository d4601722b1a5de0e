/** What two runs of the same jobs must agree on, and float arrays compared bit for bit. */
import type { RoundRecord } from '../train/records.js';

/** Rounds without what legitimately differs between runs (wall time, the machine that ran them), in model and round order. */
export function roundNumbers(records: RoundRecord[]): Omit<RoundRecord, 'seconds'>[] {
  return records
    .map((r) => {
      const { seconds: _s, host: _h, node: _n, arch: _a, ...rest } = r as RoundRecord & { seconds?: number; host?: string; node?: string; arch?: string };
      return rest;
    })
    .sort((a, b) => a.model.localeCompare(b.model) || a.round - b.round);
}

/** The IEEE-754 bits of each value: equal bits mean equal floats, −0 and NaN payloads included. */
export const bits = (values: Float32Array): number[] => Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
