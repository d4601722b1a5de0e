import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { decodeDigits, encodeDigits, gunzipped, joinPools, onePool } from './digits.js';

describe('compact digits', () => {
  const pools = {
    train: { images: Uint8Array.from({ length: 2 * 784 }, (_, i) => i % 256), labels: Uint8Array.of(3, 9), count: 2 },
    test: { images: new Uint8Array(784).fill(7), labels: Uint8Array.of(0), count: 1 },
    source: { name: 'a test', files: [] },
  };

  it('round-trip and refuse damaged bytes with one line naming the file', () => {
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

describe('one pool per file (the browser app fetches the training digits only to train)', () => {
  const pools = {
    train: { images: new Uint8Array(3 * 784).fill(1), labels: Uint8Array.of(1, 2, 3), count: 3 },
    test: { images: new Uint8Array(784).fill(2), labels: Uint8Array.of(4), count: 1 },
    source: { name: 'a test', files: [{ name: 'f', bytes: 1, sha256: 'ab' }] },
  };

  it('splits into two files that join back, gzipped or not; digits of different sources are refused', async () => {
    const [train, test] = (['train', 'test'] as const).map((which) => encodeDigits(onePool(pools, which)));
    assert.equal(test.length, encodeDigits(pools).length - 3 * (1 + 784));
    const read = async (bytes: Uint8Array<ArrayBuffer>, name: string) => decodeDigits(await gunzipped(bytes, name), name);
    const names = { train: 'train.bin.gz', test: 'test.bin' };
    assert.deepEqual(joinPools(await read(gzipSync(train), names.train), await read(test, names.test), names), pools);
    const other = encodeDigits({ ...onePool(pools, 'test'), source: { name: 'other', files: [] } });
    assert.throws(
      () => joinPools(decodeDigits(train, 'a'), decodeDigits(other, 'b'), { train: 'a', test: 'b' }),
      /^DataError: a and b: digits of different sources/,
    );
    await assert.rejects(gunzipped(gzipSync(train).subarray(0, 100), 'x.gz'), /^DataError: x\.gz: not a valid gzip file/);
  });
});
