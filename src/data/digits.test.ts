import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataError } from '../errors.js';
import { decodeDigits, encodeDigits } from './digits.js';

describe('compact digits', () => {
  it('round-trip and refuse damaged bytes with one line naming the file', () => {
    const pools = {
      train: { images: Uint8Array.from({ length: 2 * 784 }, (_, i) => i % 256), labels: Uint8Array.of(3, 9), count: 2 },
      test: { images: new Uint8Array(784).fill(7), labels: Uint8Array.of(0), count: 1 },
      source: { name: 'a test', files: [] },
    };
    const bytes = encodeDigits(pools);
    assert.deepEqual(decodeDigits(bytes, 'x.bin'), pools);
    assert.throws(
      () => decodeDigits(bytes.subarray(0, bytes.length - 1), 'x.bin'),
      (e: Error) => e instanceof DataError && /^x\.bin: \d+ bytes, its header announces/.test(e.message),
    );
    assert.throws(() => decodeDigits(new Uint8Array(40), 'x.bin'), /x\.bin: not a digit-pairs digits file/);
    assert.throws(() => decodeDigits(new Uint8Array(3), 'x.bin'), /too short/);
    const badLabel = bytes.slice();
    badLabel[20 + JSON.stringify(pools.source).length] = 10;
    assert.throws(() => decodeDigits(badLabel, 'x.bin'), /a label is not a digit/);
  });
});
