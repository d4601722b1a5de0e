/**
 * End to end: a tiny study, its report, and report.html opened in headless Chromium at
 * 1280×800 as a reader would (Debian's Chromium, see ../testing/chromium.ts).
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parseConfig } from '../config.js';
import { runStudy } from '../run/study.js';
import { launchChromium } from '../testing/chromium.js';
import { buildReport } from './report.js';
import { type ModelSummary, writeSummary } from './summary.js';

const FIGURE_IDS = ['fig-train-error', 'fig-test-error', 'fig-loss', 'fig-epoch-error'];
const ERROR_FIELDS = ['trainErrorMean', 'trainErrorStd', 'testErrorMean', 'testErrorStd'] as const;

describe('buildReport', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'digit-pairs-report-'));
  let built: { html: string; figures: string[] };
  let summary: ModelSummary[];

  before(async () => {
    const config = parseConfig({ rounds: 2, epochs: 1, pairs: 60, batchSize: 30 });
    writeSummary(runDir, config.models, (await runStudy(config, { runDir, workers: 1 })).records);
    built = await buildReport(runDir);
    summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as ModelSummary[];
  });

  it('writes report.html and every figure as SVG and PNG under figures/', () => {
    assert.equal(built.html, join(runDir, 'report.html'));
    assert.ok(existsSync(built.html));
    const names = ['fig1-train-error', 'fig2-test-error', 'fig3-loss', 'fig4-epoch-error'];
    assert.deepEqual(
      built.figures,
      names.flatMap((n) => [join(runDir, 'figures', `${n}.svg`), join(runDir, 'figures', `${n}.png`)]),
    );
    for (const file of built.figures) {
      const bytes = readFileSync(file);
      if (file.endsWith('.png')) assert.equal(bytes.subarray(1, 4).toString(), 'PNG', file);
      else assert.match(bytes.toString(), /^<svg/, file);
    }
  });

  it('report.html is self-contained: no script, no external URL', () => {
    const html = readFileSync(built.html, 'utf8');
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
  });

  it('opens in headless Chromium at 1280×800 with every figure drawn and Table III equal to summary.json', async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      const url = pathToFileURL(built.html).href;
      // Self-contained: the page itself is the only thing the browser may load.
      page.on('request', (r) => r.url() !== url && problems.push(`request: ${r.url()}`));
      await page.goto(url, { waitUntil: 'load' });

      for (const id of FIGURE_IDS) {
        const box = await page.locator(`#${id} svg`).first().boundingBox();
        assert.ok(box && box.width > 100 && box.height > 100, `${id}: ${JSON.stringify(box)}`);
      }
      // The page fits the viewport's width: nothing wider than 1280 px that would need a sideways scroll.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 1280));

      const rows = page.locator('#table-iii tbody tr');
      assert.equal(await rows.count(), summary.length);
      for (const s of summary) {
        const cell = (field: string) => page.locator(`#table-iii [data-model="${s.model}"][data-field="${field}"]`);
        for (const field of ERROR_FIELDS) {
          assert.equal(await cell(field).textContent(), s[field].toFixed(2), `${s.model} ${field}`);
          assert.equal(Number(await cell(field).getAttribute('data-value')), s[field], `${s.model} ${field} exact`);
        }
        assert.equal(await cell('params').textContent(), s.params?.toLocaleString('en-US'), `${s.model} params`);
        assert.equal(Number(await cell('rounds').textContent()), s.rounds, `${s.model} rounds`);
      }
      assert.equal(await page.locator('#example-pairs .pair').count(), 12);

      const screenshot = join(runDir, 'report-screenshot.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      t.diagnostic(`screenshot: ${screenshot}`);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });

  it('reports a run folder without examples.json (made before studies wrote it) with a note in place of the pairs', async () => {
    const older = mkdtempSync(join(tmpdir(), 'digit-pairs-report-older-'));
    cpSync(runDir, older, { recursive: true });
    rmSync(join(older, 'examples.json'));
    const html = readFileSync((await buildReport(older)).html, 'utf8');
    assert.match(html, /No example pairs: this run folder has no examples.json/);
    assert.doesNotMatch(html, /class="pair"/);
  });
});
