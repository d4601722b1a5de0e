/**
 * The README's picture of the browser app: `digit-pairs app` on a run's saved models, a 3 and
 * an 8 drawn with the mouse, eight random test pairs, in headless Chromium.
 *
 *   node dist/bench/app-screenshot.js RUN_DIR [--model digit-tower] [--out docs/figures/app.png]
 */
import { parseArgs } from 'node:util';
import { serveSite } from '../src/site/server.js';
import { appSite } from '../src/site/site.js';
import { drawStroke, launchChromium } from '../src/testing/chromium.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string', default: 'digit-tower' }, out: { type: 'string', default: 'docs/figures/app.png' } },
});

/** Points on a circle arc (screen coordinates: angles grow clockwise), as fractions of the canvas. */
const arc = (cx: number, cy: number, r: number, from: number, to: number): [number, number][] =>
  Array.from({ length: 24 }, (_, i) => {
    const a = ((from + ((to - from) * i) / 23) * Math.PI) / 180;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
  });

const { url, server } = await serveSite(appSite(positionals), 0);
const browser = await launchChromium();
if (!browser) throw new Error('no Chromium');
const page = await browser.newPage({ viewport: { width: 1180, height: 860 } });
await page.goto(url);
await page.waitForFunction(() => document.getElementById('engine')?.textContent?.startsWith('engine:'), null, { timeout: 60_000 });
const key = await page.locator('#model option', { hasText: values.model }).first().getAttribute('value');
if (key) await page.selectOption('#model', key);
await page.waitForFunction((m) => document.getElementById('model-info')?.textContent?.startsWith(m), values.model);
// A 3: two arcs open to the left.
await drawStroke(page, '#pad-first', [...arc(0.47, 0.33, 0.15, 200, 450), ...arc(0.47, 0.65, 0.17, 270, 520)], 3);
// An 8: two loops.
await drawStroke(page, '#pad-second', arc(0.5, 0.31, 0.14, 90, 450), 3);
await drawStroke(page, '#pad-second', arc(0.5, 0.66, 0.18, -90, 270), 3);
await page.waitForFunction(() => document.getElementById('verdict')?.dataset.state === 'done');
await page.click('#random-pairs');
await page.waitForFunction(() => (window as unknown as { digitPairsApp: { testPairs: unknown[] } }).digitPairsApp.testPairs.length > 0);
await page.waitForTimeout(300);
await page.screenshot({ path: values.out, fullPage: false });
const draw = await page.evaluate(() => (window as unknown as { digitPairsApp: { draw: { prediction: unknown } } }).digitPairsApp.draw.prediction);
console.log(JSON.stringify(draw));
await browser.close();
server.close();
