/**
 * The report's figures as Vega-Lite specs: pure functions from round records to a declarative
 * chart. Rendering (Vega-Lite → Vega → SVG → PNG) happens in report.ts; nothing here draws.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ModelName } from '../models/registry.js';
import type { RoundRecord, RoundResult } from '../train/records.js';

/** One round's final error of one model, a point of figures 1 and 2 (`Label`: what the x axis names, a model by default). */
export interface RoundError<Label extends string = ModelName> {
  model: Label;
  round: number;
  errorPercent: number;
  /** Horizontal offset in [-1, 1] that spreads the points of a box (deterministic, by round). */
  jitter: number;
}

/** The loss after mini-batch `iteration` (1-based), over the rounds of one model. */
export interface LossPoint {
  model: ModelName;
  iteration: number;
  mean: number;
  min: number;
  max: number;
}

/** Mean error after one epoch (1-based) over the rounds of one model, on the train or test set. */
export interface EpochPoint {
  model: ModelName;
  epoch: number;
  set: 'train' | 'test';
  errorPercent: number;
}

export type ErrorSet = 'train' | 'test';

const okRounds = (records: RoundRecord[]): RoundResult[] => records.filter((r): r is RoundResult => r.status === 'ok');

/**
 * Golden-ratio jitter: rounds 0, 1, 2, … land at well spread offsets, and the same run always
 * draws the same picture (a random jitter would change the SVG at every rebuild).
 */
export const jitterOf = (round: number): number => 2 * ((round * 0.618_034 + 0.5) % 1) - 1;

/** Final train or test error of every finished round (failed rounds have none). */
export function roundErrors(records: RoundRecord[], set: ErrorSet): RoundError[] {
  return okRounds(records)
    .sort((a, b) => a.round - b.round)
    .map((r) => ({
      model: r.model,
      round: r.round + 1, // as users count rounds
      errorPercent: set === 'train' ? r.trainErrorPercent : r.testErrorPercent,
      jitter: jitterOf(r.round),
    }));
}

/**
 * Mean, min and max loss per mini-batch over each model's finished rounds. Rounds of one run all
 * have the same number of batches; should one be shorter, each iteration uses the rounds that reached it.
 */
export function lossCurves(records: RoundRecord[], models: ModelName[]): LossPoint[] {
  return models.flatMap((model) => {
    const curves = okRounds(records)
      .filter((r) => r.model === model)
      .map((r) => r.batchLoss);
    const length = Math.max(0, ...curves.map((c) => c.length));
    return Array.from({ length }, (_, i) => {
      const values = curves.flatMap((c) => (i < c.length ? [c[i]] : []));
      return {
        model,
        iteration: i + 1,
        mean: values.reduce((a, b) => a + b, 0) / values.length,
        min: Math.min(...values),
        max: Math.max(...values),
      };
    });
  });
}

/** Mean train and test error after each epoch, per model; empty when the run kept no per-epoch errors. */
export function epochCurves(records: RoundRecord[], models: ModelName[]): EpochPoint[] {
  return models.flatMap((model) => {
    const rounds = okRounds(records).filter((r) => r.model === model && r.epochs.length > 0);
    const length = Math.max(0, ...rounds.map((r) => r.epochs.length));
    return Array.from({ length }, (_, e) => {
      const reached = rounds.filter((r) => e < r.epochs.length).map((r) => r.epochs[e]);
      const mean = (pick: (x: (typeof reached)[number]) => number) => reached.reduce((a, x) => a + pick(x), 0) / reached.length;
      return [
        { model, epoch: e + 1, set: 'train' as const, errorPercent: mean((x) => x.trainErrorPercent) },
        { model, epoch: e + 1, set: 'test' as const, errorPercent: mean((x) => x.testErrorPercent) },
      ];
    }).flat();
  });
}

/** Fonts and sizes shared by every figure; DejaVu Sans is also the font the PNGs are rendered with. */
const CONFIG = {
  font: 'DejaVu Sans, Verdana, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 15, anchor: 'start', offset: 10 },
  header: { labelFontSize: 13, titleFontSize: 13 },
} as const;

/** One colour per model, fixed by the run's model order, so a model looks the same in every figure. */
const modelColor = (models: readonly string[]) =>
  ({
    field: 'model',
    type: 'nominal',
    title: 'model',
    scale: { domain: models, scheme: 'tableau10' },
  }) as const;

export interface ErrorBoxplotOptions<Label extends string = ModelName> {
  title: string;
  /** The run's models, in order: the x axis and the colours. */
  models: Label[];
  /** The seed report's mean for its models, drawn as a black tick beside ours. */
  seedMeans?: Partial<Record<Label, number>>;
  width?: number;
  height?: number;
}

/**
 * Figures 1 and 2: per model, a min–max box plot of the rounds' errors with every round as a
 * point, and the seed report's mean as a tick.
 */
