/**
 * The run's report, rebuilt from the run folder alone: the figures as Vega-Lite specs rendered
 * to SVG in Node (no browser, no canvas) and to PNG by resvg, and report.html around them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import * as vl from 'vega-lite';
import type { ExperimentConfig } from '../config.js';
import { MODEL_JSON } from '../models/model-file.js';
import type { ModelName } from '../models/registry.js';
import type { HParamsFile } from '../run/tune.js';
import {
  FIGURES_DIR,
  HPARAMS_FILE,
  latestRecords,
  MODELS_DIR,
  REPORT_FILE,
  RESULTS_FILE,
  readExamples,
  readRecords,
  readRunConfig,
  readRunFile,
  SUMMARY_JSON,
} from '../run-folder.js';
import type { RoundRecord, RoundResult } from '../train/records.js';
import { ablationEffects } from './effects.js';
import { epochCurves, epochErrorSpec, errorBoxplotSpec, lossCurves, lossSpec, roundErrors, type TuneCell, tuneHeatmapSpec } from './figures.js';
import { type FigureView, type ReportView, renderHtml, type TimingRow } from './html.js';
import { SEED_TABLE } from './seed-table.js';
import { type ModelSummary, summarise } from './summary.js';

const require = createRequire(import.meta.url);

/**
 * The PNGs are rendered with the DejaVu fonts from an npm package, not the system's, so they show
 * text (and the same text) on any machine, fonts installed or not.
 */
const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));

/** Vega-Lite → Vega → SVG, headless: the 'none' renderer builds the scenegraph without a canvas. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG → PNG at twice the SVG's size, so the PNG stays sharp on a high-density screen or slide. */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** summary.json as the study wrote it; recomputed from the results only when it is missing. */
function readSummary(runDir: string, config: ExperimentConfig, records: RoundRecord[]): ModelSummary[] {
  const path = join(runDir, SUMMARY_JSON);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ModelSummary[]) : summarise(records, config.models);
}

function timings(records: RoundRecord[], config: ExperimentConfig): TimingRow[] {
  return config.models.map((model) => {
    const seconds = records.filter((r): r is RoundResult => r.status === 'ok' && r.model === model).map((r) => r.seconds);
    const total = seconds.reduce((a, b) => a + b, 0);
    return { model, rounds: seconds.length, mean: total / seconds.length, min: Math.min(...seconds), max: Math.max(...seconds), total };
  });
}

/** Backend, versions, machine and dates: what config.json's meta recorded, plus what only this machine can tell. */
function facts(runDir: string, config: ExperimentConfig, meta: Record<string, unknown>): [string, string][] {
  const recorded = Object.entries(meta).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  const tfjs = (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  const results = join(runDir, RESULTS_FILE);
  const lastResult = existsSync(results) ? statSync(results).mtime.toISOString() : '–';
  return [
    ['backend', config.backend],
    ['arithmetic', config.fast ? "fast (--fast: relaxed SIMD's fused multiply-add in the convolutions)" : 'exact (the default)'],
    ...recorded,
    ...(meta.tfjs === undefined ? [['tfjs-core (installed now)', tfjs] as [string, string]] : []),
    ['last result written', lastResult],
    ['report built', new Date().toISOString()],
    ['figures', `Vega-Lite ${vl.version}, Vega ${vega.version}, resvg`],
  ];
}

/** An hparams.json as a study may hold it: a tune run's, or one written by hand with only `chosen`. */
type HParamsRead = Pick<HParamsFile, 'chosen'> & Partial<HParamsFile>;

/** The grid points of a tune run's hparams.json as heat-map cells (none for a hand-written one). */
function tuneCells(hparams: HParamsRead): TuneCell[] {
  return Object.entries(hparams.grid ?? {}).flatMap(([model, points]) =>
    (points ?? [])
      .filter((p) => p.folds > 0)
      .map((p) => {
        const chosen = hparams.chosen[model as ModelName];
        return {
          model: model as ModelName,
          learningRate: p.learningRate,
          l2: p.l2,
          validationErrorPercent: p.validationErrorMean,
          chosen: chosen?.learningRate === p.learningRate && chosen?.l2 === p.l2,
        };
      }),
  );
}

/** Renders one spec to figures/NAME.svg and .png and returns its view. */
async function renderFigure(runDir: string, id: string, name: string, caption: string, spec: TopLevelSpec): Promise<FigureView> {
  const svg = await specToSvg(spec);
  const files = [`${FIGURES_DIR}/${name}.svg`, `${FIGURES_DIR}/${name}.png`];
  writeFileSync(join(runDir, files[0]), svg);
  writeFileSync(join(runDir, files[1]), svgToPng(svg));
  return { id, caption, svg, files };
}

/** The model folders a run saved (study --save-models, export). */
function savedModels(runDir: string): string[] {
  const dir = join(runDir, MODELS_DIR);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => existsSync(join(dir, name, MODEL_JSON)))
        .sort()
    : [];
}

export interface ReportOptions {
  /** The port `digit-pairs app` serves on, for the link to it (without it the report names no address). */
  appPort?: number;
  /** Leave out lines of results.jsonl that are not JSON (told here) instead of refusing the log. */
  onBadLine?: (line: number, text: string) => void;
}

