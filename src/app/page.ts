/**
 * The browser app: draw two digits and see what a model makes of them, run test pairs, train a
 * seed model in a Web Worker. The page prepares digits (pure code shared with `predict`) and
 * draws; the models run in two engine workers, one answering, one training.
 */
import { type DigitPools, decodeDigits, gunzipped, joinPools, MNIST_PIXELS, MNIST_SIDE } from '../data/digits.js';
import { DIGIT_PIXELS, pooledDigit, SIDE } from '../data/pairs.js';
import { digitFromRgba } from '../data/prepare.js';
import type { PairPrediction } from '../models/trained-model.js';
import { DrawPad } from './draw-pad.js';
import { Engine } from './engine-client.js';
import { type AppManifest, DIGITS_FILES, MANIFEST_FILE, modelFile } from './manifest.js';
import type { TrainProgress, TrainRequest, TrainResult } from './protocol.js';
import { classBars, lossCurve, paintDigit } from './views.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface CheckPair {
  first: number[];
  second: number[];
  probability: number;
}

interface LoadedModel {
  label: string;
  model: string;
  checks: CheckPair[];
  testErrorPercent?: number;
}

interface TestPair {
  first: number;
  second: number;
  classes: [number, number];
  probability: number;
}

/** Everything the page knows, exposed as `window.digitPairsApp` for scripts and tests. */
const state = {
  manifest: null as AppManifest | null,
  models: new Map<string, LoadedModel>(),
  current: null as string | null,
  draw: null as null | { first: number[]; second: number[]; seenFirst: number[]; seenSecond: number[]; prediction: PairPrediction; model: string },
  testPairs: [] as TestPair[],
  checks: null as null | { model: string; pairs: number; equal: number; probabilities: number[] },
  training: null as null | { request: TrainRequest; progress: TrainProgress[]; result?: TrainResult; key?: string; error?: string },
  errors: [] as string[],
};
(window as unknown as { digitPairsApp: typeof state }).digitPairsApp = state;

const workerUrl = new URL('engine-worker.js', location.href).href;
const answering = new Engine(workerUrl);
let trainer: Promise<Engine> | null = null; // started on the first training
let testDigits: Promise<DigitPools> | null = null;

async function fetchOk(path: string): Promise<Response> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

function showError(where: HTMLElement, error: unknown): void {
  const message = (error as Error).message ?? String(error);
  state.errors.push(message);
  where.innerHTML = `<span class="error">${escapeHtml(message)}</span>`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * One pool's file (gzipped): fetched, un-gzipped, decoded. `onSize` hears its size on the wire
 * as soon as the response starts, so the page can say what it is downloading.
 */
async function fetchDigits(which: 'train' | 'test', onSize: (size: string) => void): Promise<DigitPools> {
  const name = DIGITS_FILES[which];
  const response = await fetchOk(name);
  const announced = Number(response.headers.get('content-length'));
  if (announced) onSize(megabytes(announced));
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!announced) onSize(megabytes(bytes.length));
  return decodeDigits(await gunzipped(bytes, name), name);
}

// ---------------------------------------------------------------- models

const picker = $<HTMLSelectElement>('model');

function addModelOption(key: string, label: string, select = false): void {
  const option = new Option(label, key);
  picker.add(option);
  if (select || picker.options.length === 1) picker.value = key;
}

/** Loads a served model into the answering worker (once), keeping what the page shows of it. */
async function loadServedModel(key: string): Promise<void> {
  if (state.models.has(key)) return;
  const [json, weights] = await Promise.all([
    fetchOk(modelFile(key, 'model.json')).then((r) => r.json()),
    fetchOk(modelFile(key, 'weights.bin')).then((r) => r.arrayBuffer()),
  ]);
  const entry = state.manifest?.models.find((m) => m.key === key);
  // A model from a model file: its code first (served beside it, compiled for the browser).
  if (entry?.code) await answering.call('code', { url: new URL(entry.code.path, location.href).href, sha256: entry.code.sha256 });
  await answering.call('load', { key, json, weights }, undefined, [weights]);
  state.models.set(key, { label: entry?.label ?? key, model: json.model, checks: json.checks ?? [], testErrorPercent: json.errors?.testErrorPercent });
}

