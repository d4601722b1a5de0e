import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ModelName } from '../models/registry.js';
import { latestRecords, readRecords } from '../run-folder.js';
import { writeSummary } from './summary.js';

/** docs/ of the checkout (this file runs from dist/src/report/). */
const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs');

describe('summary.md', () => {
  // The summaries in docs/ were written by these renderers from the logs beside them: they pin the format.
  for (const log of readdirSync(DOCS).filter((f) => f.endsWith('-results.jsonl'))) {
    const name = log.replace('-results.jsonl', '');
    it(`reproduces docs/${name}-summary.md byte for byte from its log`, () => {
      const expected = readFileSync(join(DOCS, `${name}-summary.md`), 'utf8');
      // The models in the order the summary lists them (Table III's rows, before any other section).
      const models = [...expected.split('\n## ')[0].matchAll(/^\| ([a-z][a-z-]*) \|/gm)].map((m) => m[1] as ModelName);
      const runDir = mkdtempSync(join(tmpdir(), 'digit-pairs-summary-'));
      writeSummary(runDir, models, latestRecords(readRecords(join(DOCS, log))));
      assert.equal(readFileSync(join(runDir, 'summary.md'), 'utf8'), expected);
    });
  }
});