/**
 * Builds RUN_DIR/report.html and RUN_DIR/figures/*.{svg,png} from the run folder alone (config.json,
 * results.jsonl, summary.json, examples.json, hparams.json, models/). Safe to run again at any time,
 * also on a partial run. Returns the paths of the written report and figure files.
 */
export async function buildReport(runDir: string, options: ReportOptions = {}): Promise<{ html: string; figures: string[] }> {
  const config = readRunConfig(runDir);
  const meta = readRunFile(runDir).meta ?? {};
  const records = latestRecords(readRecords(join(runDir, RESULTS_FILE), options.onBadLine));
  const summary = readSummary(runDir, config, records);
  const models = config.models;
  const seedMeans = (set: 'train' | 'test') => Object.fromEntries(models.flatMap((m) => (SEED_TABLE[m] ? [[m, SEED_TABLE[m][set][0]]] : [])));

  const loss = lossCurves(records, models);
  const epochs = epochCurves(records, models);
  // Figures without data (nothing finished yet, or --final-eval-only) are left out, not drawn empty.
  const specs: { id: string; name: string; caption: string; spec: TopLevelSpec; when: boolean }[] = [
    {
      id: 'fig-train-error',
      name: 'fig1-train-error',
      when: records.some((r) => r.status === 'ok'),
      caption: "Figure 1 · Train error of every round (points), box: quartiles with the median, whiskers: min to max; black tick: the seed report's mean.",
      spec: errorBoxplotSpec(roundErrors(records, 'train'), { title: 'Figure 1 · Train error rates', models, seedMeans: seedMeans('train') }),
    },
    {
      id: 'fig-test-error',
      name: 'fig2-test-error',
      when: records.some((r) => r.status === 'ok'),
      caption: "Figure 2 · Test error of every round (points), box: quartiles with the median, whiskers: min to max; black tick: the seed report's mean.",
      spec: errorBoxplotSpec(roundErrors(records, 'test'), { title: 'Figure 2 · Test error rates', models, seedMeans: seedMeans('test') }),
    },
    {
      id: 'fig-loss',
      name: 'fig3-loss',
      when: loss.length > 0,
      caption:
        'Figure 3 · Training loss after every mini-batch (comparison + auxiliary cross-entropy + λ·Σw²), mean over rounds with the min–max band; log scale.',
      spec: lossSpec(loss, models),
    },
    {
      id: 'fig-epoch-error',
      name: 'fig4-epoch-error',
      when: epochs.length > 0,
      caption: `Figure 4 · Train and test error after each epoch, in inference mode, mean over rounds${
        config.epochEvalPairs === null
          ? ''
          : `; before the last epoch on the first ${config.epochEvalPairs} train and test pairs of each round (--epoch-eval-pairs)`
      }.`,
      spec: epochErrorSpec(epochs, models),
    },
  ];

  mkdirSync(join(runDir, FIGURES_DIR), { recursive: true });
  const written: string[] = [];
  const figures: FigureView[] = [];
  for (const { id, name, caption, spec } of specs.filter((s) => s.when)) {
    const view = await renderFigure(runDir, id, name, caption, spec);
    written.push(...view.files.map((f) => join(runDir, f)));
    figures.push(view);
  }

  // A tune run, or a study run with --hparams (which keeps a copy of the file): show the grid.
  let tuning: ReportView['tuning'];
  const hparamsPath = join(runDir, HPARAMS_FILE);
  if (existsSync(hparamsPath)) {
    const hparams = JSON.parse(readFileSync(hparamsPath, 'utf8')) as HParamsRead;
    const cells = tuneCells(hparams);
    const figure = cells.length
      ? await renderFigure(
          runDir,
          'fig-tune',
          'fig5-tune-grid',
          `Mean validation error over ${hparams.folds} folds × ${hparams.rounds} round(s) at each grid point; framed: the chosen point (lowest error, ties to the smaller λ).`,
          tuneHeatmapSpec(cells),
        )
      : undefined;
    if (figure) written.push(...figure.files.map((f) => join(runDir, f)));
    tuning = { figure, chosen: Object.entries(hparams.chosen).map(([m, h]) => [m, h!.learningRate, h!.l2]) };
  }

  const html = renderHtml({
    runDir,
    config,
    summary,
    figures,
    examples: readExamples(runDir),
    appPort: options.appPort,
    facts: facts(runDir, config, meta),
    timings: timings(records, config),
    effects: ablationEffects(records),
    tuning,
    savedModels: savedModels(runDir),
    notes: [
      ...(loss.length ? [] : ['Figure 3 (loss) is left out: no round has finished yet.']),
      ...(epochs.length
        ? []
        : [
            'Figure 4 (error after each epoch) is left out: this run recorded errors after the last epoch only (--final-eval-only) or no round has finished yet.',
          ]),
    ],
  });
  const htmlPath = join(runDir, REPORT_FILE);
  writeFileSync(htmlPath, html);
  return { html: htmlPath, figures: written };
}