async function selectModel(key: string): Promise<void> {
  state.current = key;
  $('model-info').textContent = 'loading…';
  try {
    await loadServedModel(key);
    const m = state.models.get(key)!;
    $('model-info').textContent = m.testErrorPercent === undefined ? m.model : `${m.model}: ${m.testErrorPercent.toFixed(2)}% test error in its round`;
    state.testPairs = [];
    renderTestPairs();
    $('check-result').textContent = '';
    updateDrawing();
  } catch (error) {
    showError($('model-info'), error);
  }
}

picker.addEventListener('change', () => void selectModel(picker.value));

// ---------------------------------------------------------------- drawing

let drawSeq = 0;
let drawQueued = false;

/** The pad's digit as MNIST prepares its digits, or null while the pad holds no digit. */
function padDigit(pad: DrawPad): Uint8Array | null {
  if (!pad.inked) return null;
  const { data, width, height } = pad.pixels();
  try {
    return digitFromRgba(data, width, height);
  } catch {
    return null; // blank so far (a stroke too faint to count)
  }
}

function scheduleUpdate(): void {
  $('verdict').dataset.state = 'busy'; // 'done' again only once the newest strokes have their answer
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => {
    drawQueued = false;
    updateDrawing();
  });
}

const pads = [new DrawPad($<HTMLCanvasElement>('pad-first'), scheduleUpdate), new DrawPad($<HTMLCanvasElement>('pad-second'), scheduleUpdate)];
$('clear-first').addEventListener('click', () => pads[0].clear());
$('clear-second').addEventListener('click', () => pads[1].clear());

async function updateDrawing(): Promise<void> {
  const seq = ++drawSeq;
  const verdict = $('verdict');
  const [first, second] = pads.map(padDigit);
  const seen = [first, second].map((d) => (d ? pooledDigit(d) : new Float32Array(DIGIT_PIXELS)));
  paintDigit($<HTMLCanvasElement>('seen-first'), seen[0], SIDE);
  paintDigit($<HTMLCanvasElement>('seen-second'), seen[1], SIDE);
  if (!first || !second || !state.current) {
    state.draw = null;
    verdict.dataset.state = 'empty';
    verdict.innerHTML = `<p class="muted">${state.current ? 'Draw a digit in each box.' : 'No model yet: train one below, or start the app with a run folder.'}</p>`;
    $('digit-heads').innerHTML = '';
    return;
  }
  verdict.dataset.state = 'busy';
  const key = state.current;
  try {
    const prediction = await answering.call('compare', { key, first, second });
    if (seq !== drawSeq) return; // a newer stroke is on its way
    state.draw = {
      first: Array.from(first),
      second: Array.from(second),
      seenFirst: Array.from(seen[0]),
      seenSecond: Array.from(seen[1]),
      prediction,
      model: key,
    };
    const p = prediction.probability;
    const read = prediction.first && prediction.second ? [prediction.first, prediction.second].map((q) => q.indexOf(Math.max(...q))) : null;
    verdict.innerHTML = `<div class="muted">P(first ≤ second)</div><div class="p">${p.toFixed(4)}</div>
      <div class="answer">${p > 0.5 ? 'first ≤ second' : 'first > second'}${read ? ` <span class="muted">(read as ${read[0]} and ${read[1]})</span>` : ''}</div>`;
    $('digit-heads').innerHTML = prediction.first
      ? `<div><div class="muted">first digit</div>${classBars(prediction.first)}</div><div><div class="muted">second digit</div>${classBars(prediction.second)}</div>`
      : '';
    verdict.dataset.state = 'done';
  } catch (error) {
    if (seq === drawSeq) showError(verdict, error);
  }
}

// ---------------------------------------------------------------- test pairs

/** The test digits (fetched at start: test pairs are drawn from them). */
function loadDigits(): Promise<DigitPools> {
  if (!testDigits) {
    let size = '';
    testDigits = fetchDigits('test', (s) => (size = s));
    testDigits.then(
      (pools) => ($('test-digits').textContent = `The ${pools.test.count.toLocaleString('en')} test digits: ${size} downloaded.`),
      () => {},
    );
  }
  return testDigits;
}

const imageOf = (pools: DigitPools, i: number) => Array.from(pools.test.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS));

