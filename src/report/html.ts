/**
 * report.html from already computed pieces: one self-contained page (inline CSS and SVG, no
 * scripts, no network) that reads at 1280×800. Pure: strings in, a string out.
 */

import { type ExperimentConfig, recipeOf } from '../config.js';
import type { ModelName } from '../models/registry.js';
import { type Examples, MODELS_DIR, SUMMARY_JSON } from '../run-folder.js';
import { EFFECTS_TABLE, type Effect } from './effects.js';
import { AUTHORS_CODE_TABLE, DEAD_UNITS_TABLE, type ModelSummary, TABLE_III } from './summary.js';
import { escapeHtml, htmlTable, isNumber, type TableSpec } from './table.js';

/** A rendered figure: its SVG markup (from Vega) and the files it was saved to. */
export interface FigureView {
  id: string;
  caption: string;
  svg: string;
  /** Figure files relative to the run folder, linked under the figure. */
  files: string[];
}

export interface TimingRow {
  model: ModelName;
  rounds: number;
  mean: number;
  min: number;
  max: number;
  total: number;
}

export interface ReportView {
  runDir: string;
  config: ExperimentConfig;
  /** Table III as in summary.json; NaN/null where a model has no finished round. */
  summary: ModelSummary[];
  figures: FigureView[];
  /** The run's examples.json; undefined for a folder without one (tuning runs, studies from before it was written). */
  examples: Examples | undefined;
  /** Label/value lines: backend, versions, machine, dates. */
  facts: [string, string][];
  timings: TimingRow[];
  /** Why a figure is missing (e.g. no per-epoch errors in this run), shown where it would be. */
  notes: string[];
  /** The sharing × aux effects, when the run holds ablation pairs. */
  effects: Effect[];
  /** The cross-validated hyper-parameters the run used (its hparams.json), if any. */
  tuning?: { figure?: FigureView; chosen: [model: string, learningRate: number, l2: number][] };
  /** Model folders the run saved (under models/), which the browser app can load. */
  savedModels: string[];
  /** The port `digit-pairs app` serves on by default, for the link to it. */
  appPort?: number;
}

/** The ablation's effects: Δ test error with its 95% interval, paired by round. */
function effectsTable(effects: Effect[]): string {
  if (!effects.length) return '';
  return `<h2>Effects of weight sharing and the auxiliary loss</h2>
${htmlTable(EFFECTS_TABLE, effects, { id: 'effects' })}
<p class="note">Δ = test error of the second model minus the first, paired by round (both saw the same pairs); 95% interval = mean ± t·sd/√n over rounds. An interval that excludes 0 is a clear effect.</p>`;
}

/** The tuning run's choice per model (rows: model, learning rate, λ). */
const TUNING_TABLE: TableSpec<[model: string, learningRate: number, l2: number]> = [
  { header: 'Model', align: 'left', text: ([model]) => model },
  { header: 'Learning rate', align: 'right', text: ([, learningRate]) => String(learningRate) },
  { header: 'L2 λ', align: 'right', text: ([, , l2]) => String(l2) },
];

function tuningSection(tuning: ReportView['tuning']): string {
  if (!tuning) return '';
  return `<h2>Hyper-parameters from cross-validation</h2>
${htmlTable(TUNING_TABLE, tuning.chosen, { id: 'tuning' })}
${tuning.figure ? figure(tuning.figure) : ''}`;
}

function tableIII(summary: ModelSummary[]): string {
  const failures = summary.flatMap((s) => s.failed.map((f) => `<li><b>${escapeHtml(s.model)}</b> round ${f.round + 1}: ${escapeHtml(f.reason)}</li>`));
  return `${htmlTable(TABLE_III, summary, { id: 'table-iii', className: 't3', caption: 'Table III · Results per model' })}
  <p class="note">Mean ± sample standard deviation (n − 1) over the rounds that finished, after the last epoch; the same numbers as <code>${SUMMARY_JSON}</code>.
  Failed rounds are listed below, never averaged in.</p>
  ${failures.length ? `<h3>Failed rounds</h3><ul class="failed" id="failed-rounds">${failures.join('')}</ul>` : '<p class="note" id="failed-rounds">No failed rounds.</p>'}`;
}

/** Protocol authors-code: Table III's way (as computed), the true pair error, and inference mode, side by side. */
function authorsCodeTable(summary: ModelSummary[]): string {
  const rows = summary.filter((s) => s.asComputed);
  if (rows.length === 0) return '';
  return `<h2 id="authors-code">Protocol authors-code: Table III's way and the true errors</h2>
${htmlTable(AUTHORS_CODE_TABLE, rows, { id: 'authors-code-table', className: 't3', caption: 'Train / test error [%]' })}
<p class="note">As computed: wrong pairs ÷ input rows, in training mode (dropout on, BatchNorm on batch statistics) over the training batches' chunks, as the authors' <code>Model.__compute_errors</code> does; the aux models feed two rows per pair, so for them this is half the pair error. True pair error: the same predictions ÷ pairs (the Table III above). Inference mode: the same weights measured as the report protocol measures.</p>`;
}

