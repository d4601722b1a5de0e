/**
 * examples.json: the first test pairs of a study's first round, written when the study starts,
 * so the report shows the pairs the models saw without loading digits or drawing pairs itself
 * (and also for a run whose --data folder is not on the machine that builds the report).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config.js';
import { type DigitPools, loadPools } from '../data/mnist.js';
import { DIGIT_PIXELS, makeRoundData } from '../data/pairs.js';
import { EXAMPLES_FILE, type Examples, encodeExamples } from '../run-folder.js';
import { writeRunFolderFile } from './folder.js';

/** How many test pairs the report's grid shows. */
export const EXAMPLE_PAIRS = 12;

/**
 * The first test pairs of round 0, drawn as the round draws them (its data are a pure function of
 * seed and pools) and turned back into 0–255 pixels with the round's train mean and std.
 */
export function examplePairs(config: ExperimentConfig, pools: DigitPools = loadPools(config.dataDir)): Examples {
  const round = 0;
  const seed = config.seed + round;
  const data = makeRoundData(pools, config.pairs, seed);
  const { input, classes, target } = data.test;
  const toBytes = (offset: number) =>
    Uint8Array.from(input.subarray(offset, offset + DIGIT_PIXELS), (v) => Math.min(255, Math.max(0, Math.round(v * data.std + data.mean))));
  const pairs = Array.from({ length: Math.min(EXAMPLE_PAIRS, data.test.count) }, (_, i) => ({
    index: i,
    first: toBytes(2 * i * DIGIT_PIXELS),
    second: toBytes((2 * i + 1) * DIGIT_PIXELS),
    firstClass: classes[2 * i],
    secondClass: classes[2 * i + 1],
    target: target[i],
  }));
  return { round, seed, pairs };
}

/** Writes RUN_DIR/examples.json unless it is there (a resumed run keeps its own); whole or not at all. */
export function writeExamples(runDir: string, config: ExperimentConfig): void {
  const path = join(runDir, EXAMPLES_FILE);
  if (existsSync(path)) return;
  writeRunFolderFile(path, encodeExamples(examplePairs(config)));
}