function digitCell(values: ArrayLike<number>, side: number): HTMLTableCellElement {
  const cell = document.createElement('td');
  const canvas = document.createElement('canvas');
  canvas.className = 'digit';
  canvas.style.width = canvas.style.height = '42px';
  paintDigit(canvas, values, side);
  cell.append(canvas);
  return cell;
}

function renderTestPairs(): void {
  const table = $<HTMLTableElement>('pairs-table');
  table.innerHTML = state.testPairs.length ? '<tr><th>first</th><th>second</th><th>truth</th><th>P(first ≤ second)</th><th>answer</th></tr>' : '';
  void loadDigits().then((pools) => {
    for (const pair of state.testPairs) {
      const row = table.insertRow();
      row.append(digitCell(imageOf(pools, pair.first), MNIST_SIDE), digitCell(imageOf(pools, pair.second), MNIST_SIDE));
      const truth = pair.classes[0] <= pair.classes[1];
      const right = pair.probability > 0.5 === truth;
      row.insertAdjacentHTML(
        'beforeend',
        `<td>${pair.classes[0]} ${truth ? '≤' : '>'} ${pair.classes[1]}</td><td>${pair.probability.toFixed(4)}</td><td class="${right ? 'ok' : 'wrong'}">${right ? 'right' : 'wrong'}</td>`,
      );
    }
  });
}

$('random-pairs').addEventListener('click', async () => {
  if (!state.current) return showError($('check-result'), new Error('no model: train one below, or start the app with a run folder'));
  try {
    const pools = await loadDigits();
    const n = pools.test.count;
    const picks = Array.from({ length: 8 }, () => [Math.floor(Math.random() * n), Math.floor(Math.random() * n)] as [number, number]).filter(
      ([a, b]) => a !== b,
    );
    const p = await answering.call('probabilities', { key: state.current, pairs: picks.map(([a, b]) => [imageOf(pools, a), imageOf(pools, b)]) });
    state.testPairs = picks.map(([a, b], i) => ({ first: a, second: b, classes: [pools.test.labels[a], pools.test.labels[b]], probability: p[i] }));
    renderTestPairs();
  } catch (error) {
    showError($('check-result'), error);
  }
});

$('check-pairs').addEventListener('click', async () => {
  const key = state.current;
  const model = key ? state.models.get(key) : undefined;
  if (!key || !model) return;
  try {
    const p = Array.from(await answering.call('probabilities', { key, pairs: model.checks.map((c) => [c.first, c.second]) }));
    const equal = model.checks.filter((c, i) => c.probability === p[i]).length;
    state.checks = { model: key, pairs: p.length, equal, probabilities: p };
    $('check-result').textContent =
      `${equal} of ${p.length} of the test pairs kept in model.json get, in this tab, the probability the run computed, bit for bit.`;
  } catch (error) {
    showError($('check-result'), error);
  }
});

// ---------------------------------------------------------------- training

const form = $<HTMLFormElement>('train-form');
let tabModels = 0;

/**
 * The training worker, holding the digits it trains on. The training digits (the big file) are
 * downloaded here, on the first Train, not at page load; `say` tells the user what is happening.
 */
function trainingEngine(say: (text: string) => void): Promise<Engine> {
  trainer ??= (async () => {
    const [train, test] = await Promise.all([fetchDigits('train', (size) => say(`downloading the training digits (${size}, once)…`)), loadDigits()]);
    const pools = joinPools(train, test, DIGITS_FILES);
    const engine = new Engine(workerUrl);
    await engine.ready;
    await engine.call('digits', pools, undefined, [pools.train.images.buffer]); // the training pool moves to the worker, uncopied
    return engine;
  })();
  trainer.catch(() => (trainer = null)); // a failed download is tried again on the next Train
  return trainer;
}

