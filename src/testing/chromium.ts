/**
 * Headless Chromium for tests and benchmarks: Debian's /usr/bin/chromium driven by
 * playwright-core (which downloads nothing). Without it a browser test is skipped on a
 * developer's machine but fails in CI, where .ci/run installs it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Browser, Page, Request } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a root, sandbox-less, offline machine: no GPU, no background calls home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Chromium, or null (the test skipped) when it is not installed outside CI. */
export async function launchChromium(t?: { skip(message: string): void }): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI || !t) assert.fail(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)`);
    t.skip(`${CHROMIUM} not found: install it with 'apt-get install -y chromium' to run the browser test`);
    return null;
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A mouse stroke through `points` (fractions of the element's box), `steps` mouse moves per segment. */
export async function drawStroke(page: Page, selector: string, points: [number, number][], steps = 6): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps });
  await page.mouse.up();
}

/**
 * Counts what `page` downloads, its workers' requests included: call the function returned for
 * every response finished so far, with its body's bytes on the wire (DevTools' "transferred"
 * less the headers).
 */
export function countDownloads(page: Page): () => Promise<{ url: string; bytes: number }[]> {
  const finished: Promise<{ url: string; bytes: number }>[] = [];
  const size = async (request: Request) => {
    const [{ responseBodySize }, response] = await Promise.all([request.sizes(), request.response()]);
    // Chromium reports 0 for a worker's own script; its Content-Length tells what came over the wire.
    return { url: request.url(), bytes: responseBodySize || Number((await response?.headerValue('content-length')) ?? 0) };
  };
  page.on('requestfinished', (request) => finished.push(size(request)));
  return () => Promise.all(finished);
}
