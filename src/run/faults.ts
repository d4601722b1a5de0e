/**
 * Fault injection, for testing how a run survives failures (and for users who want to see it):
 * DIGIT_PAIRS_FAULT holds comma-separated faults, rounds and worker slots counted from 1 as
 * everywhere a user sees them.
 *   nan:MODEL:ROUND          that round diverges (its loss becomes NaN): a result, never retried
 *   crash:MODEL:ROUND[:N]    the worker thread running that round dies, in its first N attempts (default 1)
 *   abort:MODEL:ROUND[:N]    a WebAssembly trap in that round, in its first N attempts (default 1)
 *   start:SLOT               worker slot SLOT cannot start
 * Read by the worker threads only (which inherit the environment); training code knows nothing of it.
 */
export type FaultKind = 'nan' | 'crash' | 'abort' | 'start';

export interface Fault {
  kind: FaultKind;
  model?: string;
  /** 1-based. */
  round?: number;
  /** 1-based worker slot (start faults). */
  slot?: number;
  /** Attempts that fail (crash, abort). */
  attempts: number;
}

export const FAULT_VARIABLE = 'DIGIT_PAIRS_FAULT';

export function parseFaults(text = process.env[FAULT_VARIABLE] ?? ''): Fault[] {
  return text
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .flatMap((spec): Fault[] => {
      const [kind, a, b, c] = spec.split(':');
      if (kind === 'start') return [{ kind, slot: Number(a), attempts: Infinity }];
      if (kind === 'nan' || kind === 'crash' || kind === 'abort') {
        return [{ kind, model: a, round: Number(b), attempts: kind === 'nan' ? Infinity : c === undefined ? 1 : Number(c) }];
      }
      return [];
    });
}

/** The fault, if any, for `job` in its `attempt` (1-based). */
export function faultFor(faults: Fault[], job: { model: string; round: number }, attempt: number): Fault | undefined {
  return faults.find((f) => f.kind !== 'start' && f.model === job.model && f.round === job.round + 1 && attempt <= f.attempts);
}