function downloadLink(name: string, data: BlobPart, type: string): string {
  return `<a download="${name}" href="${URL.createObjectURL(new Blob([data], { type }))}">${name}</a>`;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const f = new FormData(form);
  const request: TrainRequest = {
    model: String(f.get('model')) as TrainRequest['model'],
    epochs: Number(f.get('epochs')),
    pairs: Number(f.get('pairs')),
    seed: Number(f.get('seed')),
    evalEveryEpoch: f.get('eval') === 'on',
  };
  const status = $('train-status');
  const button = $<HTMLButtonElement>('train-button');
  const run: NonNullable<typeof state.training> = { request, progress: [] };
  state.training = run;
  button.disabled = true;
  status.dataset.state = 'training';
  const say = (text: string) => (status.textContent = `${request.model}: ${text}`);
  say(`preparing ${request.pairs} pairs…`);
  $('train-epochs').innerHTML = '<tr><th>epoch</th><th>train error</th><th>test error</th></tr>';
  $('train-downloads').innerHTML = '';
  const { batchSize } = state.manifest!.trainable.find((t) => t.name === request.model)!;
  const batchesPerEpoch = Math.ceil(request.pairs / batchSize);
  const losses: number[] = [];
  const addEpochRow = (epoch: number, train: number, test: number) =>
    $<HTMLTableElement>('train-epochs').insertAdjacentHTML('beforeend', `<tr><td>${epoch}</td><td>${train.toFixed(2)}%</td><td>${test.toFixed(2)}%</td></tr>`);
  try {
    const engine = await trainingEngine(say);
    say(`preparing ${request.pairs} pairs…`);
    const result = await engine.call('train', request, (p) => {
      run.progress.push(p);
      losses.push(...p.batchLoss);
      $('train-curve').innerHTML = lossCurve(losses, batchesPerEpoch, request.epochs);
      if (p.errors) addEpochRow(p.epoch + 1, p.errors.trainErrorPercent, p.errors.testErrorPercent);
      say(`epoch ${p.epoch + 1}/${p.epochs}, loss ${p.loss.toFixed(4)}, ${(p.ms / 1000).toFixed(1)} s`);
    });
    run.result = result;
    const { record } = result;
    addEpochRow(request.epochs, record.trainErrorPercent, record.testErrorPercent);
    const key = `tab-${++tabModels}`;
    const label = `${request.model} trained in this tab (seed ${request.seed})`;
    await answering.call('load', { key, json: result.json, weights: result.weights.slice(0) });
    const json = result.json as { checks?: CheckPair[] };
    state.models.set(key, { label, model: request.model, checks: json.checks ?? [], testErrorPercent: record.testErrorPercent });
    run.key = key;
    addModelOption(key, label, true);
    await selectModel(key);
    say(
      `${record.trainErrorPercent.toFixed(2)}% train, ${record.testErrorPercent.toFixed(2)}% test error after ${request.epochs} epochs (${record.seconds.toFixed(1)} s). Draw against it above.`,
    );
    $('train-downloads').innerHTML =
      `Model files (put both in one folder for <code>digit-pairs predict</code>): ${downloadLink('model.json', JSON.stringify(result.json, null, 2), 'application/json')} ` +
      `${downloadLink('weights.bin', result.weights, 'application/octet-stream')} · ${downloadLink('round.json', JSON.stringify(record), 'application/json')}`;
    status.dataset.state = 'done';
  } catch (error) {
    run.error = (error as Error).message;
    showError(status, error);
    status.dataset.state = 'failed';
  } finally {
    button.disabled = false;
  }
});

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  const manifest = (await (await fetchOk(MANIFEST_FILE)).json()) as AppManifest;
  state.manifest = manifest;
  const trainable = form.elements.namedItem('model') as HTMLSelectElement;
  for (const t of manifest.trainable) trainable.add(new Option(`${t.name} — ${t.description}`, t.name));
  trainable.addEventListener('change', () => {
    const t = manifest.trainable.find((m) => m.name === trainable.value);
    if (t) (form.elements.namedItem('epochs') as HTMLInputElement).value = String(t.epochs);
  });
  for (const m of manifest.models) addModelOption(m.key, m.label);
  answering.ready.then(
    ({ simd, ours }) =>
      ($('engine').textContent =
        `engine: TensorFlow.js wasm${simd ? ' + SIMD' : ''}${ours ? ' + digit-pairs SIMD kernels' : ''}, digit-pairs ${manifest.digitPairs.version}`),
    (error) => showError($('engine'), error),
  );
  loadDigits().catch((error) => showError($('test-digits'), error));
  if (picker.value) await selectModel(picker.value);
  else updateDrawing();
}

start().catch((error) => showError($('engine'), error));
