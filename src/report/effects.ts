/**
 * The sharing × aux effects table: per family, the change in test error from weight sharing
 * (without and with the aux loss) and from the aux loss (without and with sharing), each a mean
 * over rounds of paired differences (a round's models share its data) with a 95% t interval.
 */
import { ABLATION, type ModelName } from '../models/registry.js';
import { meanStd } from '../stats.js';
import type { RoundRecord } from '../train/records.js';
import { markdownTable, signed, type TableSpec } from './table.js';

export interface Effect {
  family: keyof typeof ABLATION;
  /** e.g. "weight sharing (no aux)". */
  effect: string;
  /** Test error of `to` minus that of `from`, in percentage points. */
  from: ModelName;
  to: ModelName;
  meanDelta: number;
  low: number;
  high: number;
  /** Rounds where both models finished. */
  rounds: number;
}

/** Two-sided 97.5% quantiles of Student's t for 1–30 degrees of freedom; ≈ normal beyond. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
export const tQuantile975 = (df: number): number => (df <= 30 ? T975[df - 1] : 1.96 + 2.4 / df);

/** Paired differences test(to) − test(from) by round, over rounds where both finished. */
export function pairedDeltas(records: RoundRecord[], from: ModelName, to: ModelName): number[] {
  const testError = (model: ModelName) =>
    new Map(records.flatMap((r) => (r.model === model && r.status === 'ok' ? [[r.round, r.testErrorPercent] as const] : [])));
  const a = testError(from);
  const b = testError(to);
  return [...b.keys()]
    .filter((round) => a.has(round))
    .sort((x, y) => x - y)
    .map((round) => b.get(round)! - a.get(round)!);
}

/** Every effect whose two models both have finished rounds in `records`. */
export function ablationEffects(records: RoundRecord[]): Effect[] {
  return (Object.keys(ABLATION) as (keyof typeof ABLATION)[]).flatMap((family) => {
    const m = ABLATION[family];
    const comparisons: [string, ModelName, ModelName][] = [
      ['weight sharing (no aux)', m.plain, m.shared],
      ['weight sharing (with aux)', m.aux, m.sharedAux],
      ['aux loss (no sharing)', m.plain, m.aux],
      ['aux loss (with sharing)', m.shared, m.sharedAux],
    ];
    return comparisons.flatMap(([effect, from, to]) => {
      const deltas = pairedDeltas(records, from, to);
      if (deltas.length < 2) return [];
      const { mean, std } = meanStd(deltas);
      const half = (tQuantile975(deltas.length - 1) * std) / Math.sqrt(deltas.length);
      return [{ family, effect, from, to, meanDelta: mean, low: mean - half, high: mean + half, rounds: deltas.length }];
    });
  });
}

/** The effects table: one row per effect with both models' test errors paired by round. */
export const EFFECTS_TABLE: TableSpec<Effect> = [
  { header: 'Family', align: 'left', text: (e) => e.family },
  { header: 'Effect', align: 'left', text: (e) => e.effect },
  { header: 'From → to', align: 'left', text: (e) => `${e.from} → ${e.to}` },
  { header: 'Δ test error [pp]', align: 'right', text: (e) => signed(e.meanDelta) },
  { header: '95% interval', align: 'right', text: (e) => `[${signed(e.low)}, ${signed(e.high)}]` },
  { header: 'Rounds', align: 'right', text: (e) => String(e.rounds) },
];

export function effectsMarkdown(effects: Effect[]): string {
  return [
    markdownTable(EFFECTS_TABLE, effects),
    '',
    'Δ = test error of the second model minus the first, paired by round (both see the same data); interval = mean ± t₀.₉₇₅·sd/√n.',
    '',
  ].join('\n');
}
