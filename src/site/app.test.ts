/**
 * The browser app end to end, in headless Chromium (../testing/chromium.ts): a tiny study saves
 * its models, `digit-pairs app` serves them, and the page's answers are checked against Node's:
 * drawings, test pairs, and one epoch trained in the tab.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { loadModel } from '../api/model.js';
import { DEFAULT_APP_PORT, DIGITS_FILES } from '../app/manifest.js';
import { parseConfig } from '../config.js';
import { MNIST_PIXELS } from '../data/digits.js';
import { loadPools } from '../data/mnist.js';
import { pooledDigit } from '../data/pairs.js';
import { digitFromRgba } from '../data/prepare.js';
import { buildReport } from '../report/report.js';
import { browserModelCode, withModelFiles } from '../run/model-code.js';
import { runStudy } from '../run/study.js';
import { countDownloads, drawStroke, launchChromium } from '../testing/chromium.js';
import { mlpModelSource } from '../testing/model-file.js';
import { trainRound } from '../train/round.js';
import { serveSite } from './server.js';
import { appSite } from './site.js';

/** What the page exposes as window.digitPairsApp (src/app/page.ts). */
interface AppState {
  draw: {
    first: number[];
    second: number[];
    seenFirst: number[];
    seenSecond: number[];
    prediction: { probability: number; first?: number[]; second?: number[] };
  } | null;
  testPairs: { first: number; second: number; classes: [number, number]; probability: number }[];
  checks: { model: string; pairs: number; equal: number } | null;
  training: { result?: { record: { batchLoss: number[]; trainErrorPercent: number; testErrorPercent: number } }; error?: string } | null;
}
const appState = (page: Page) => page.evaluate(() => (window as unknown as { digitPairsApp: AppState }).digitPairsApp);

const canvasPixels = (page: Page, canvas: string) =>
  page.evaluate((id) => {
    const c = document.querySelector(id) as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  }, canvas);

const closeTo = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-6, `${what}: page ${a}, Node ${b}`);
const megabytes = (files: { bytes: number }[]) => `${(files.reduce((sum, f) => sum + f.bytes, 0) / 1e6).toFixed(1)} MB`;