/** Aux models: digit-logit units dead on every training digit, per round. */
function deadUnitsTable(summary: ModelSummary[]): string {
  const rows = summary.filter((s) => s.deadDigitUnits);
  if (rows.length === 0) return '';
  return `<h3>Dead digit-logit units</h3>
${htmlTable(DEAD_UNITS_TABLE, rows, { id: 'dead-units' })}
<p class="note">A unit is dead when the tower's last ReLU clamps it to zero for every training digit (inference mode, after the last epoch): it passes no gradient back, so its digit class cannot be learnt again. 10 units per tower.</p>`;
}

/** A rendered figure with its caption and links to its files. */
export function figure(f: FigureView): string {
  const links = f.files.map((file) => `<a href="${escapeHtml(file)}">${escapeHtml(file.split('/').pop() ?? file)}</a>`).join(' · ');
  return `<figure id="${f.id}" class="fig">${f.svg}<figcaption>${escapeHtml(f.caption)} <span class="files">${links}</span></figcaption></figure>`;
}

/**
 * A digit as a 14×14 grid of squares, dark ink on white like the printed seed report; blank
 * pixels are left out, so a digit costs a few dozen rects.
 */
function digitSvg(pixels: Uint8Array, label: string): string {
  const cells: string[] = [];
  pixels.forEach((v, i) => {
    if (v > 0) cells.push(`<rect x="${i % 14}" y="${Math.floor(i / 14)}" width="1" height="1" fill-opacity="${(v / 255).toFixed(2)}"/>`);
  });
  return `<svg class="digit" viewBox="0 0 14 14" width="56" height="56" role="img" aria-label="${escapeHtml(label)}" shape-rendering="crispEdges"><rect width="14" height="14" fill="white"/><g fill="black">${cells.join('')}</g></svg>`;
}

function examples(view: Examples | undefined): string {
  if (!view)
    return '<p class="note" id="example-pairs">No example pairs: this run folder has no examples.json (a tuning run, or a study from before studies wrote it).</p>';
  const cells = view.pairs.map((p) => {
    const relation = p.target === 1 ? '≤' : '>';
    return `<div class="pair" data-target="${p.target}">
      <div class="digits">${digitSvg(p.first, `first digit, class ${p.firstClass}`)}${digitSvg(p.second, `second digit, class ${p.secondClass}`)}</div>
      <div class="label"><b>${p.firstClass} ${relation} ${p.secondClass}</b> · target ${p.target}</div>
      <div class="idx">pair ${p.index}</div>
    </div>`;
  });
  return `<p class="note">The first ${view.pairs.length} test pairs of round ${view.round + 1} (seed ${view.seed}), as the study drew them; channel 0 left, channel 1 right.
  Shown are the digit classes and the target (1 iff first ≤ second); for predictions, save the models (study --save-models) and open them in the browser app.</p>
  <div class="pairs" id="example-pairs">${cells.join('')}</div>`;
}

/** Saved models: how to draw against them in the browser app. */
function appSection(runDir: string, saved: string[], port: number | undefined): string {
  if (saved.length === 0) return '';
  const url = `http://127.0.0.1:${port}/`;
  const open = port === undefined ? 'open the address it prints' : `open <a href="${url}">${url}</a>`;
  return `<h2 id="app">Draw against these models</h2>
<p>This run saved ${saved.length} model${saved.length === 1 ? '' : 's'} (<code>${MODELS_DIR}/${escapeHtml(saved[0])}</code>${saved.length > 1 ? ', …' : ''}). Start the browser app on them with
<code>npx digit-pairs app ${escapeHtml(runDir)}</code>, then ${open}: draw two digits, run test pairs, or train a model in the tab.</p>`;
}

