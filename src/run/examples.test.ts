import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { DIGIT_PIXELS, makeRoundData } from '../data/pairs.js';
import { EXAMPLES_FILE, readExamples } from '../run-folder.js';
import { EXAMPLE_PAIRS, writeExamples } from './examples.js';

describe('examples.json', () => {
  const config = parseConfig({ seed: 7, pairs: 100 });

  it("holds the first 12 test pairs of round 0 as the round draws them, its digits' bytes back from the standardised inputs", () => {
    const runDir = mkdtempSync(join(tmpdir(), 'digit-pairs-examples-'));
    writeExamples(runDir, config);
    const examples = readExamples(runDir);
    assert.ok(examples);
    assert.equal(examples.round, 0);
    assert.equal(examples.seed, 7);
    assert.equal(examples.pairs.length, EXAMPLE_PAIRS);
    const { test, mean, std } = makeRoundData(loadPools(null), config.pairs, 7);
    for (const [i, p] of examples.pairs.entries()) {
      assert.deepEqual([p.index, p.firstClass, p.secondClass, p.target], [i, test.classes[2 * i], test.classes[2 * i + 1], test.target[i]]);
      assert.equal(p.first.length, DIGIT_PIXELS);
      for (const [j, byte] of p.second.entries()) assert.ok(Math.abs(byte - (test.input[(2 * i + 1) * DIGIT_PIXELS + j] * std + mean)) <= 0.5);
    }
  });

  it('is written once: a resumed run keeps the file it has', () => {
    const runDir = mkdtempSync(join(tmpdir(), 'digit-pairs-examples-'));
    writeFileSync(join(runDir, EXAMPLES_FILE), '{"round":0,"seed":1,"pairs":[]}\n');
    writeExamples(runDir, config);
    assert.equal(readFileSync(join(runDir, EXAMPLES_FILE), 'utf8'), '{"round":0,"seed":1,"pairs":[]}\n');
  });

  it('is missing from older run folders: readExamples gives undefined, not an error', () => {
    assert.equal(readExamples(mkdtempSync(join(tmpdir(), 'digit-pairs-examples-'))), undefined);
  });
});
