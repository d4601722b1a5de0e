/**
 * docs/your-own-model.md, followed as written: a new project installs digit-pairs, writes the
 * tutorial's files and runs its commands (study → compare → predict → loadModel). The page's
 * code blocks are the fixture, so the tutorial cannot drift from what works.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../testing/cli.js';

/** The checkout (this file runs from dist/src/api/). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PAGE = readFileSync(join(ROOT, 'docs', 'your-own-model.md'), 'utf8');

/** The page's fenced blocks whose info string has a second word: `sh install`, `sh run`, `ts file=NAME`. */
const blocks = [...PAGE.matchAll(/^```(\w+) (\S+)\n([\s\S]*?)^```$/gm)].map(([, lang, tag, body]) => ({ lang, tag, body }));
const block = (tag: string) => {
  const found = blocks.find((b) => b.tag === tag);
  assert.ok(found, `docs/your-own-model.md has a block tagged ${tag}`);
  return found.body;
};

function bash(script: string, cwd: string) {
  const result = spawnSync('bash', ['-eo', 'pipefail', '-c', script], { cwd, encoding: 'utf8', timeout: 600_000 });
  assert.equal(result.status, 0, `${script}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  return result.stdout;
}

describe('the your-own-model tutorial', () => {
  it('runs as written from an empty folder: install, model file, study, compare, predict, loadModel', () => {
    const home = tempDir('tutorial');
    // Install from this checkout, as the page says; offline and without the build (dist/ is built).
    const install = block('install').replace('npm install ../digit-pairs', `npm install --offline --ignore-scripts --no-audit --no-fund ${ROOT}`);
    bash(install, home);
    const project = join(home, 'my-study');
    for (const b of blocks.filter((x) => x.tag.startsWith('file='))) writeFileSync(join(project, b.tag.slice('file='.length)), b.body);
    for (const png of ['seven.png', 'two.png']) copyFileSync(join(ROOT, 'docs', 'examples', png), join(project, png));

    const out = bash(block('run'), project);
    assert.match(out, /cnn-arith/);
    assert.match(out, /paired/i, 'one run, same pairs per round: compare pairs the rounds');
    assert.match(out, /P\(first ≤ second\) = [\d.]+ +→ first (≤|>) second +\(cnn-arith\)/, 'predict');
    assert.match(out, /^cnn-arith: P\(first ≤ second\) = [\d.]+$/m, 'loadModel from Node');
    const config = JSON.parse(readFileSync(join(project, out.match(/results in (runs\/[^ ]+)\//)![1], 'config.json'), 'utf8'));
    assert.match(config.config.modelFiles['cnn-arith'].sha256, /^[0-9a-f]{64}$/);
  });
});