function configTable(config: ExperimentConfig): string {
  const plain = Object.entries(config).filter(([key]) => key !== 'hyper');
  const rows = plain.map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td><code>${escapeHtml(JSON.stringify(value))}</code></td></tr>`);
  const hyper = Object.entries(config.hyper).map(([model, h]) => `<tr><th>${escapeHtml(model)}</th><td>${h?.learningRate}</td><td>${h?.l2}</td></tr>`);
  return `<div class="side">
    <table class="kv" id="config"><caption>Resolved config</caption>${rows.join('')}</table>
    <table class="kv"><caption>Per model</caption><tr><th>model</th><th>learning rate</th><th>L2 λ</th></tr>${hyper.join('')}</table>
  </div>`;
}

function factsAndTimings(facts: [string, string][], timings: TimingRow[]): string {
  const factRows = facts.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`);
  const s = (v: number) => (isNumber(v) ? v.toFixed(1) : '–');
  const timingRows = timings.map(
    (t) => `<tr><th>${escapeHtml(t.model)}</th><td>${t.rounds}</td><td>${s(t.mean)}</td><td>${s(t.min)}</td><td>${s(t.max)}</td><td>${s(t.total)}</td></tr>`,
  );
  const total = timings.reduce((a, t) => a + t.total, 0);
  return `<div class="side">
    <table class="kv" id="machine"><caption>Machine and versions</caption>${factRows.join('')}</table>
    <table class="num" id="timings"><caption>Seconds per round</caption>
      <tr><th>model</th><th>rounds</th><th>mean</th><th>min</th><th>max</th><th>total</th></tr>
      ${timingRows.join('')}
      <tr class="total"><th>all</th><td>${timings.reduce((a, t) => a + t.rounds, 0)}</td><td></td><td></td><td></td><td>${s(total)}</td></tr>
    </table>
  </div>
  <p class="note">Seconds are each round's own wall time (data preparation included); rounds run in parallel on the workers, so the total exceeds the study's wall time.</p>`;
}

/** The report's style sheet, which every page of digit-pairs shares (htmlPage). */
const REPORT_CSS = `
  :root { --ink: #1d1d1f; --muted: #666; --line: #ddd; --seed: #f4f1e8; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 "DejaVu Sans", Verdana, system-ui, sans-serif; color: var(--ink); background: #fafafa; }
  main { max-width: 1220px; margin: 0 auto; padding: 20px 24px 40px; background: white; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  h2 { font-size: 17px; margin: 28px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
  h3 { font-size: 14px; margin: 12px 0 4px; }
  .sub, .note { color: var(--muted); }
  .note { font-size: 12.5px; max-width: 1100px; }
  code { font: 12px "DejaVu Sans Mono", monospace; }
  table { border-collapse: collapse; }
  caption { text-align: left; font-weight: bold; padding: 0 0 6px; }
  th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: right; }
  th { font-weight: 600; }
  th[colspan] { text-align: center; }
  th[scope=row], .kv th, .num th { text-align: left; }
  .t3 td { font-variant-numeric: tabular-nums; white-space: nowrap; }
  .t3 .seed { background: var(--seed); }
  th.left, td.left { text-align: left; }
  .kv td { text-align: left; }
  .figrow { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; align-items: start; }
  .fig { margin: 0 0 12px; max-width: 100%; }
  .fig svg { display: block; max-width: 100%; height: auto; }
  figcaption { font-size: 12.5px; color: var(--muted); max-width: 900px; }
  .files a { color: var(--muted); }
  .pairs { display: grid; grid-template-columns: repeat(6, 1fr); gap: 10px; max-width: 1000px; }
  .pair { border: 1px solid var(--line); border-radius: 4px; padding: 6px; text-align: center; }
  .digits { display: flex; gap: 4px; justify-content: center; }
  .digit { border: 1px solid #eee; image-rendering: pixelated; }
  .pair .label { font-size: 13px; margin-top: 2px; }
  .pair .idx { font-size: 11px; color: var(--muted); }
  .side { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
`;

export function renderHtml(view: ReportView): string {
  const { config } = view;
  const figures = view.figures;
  const errors = figures.filter((f) => f.id === 'fig-train-error' || f.id === 'fig-test-error');
  const others = figures.filter((f) => !errors.includes(f));
  const epochs = [...new Set(config.models.map((m) => recipeOf(config, m).epochs))].join('/');
  const title = `digit-pairs report · ${config.models.length} models × ${config.rounds} rounds × ${epochs} epochs`;
  return htmlPage(
    title,
    `<p class="sub">Run folder <code>${escapeHtml(view.runDir)}</code> · ${config.pairs} train and ${config.pairs} test pairs per round · batch ${config.batchSize} · seed ${config.seed} · backend ${escapeHtml(config.backend)} · protocol ${escapeHtml(config.protocol ?? 'report')}${config.fast ? ' · <strong>fast mode</strong> (--fast: fused multiply-add, not bit-identical to exact mode)' : ''}</p>

<h2>Results</h2>
${tableIII(view.summary)}
${authorsCodeTable(view.summary)}
${deadUnitsTable(view.summary)}

${effectsTable(view.effects)}
${tuningSection(view.tuning)}

<h2>Error rates over rounds</h2>
<div class="figrow">${errors.map(figure).join('')}</div>

<h2>Training</h2>
${others.map(figure).join('')}
${view.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('')}

<h2>Example test pairs</h2>
${examples(view.examples)}
${appSection(view.runDir, view.savedModels, view.appPort)}

<h2>Run</h2>
${configTable(config)}
${factsAndTimings(view.facts, view.timings)}`,
  );
}

/** A self-contained page of digit-pairs (the report, a comparison): the report's style, `title` as its heading, then `body`. */
export function htmlPage(title: string, body: string, css = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}${css}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}
