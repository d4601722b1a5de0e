/**
 * Training speed in the browser against Node, same machine, one run: the app's training worker
 * in headless Chromium (Debian's, via playwright-core) and Node's main thread train the same
 * round (same seed, pairs, model, our wasm kernels), and the time per training step is compared.
 *
 *   node dist/bench/browser.js [--models cnn,cnn-aux,baseline] [--epochs 6] [--pairs 1000] [--json OUT]
 *
 * Per-epoch evaluation is off, so an epoch is its training steps only (pairs / 100 of them);
 * the first epoch is warm-up (kernel setup, wasm compilation) and is left out. Node runs before
 * and after the browser, so a drift of the machine's speed during the run shows. The browser
 * side is the page as a user drives it: its training form, one model after the other in its
 * trainer worker (so the form's limits apply: pairs ≤ 2499, epochs ≤ 500). It also prints what
 * the page (no saved models) downloads at load and when training starts, in MB (10^6 bytes).
 *
 *   quick check: node dist/bench/browser.js --models baseline --epochs 2 --pairs 200
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import type { TrainRequest, TrainResult } from '../src/app/protocol.js';
import { parseConfig } from '../src/config.js';
import { loadPools } from '../src/data/mnist.js';
import { initBackend } from '../src/engine/backend.js';
import type { ModelName } from '../src/models/registry.js';
import { serveSite } from '../src/site/server.js';
import { appSite } from '../src/site/site.js';
import { countDownloads, launchChromium } from '../src/testing/chromium.js';
import { trainRound } from '../src/train/round.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'cnn,cnn-aux,baseline' },
    epochs: { type: 'string', default: '6' },
    pairs: { type: 'string', default: '1000' },
    json: { type: 'string' },
  },
});
const models = values.models.split(',') as ModelName[];
const epochs = Number(values.epochs);
const pairs = Number(values.pairs);
const STEPS_PER_EPOCH = Math.ceil(pairs / 100);

/** ms per step from the epoch end times, the first (warm-up) epoch left out. */
const msPerStep = (epochEndMs: number[]) => (epochEndMs[epochEndMs.length - 1] - epochEndMs[0]) / ((epochEndMs.length - 1) * STEPS_PER_EPOCH);

const request = (model: ModelName): TrainRequest => ({ model, seed: 0, pairs, epochs, evalEveryEpoch: false });

function nodeStep(model: ModelName, pools: ReturnType<typeof loadPools>): { ms: number; batchLoss: number[] } {
  const r = request(model);
  const config = parseConfig({ models: [model], rounds: 1, seed: r.seed, pairs: r.pairs, epochs: r.epochs, evalEveryEpoch: false });
  const started = performance.now();
  const ends: number[] = [];
  const { record } = trainRound({ model, round: 0 }, config, pools, { onEpoch: () => ends.push(performance.now() - started) });
  return { ms: msPerStep(ends), batchLoss: record.batchLoss };
}

/** Trains `model` in the page as its Train button does, with per-epoch evaluation off. */
async function trainInPage(page: Page, model: ModelName): Promise<{ ms: number; batchLoss: number[] }> {
  const r = request(model);
  await page.selectOption('#train-form select[name=model]', r.model);
  await page.fill('#train-form input[name=epochs]', String(r.epochs));
  await page.fill('#train-form input[name=pairs]', String(r.pairs));
  await page.fill('#train-form input[name=seed]', String(r.seed));
  await page.setChecked('#train-form input[name=eval]', r.evalEveryEpoch);
  await page.click('#train-button'); // the page marks the status 'training' as it starts
  await page.waitForFunction(() => ['done', 'failed'].includes(document.getElementById('train-status')?.dataset.state ?? ''), null, { timeout: 0 });
  const { result, error } = await page.evaluate(() => {
    const { training } = (window as unknown as { digitPairsApp: { training: { result?: TrainResult; error?: string } | null } }).digitPairsApp;
    const result = training?.result && { epochEndMs: training.result.epochEndMs, batchLoss: training.result.record.batchLoss };
    return { result, error: training?.error };
  });
  if (!result) throw new Error(`${model} in the browser: ${error ?? 'no result'}`);
  return { ms: msPerStep(result.epochEndMs), batchLoss: result.batchLoss };
}

/** "3.1 MB: page.js 0.0, engine-worker.js 1.0, …", the files' names without the server's address. */
function listed(files: { url: string; bytes: number }[]): string {
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  return `${mb(total)} MB: ${files.map((f) => `${new URL(f.url).pathname.slice(1) || 'index.html'} ${mb(f.bytes)}`).join(', ')}`;
}

async function main(): Promise<void> {
  const load = loadavg()[0];
  await initBackend('wasm');
  const pools = loadPools(null);
  const nodeBefore = models.map((m) => nodeStep(m, pools));

  const { url, server } = await serveSite(appSite([]), 0);
  const browser = await launchChromium();
  if (!browser) throw new Error('no Chromium');
  const page = await browser.newPage();
  const downloads = countDownloads(page);
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('engine')?.textContent?.startsWith('engine:'), null, { timeout: 60_000 });
  await page.waitForFunction(() => document.getElementById('test-digits')?.textContent?.endsWith('downloaded.'), null, { timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  const atLoad = await downloads();
  const version = browser.version();
  const inBrowser: { ms: number; batchLoss: number[] }[] = [];
  for (const model of models) inBrowser.push(await trainInPage(page, model));
  const training = (await downloads()).slice(atLoad.length);
  await browser.close();
  server.close();
  const nodeAfter = models.map((m) => nodeStep(m, pools));

  const rows = models.map((model, i) => {
    const node = (nodeBefore[i].ms + nodeAfter[i].ms) / 2;
    const same = JSON.stringify(nodeBefore[i].batchLoss) === JSON.stringify(inBrowser[i].batchLoss);
    return {
      model,
      chromiumMs: inBrowser[i].ms,
      nodeMsBefore: nodeBefore[i].ms,
      nodeMsAfter: nodeAfter[i].ms,
      ratio: inBrowser[i].ms / node,
      sameBatchLosses: same,
    };
  });
  console.log(`ms per training step (batch 100), ${pairs} pairs, epochs 2–${epochs}; Chromium ${version}, Node ${process.version}`);
  console.log(`machine: ${cpus()[0]?.model} × ${cpus().length}, 1-min load average at start ${load.toFixed(2)}, at end ${loadavg()[0].toFixed(2)}`);
  const download = { atLoad: listed(atLoad), training: listed(training) };
  console.log(`downloaded at load: ${download.atLoad}\nwhen training started: ${download.training}\n`);
  console.log('| model | Chromium (worker) | Node before | Node after | Chromium ÷ Node | same batch losses |\n|---|---:|---:|---:|---:|---|');
  for (const r of rows) {
    console.log(
      `| ${r.model} | ${r.chromiumMs.toFixed(1)} | ${r.nodeMsBefore.toFixed(1)} | ${r.nodeMsAfter.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.sameBatchLosses ? 'yes' : 'NO'} |`,
    );
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ chromium: version, node: process.version, load, download, rows }, null, 2)}\n`);
}

await main();
