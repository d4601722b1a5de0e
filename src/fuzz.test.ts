/**
 * Fuzzing the two doors bad input comes through: the IDX reader and the config parser.
 * Every input either parses or raises our own UserError; nothing else may escape.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from './config.js';
import { parseIdxImages, parseIdxLabels } from './data/mnist.js';
import { UserError } from './errors.js';
import { makeRng, type Rng } from './rng.js';

const rng = makeRng(2026, 'fuzz');
const int = (r: Rng, n: number) => Math.floor(r.next() * n);

/** Parses, or fails with a UserError; any other exception fails the test. */
function parsesOrUserError(parse: () => unknown, input: unknown): void {
  try {
    parse();
  } catch (error) {
    if (!(error instanceof UserError)) assert.fail(`${(error as Error).stack}\ninput: ${JSON.stringify(input)?.slice(0, 200)}`);
  }
}

function validIdx(count: number): Uint8Array {
  const bytes = new Uint8Array(16 + count * 784);
  const view = new DataView(bytes.buffer);
  [0x803, count, 28, 28].forEach((v, i) => {
    view.setUint32(4 * i, v);
  });
  return bytes;
}

/** Random bytes, or a valid file with a few bytes flipped, cut, or extended. */
function mutatedIdx(r: Rng): Uint8Array {
  const kind = int(r, 4);
  if (kind === 0) return Uint8Array.from({ length: int(r, 64) }, () => int(r, 256));
  const bytes = validIdx(1 + int(r, 3));
  if (kind === 1) for (let k = 0; k < 1 + int(r, 4); k++) bytes[int(r, 16)] = int(r, 256); // header damage
  if (kind === 2) return bytes.subarray(0, int(r, bytes.length));
  if (kind === 3) return Uint8Array.from([...bytes, ...Array.from({ length: 1 + int(r, 9) }, () => int(r, 256))]);
  return bytes;
}

const VALUES: unknown[] = [0, -1, 1, 2.5, 1e9, NaN, '', '3', 'cnn', null, true, [], ['cnn'], ['nope'], {}, { cnn: { l2: -1 } }, { cnn: { learningRate: 0.1 } }];
const FIELDS = ['models', 'rounds', 'epochs', 'pairs', 'batchSize', 'seed', 'dataDir', 'backend', 'evalEveryEpoch', 'hyper', 'bogus'];

function randomConfig(r: Rng): unknown {
  if (int(r, 10) === 0) return VALUES[int(r, VALUES.length)];
  const input: Record<string, unknown> = {};
  for (let k = 0; k < int(r, 4); k++) input[FIELDS[int(r, FIELDS.length)]] = VALUES[int(r, VALUES.length)];
  return input;
}

describe('fuzz', () => {
  it('the IDX reader parses or raises a DataError on 3000 random and mutated files', () => {
    for (let i = 0; i < 3000; i++) {
      const bytes = mutatedIdx(rng);
      parsesOrUserError(() => parseIdxImages(bytes, 'fuzz'), Array.from(bytes.subarray(0, 20)));
      parsesOrUserError(() => parseIdxLabels(bytes, 'fuzz'), Array.from(bytes.subarray(0, 20)));
    }
  });

  it('the config parser accepts or raises a UserError on 3000 random configs', () => {
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const input = randomConfig(rng);
      parsesOrUserError(() => parseConfig(input), input);
      try {
        parseConfig(input);
        accepted++;
      } catch {
        // counted below
      }
    }
    assert.ok(accepted > 100 && accepted < 2900, `a mix of valid and invalid inputs (${accepted} accepted)`);
  });
});