export function errorBoxplotSpec<Label extends string>(points: RoundError<Label>[], options: ErrorBoxplotOptions<Label>): TopLevelSpec {
  const { models } = options;
  const seedMeans: Partial<Record<Label, number>> = options.seedMeans ?? {};
  // ~105 px per model up to a page-friendly 1000 px; names that would not fit their band
  // (≈ 7 px per character at the axis font) are slanted rather than left to overlap.
  const width = options.width ?? Math.min(1000, Math.max(420, 105 * models.length));
  const longest = Math.max(...models.map((m) => m.length));
  const labelAngle = longest * 7 > width / models.length ? -30 : 0;
  const x = { field: 'model', type: 'nominal', title: null, sort: models, scale: { domain: models }, axis: { labelAngle, labelLimit: 300 } } as const;
  const y = { field: 'errorPercent', type: 'quantitative', title: 'error [%]', scale: { zero: true } } as const;
  const seed = models.flatMap((model) => (seedMeans[model] === undefined ? [] : [{ model, errorPercent: seedMeans[model] }]));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    width,
    height: options.height ?? 300,
    config: CONFIG,
    data: { values: points },
    layer: [
      {
        // extent min–max: with 15 rounds, whiskers at the extremes show every round inside them.
        mark: { type: 'boxplot', extent: 'min-max', size: 44, opacity: 0.35, median: { color: '#333' } },
        encoding: { x, y, color: { ...modelColor(models), legend: null } },
      },
      {
        mark: { type: 'point', filled: true, size: 36, opacity: 0.9, strokeWidth: 0.8, stroke: 'white' },
        encoding: {
          x,
          y,
          xOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-4, 4] } },
          color: { ...modelColor(models), legend: null },
          tooltip: [{ field: 'model' }, { field: 'round' }, { field: 'errorPercent', format: '.2f' }],
        },
      },
      // The seed's mean: a black tick labelled "seed", so the PNG explains itself without a caption.
      ...(seed.length
        ? [
            { data: { values: seed }, mark: { type: 'tick', color: 'black', thickness: 2, size: 60 }, encoding: { x, y } } as const,
            {
              data: { values: seed },
              mark: { type: 'text', text: 'seed', align: 'left', baseline: 'middle', dx: 33, fontSize: 11, color: '#333' },
              encoding: { x, y },
            } as const,
          ]
        : []),
    ],
  } as TopLevelSpec;
}

/**
 * Figure 3: the loss after every mini-batch, mean over rounds with a min–max band, all models on
 * one log axis (the baseline's loss carries a large L2 term that would flatten the others).
 */
export function lossSpec(points: LossPoint[], models: ModelName[], options: { width?: number; height?: number } = {}): TopLevelSpec {
  const x = { field: 'iteration', type: 'quantitative', title: 'training iteration (mini-batch)', axis: { format: 'd', tickMinStep: 1 } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Figure 3 · Loss evolution (mean over rounds, band: min–max)',
    width: options.width ?? 900,
    height: options.height ?? 320,
    config: CONFIG,
    data: { values: points },
    // Legend symbols drawn as opaque strokes: by default they would take the faint band's opacity.
    encoding: { x, color: { ...modelColor(models), legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2.5 } } },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        encoding: {
          y: { field: 'min', type: 'quantitative', scale: { type: 'log' }, title: 'loss incl. L2 term (log scale)' },
          y2: { field: 'max' },
        },
      },
      {
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: { y: { field: 'mean', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/** Mean train and test error after each epoch, one panel per set, one line per model. */
export function epochErrorSpec(points: EpochPoint[], models: ModelName[], options: { width?: number; height?: number } = {}): TopLevelSpec {
  const epochs = Math.max(1, ...points.map((p) => p.epoch));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Figure 4 · Error after each epoch (mean over rounds)',
    config: CONFIG,
    data: { values: points },
    facet: { column: { field: 'set', type: 'nominal', title: null, sort: ['train', 'test'], header: { labelExpr: "datum.value + ' error'" } } },
    spec: {
      width: options.width ?? 400,
      height: options.height ?? 260,
      mark: { type: 'line', point: epochs <= 30, strokeWidth: 1.8 },
      encoding: {
        // Whole epochs only; a one-epoch run keeps Vega's default domain (a [1, 1] domain has no ticks).
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 }, scale: epochs > 1 ? { domain: [1, epochs] } : {} },
        y: { field: 'errorPercent', type: 'quantitative', title: 'error [%]', scale: { zero: true } },
        color: modelColor(models),
      },
    },
  } as TopLevelSpec;
}

/** One grid point of a tuning run, a cell of the heat map. */
export interface TuneCell {
  model: ModelName;
  learningRate: number;
  l2: number;
  validationErrorPercent: number;
  chosen: boolean;
}

/** The cross-validated grid as one heat map per model: λ across, learning rate down, colour = validation error. */
export function tuneHeatmapSpec(cells: TuneCell[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Cross-validated grid · mean validation error [%]',
    data: { values: cells },
    facet: { field: 'model', type: 'nominal', title: null, header: { labelFontSize: 13, labelFontWeight: 'bold' } },
    columns: 4,
    spec: {
      width: 220,
      height: 180,
      encoding: {
        x: { field: 'l2', type: 'ordinal', title: 'L2 λ', axis: { format: '.3~g', labelAngle: 0 } },
        y: { field: 'learningRate', type: 'ordinal', title: 'learning rate', sort: 'descending', axis: { format: '.3~g' } },
      },
      layer: [
        // A light scheme keeps the black cell labels readable everywhere.
        {
          mark: 'rect',
          encoding: { color: { field: 'validationErrorPercent', type: 'quantitative', title: 'error %', scale: { scheme: 'yelloworangered' } } },
        },
        { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'validationErrorPercent', type: 'quantitative', format: '.1f' } } },
        // The chosen point framed.
        { transform: [{ filter: 'datum.chosen' }], mark: { type: 'rect', fillOpacity: 0, stroke: 'black', strokeWidth: 3 } },
      ],
    },
    resolve: { scale: { color: 'independent', x: 'independent', y: 'independent' } },
  } as TopLevelSpec;
}