describe('the browser app (digit-pairs app)', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'digit-pairs-app-'));
  const customRun = mkdtempSync(join(tmpdir(), 'digit-pairs-app-custom-'));
  const modelFile = join(mkdtempSync(join(tmpdir(), 'digit-pairs-app-file-')), 'app-mlp.mjs');
  let server: Server | undefined;
  let browser: Browser | null = null;
  let page: Page;
  let url: string;
  const requests: string[] = [];
  let downloads: ReturnType<typeof countDownloads>;
  const problems: string[] = [];
  let skipped = '';

  before(async () => {
    const config = parseConfig({ models: ['cnn-aux', 'baseline'], rounds: 1, epochs: 2, pairs: 200 });
    await runStudy(config, { runDir, workers: 1, saveModels: true });
    // A model from a model file too: the page must run its code, compiled for the browser.
    writeFileSync(modelFile, mlpModelSource('app-mlp'));
    const custom = parseConfig(await withModelFiles({ models: [modelFile], rounds: 1, epochs: 2, pairs: 200 }));
    await runStudy(custom, { runDir: customRun, workers: 1, saveModels: true });
    const { sha256, code } = await browserModelCode(modelFile);
    assert.throws(
      () => appSite([customRun]),
      /app-mlp-round1: its model comes from the model file app-mlp\.mjs \(sha256 \w{12}…\): give that file with --model-file/,
    );
    ({ url, server } = await serveSite(appSite([runDir, customRun], new Map([[sha256, code]])), 0));
    browser = await launchChromium({ skip: (why) => (skipped = why) });
    if (!browser) return;
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    downloads = countDownloads(page);
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('engine')?.textContent?.startsWith('engine:'), null, { timeout: 60_000 });
    await page.waitForFunction(() => document.getElementById('test-digits')?.textContent?.endsWith('downloaded.'), null, { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('draws with the mouse: the 14×14 inputs and P(first ≤ second) equal what Node computes from the same canvas pixels', async (t) => {
    const gaps: number[] = [];
    const closeTo = (a: number, b: number, what: string) => {
      gaps.push(Math.abs(a - b));
      assert.ok(Math.abs(a - b) <= 1e-6, `${what}: page ${a}, Node ${b}`);
    };
    if (!browser) return t.skip(skipped);
    const key = (await page.locator('#model option', { hasText: 'cnn-aux' }).getAttribute('value'))!;
    await page.selectOption('#model', key);
    await page.waitForFunction(() => document.getElementById('model-info')?.textContent?.startsWith('cnn-aux'));
    await drawStroke(page, '#pad-first', [
      [0.35, 0.25],
      [0.55, 0.15],
      [0.55, 0.85],
    ]);
    await drawStroke(page, '#pad-second', [
      [0.3, 0.2],
      [0.7, 0.2],
      [0.4, 0.85],
    ]);
    await page.waitForFunction(() => document.getElementById('verdict')?.dataset.state === 'done');
    const { draw } = await appState(page);
    assert.ok(draw);
    const first = digitFromRgba(await canvasPixels(page, '#pad-first'), 280, 280);
    const second = digitFromRgba(await canvasPixels(page, '#pad-second'), 280, 280);
    assert.deepEqual(draw.first, Array.from(first));
    assert.deepEqual(draw.second, Array.from(second));
    assert.deepEqual(draw.seenFirst, Array.from(pooledDigit(first)));
    assert.deepEqual(draw.seenSecond, Array.from(pooledDigit(second)));
    const model = await loadModel(join(runDir, 'models', 'cnn-aux-round1'));
    const node = model.compare(first, second);
    model.dispose();
    closeTo(draw.prediction.probability, node.probability, 'P(first ≤ second)');
    assert.ok(node.first && draw.prediction.first && node.second && draw.prediction.second);
    for (const [d, p] of node.first.entries()) closeTo(draw.prediction.first![d], p, `first digit P(${d})`);
    for (const [d, p] of node.second.entries()) closeTo(draw.prediction.second![d], p, `second digit P(${d})`);
    t.diagnostic(`largest |page − Node| over the 21 probabilities: ${Math.max(...gaps)}`);
  });

  it("test pairs: the page's answers equal Node's, and the run's saved probabilities are met bit for bit", async (t) => {
    if (!browser) return t.skip(skipped);
    await page.click('#random-pairs');
    await page.waitForFunction(() => (window as unknown as { digitPairsApp: AppState }).digitPairsApp.testPairs.length > 0);
    const { testPairs } = await appState(page);
    const { test } = loadPools(null);
    const image = (i: number) => test.images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
    const model = await loadModel(join(runDir, 'models', 'cnn-aux-round1'));
    const node = model.probabilities(testPairs.map((p) => [image(p.first), image(p.second)]));
    model.dispose();
    testPairs.forEach((p, i) => {
      assert.deepEqual(p.classes, [test.labels[p.first], test.labels[p.second]]);
      closeTo(p.probability, node[i], `test pair ${i}`);
    });
    assert.equal(await page.locator('#pairs-table tr').count(), testPairs.length + 1);

    await page.click('#check-pairs');
    await page.waitForFunction(() => (window as unknown as { digitPairsApp: AppState }).digitPairsApp.checks !== null);
    const { checks } = await appState(page);
    assert.equal(checks?.pairs, 8);
    assert.equal(checks?.equal, 8);
  });

  it("runs a model trained from a model file with that file's code: its kept test pairs bit for bit", async (t) => {
    if (!browser) return t.skip(skipped);
    const key = (await page.locator('#model option', { hasText: 'app-mlp' }).getAttribute('value'))!;
    await page.selectOption('#model', key);
    await page.waitForFunction(() => document.getElementById('model-info')?.textContent?.startsWith('app-mlp'));
    await page.click('#check-pairs');
    await page.waitForFunction((k) => (window as unknown as { digitPairsApp: AppState }).digitPairsApp.checks?.model === k, key);
    const { checks } = await appState(page);
    assert.deepEqual([checks?.equal, checks?.pairs], [8, 8]);
  });

  it('trains in the tab (a Web Worker): the training digits are downloaded then, and one epoch gives the batch losses Node gives with the same seed', async (t) => {
    if (!browser) return t.skip(skipped);
    const trainDigits = `${url}${DIGITS_FILES.train}`;
    assert.ok(requests.includes(`${url}${DIGITS_FILES.test}`), 'the test digits are fetched at load');
    assert.ok(!requests.includes(trainDigits), 'the training digits are not fetched before training');
    const before = (await downloads()).length;
    await page.selectOption('select[name=model]', 'cnn');
    await page.fill('input[name=epochs]', '1');
    await page.fill('input[name=pairs]', '300');
    await page.fill('input[name=seed]', '5');
    await page.click('#train-button');
    await page.waitForFunction(() => ['done', 'failed'].includes(document.getElementById('train-status')?.dataset.state ?? ''), null, { timeout: 120_000 });
    const { training } = await appState(page);
    assert.equal(training?.error, undefined);
    const all = await downloads();
    assert.ok(!all.slice(0, before).some((d) => d.url === trainDigits));
    // Training downloads the training digits and nothing else: the trainer's copy of the engine is a 304.
    assert.deepEqual(
      all
        .slice(before)
        .filter((d) => d.bytes > 0)
        .map((d) => d.url),
      [trainDigits],
    );
    t.diagnostic(`downloaded before training: ${megabytes(all.slice(0, before))}; when training started: ${megabytes(all.slice(before))}`);
    const config = parseConfig({ models: ['cnn'], rounds: 1, seed: 5, pairs: 300, epochs: 1 });
    const { record } = trainRound({ model: 'cnn', round: 0 }, config, loadPools(null));
    assert.equal(record.batchLoss.length, 3);
    assert.deepEqual(training?.result?.record.batchLoss, record.batchLoss);
    assert.equal(training?.result?.record.testErrorPercent, record.testErrorPercent);
    // The model just trained is the one the page now answers with, and it can be downloaded.
    assert.match((await page.locator('#model option:checked').textContent()) ?? '', /cnn trained in this tab/);
    assert.deepEqual(await page.locator('#train-downloads a').evaluateAll((as) => as.map((a) => a.getAttribute('download'))), [
      'model.json',
      'weights.bin',
      'round.json',
    ]);
  });

  it("links the run's report to the app", async () => {
    const { html } = await buildReport(runDir, { appPort: DEFAULT_APP_PORT });
    const text = readFileSync(html, 'utf8');
    assert.match(text, /This run saved 2 models/);
    assert.ok(text.includes(`npx digit-pairs app ${runDir}`));
    assert.ok(text.includes('<a href="http://127.0.0.1:8117/">'));
  });

  it('makes no request beyond 127.0.0.1, logs no error, and leaves a screenshot', async (t) => {
    if (!browser) return t.skip(skipped);
    const screenshot = join(runDir, 'app-screenshot.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    t.diagnostic(`screenshot: ${screenshot}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      requests.filter((r) => !r.startsWith(url) && !r.startsWith('blob:')),
      [],
    );
    // The workers' own requests are seen too: the wasm binary and the digits are fetched by them.
    for (const file of ['tfjs-backend-wasm-simd.wasm', ...Object.values(DIGITS_FILES), 'engine-worker.js'])
      assert.ok(requests.includes(`${url}${file}`), `${file} requested`);
  });
});
