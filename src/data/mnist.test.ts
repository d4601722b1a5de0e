import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { loadEmbeddedPools, loadIdxPools, parseIdxImages, parseIdxLabels } from './mnist.js';

/** IDX bytes: magic, dimensions (big-endian uint32), then the payload. */
function idx(magic: number, dims: number[], payload: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, magic);
  dims.forEach((d, i) => {
    header.setUint32(4 + 4 * i, d);
  });
  return Buffer.concat([new Uint8Array(header.buffer), payload]);
}

function writeIdxDir(count: number, gzip: boolean): { dir: string; images: Uint8Array; labels: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  const images = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 7) % 256);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const write = (name: string, bytes: Uint8Array) => writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  for (const prefix of ['train', 't10k']) {
    write(`${prefix}-images-idx3-ubyte`, idx(0x803, [count, 28, 28], images));
    write(`${prefix}-labels-idx1-ubyte`, idx(0x801, [count], labels));
  }
  return { dir, images, labels };
}

describe('embedded MNIST', () => {
  const pools = loadEmbeddedPools();

  it('splits the 10,000 digits into two disjoint pools holding half of each class', () => {
    assert.equal(pools.train.count + pools.test.count, 10_000);
    for (let d = 0; d < 10; d++) {
      const inTrain = pools.train.labels.filter((l) => l === d).length;
      const inTest = pools.test.labels.filter((l) => l === d).length;
      assert.ok(Math.abs(inTrain - inTest) <= 1, `class ${d}: ${inTrain} vs ${inTest}`);
    }
    // Disjoint: no image appears in both pools.
    const key = (p: typeof pools.train, i: number) => Buffer.from(p.images.subarray(i * 784, (i + 1) * 784)).toString('base64');
    const trainImages = new Set(Array.from({ length: pools.train.count }, (_, i) => key(pools.train, i)));
    const shared = Array.from({ length: pools.test.count }, (_, i) => key(pools.test, i)).filter((k) => trainImages.has(k));
    assert.equal(shared.length, 0);
  });

  it('holds bytes recovered from k/255 values', () => {
    assert.equal(pools.train.images.length, pools.train.count * 784);
    assert.ok(pools.train.images.some((v) => v === 255));
  });
});

describe('IDX files', () => {
  for (const gzip of [false, true]) {
    it(`round-trips images and labels (${gzip ? 'gzipped' : 'plain'})`, () => {
      const { dir, images, labels } = writeIdxDir(5, gzip);
      const pools = loadIdxPools(dir);
      assert.deepEqual(pools.train.images, images);
      assert.deepEqual(pools.test.labels, labels);
      assert.equal(pools.train.count, 5);
    });
  }

  const cases: [string, () => unknown, RegExp][] = [
    ['a wrong magic number', () => parseIdxImages(idx(0x801, [1, 28, 28], new Uint8Array(784)), 'f'), /f: magic number 0x00000801, expected 0x00000803/],
    [
      'a truncated file',
      () => parseIdxImages(idx(0x803, [2, 28, 28], new Uint8Array(784)), 'f'),
      /f: header announces 1568 bytes .* holds 784 \(truncated\?\)/,
    ],
    ['a too-short header', () => parseIdxLabels(new Uint8Array(3), 'f'), /too short for an IDX header/],
    ['images not 28×28', () => parseIdxImages(idx(0x803, [1, 14, 14], new Uint8Array(196)), 'f'), /14×14, expected 28×28/],
    ['a label over 9', () => parseIdxLabels(idx(0x801, [2], Uint8Array.from([3, 12])), 'f'), /label 12 at index 1/],
  ];
  for (const [what, parse, message] of cases) {
    it(`rejects ${what} with a DataError naming the file`, () => {
      assert.throws(parse, (e: unknown) => e instanceof DataError && message.test((e as Error).message));
    });
  }

  it('rejects a missing directory, a missing file, mismatched counts and a non-gzip .gz', () => {
    assert.throws(() => loadIdxPools('/nonexistent/mnist'), /no such directory/);
    const { dir } = writeIdxDir(3, false);
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x801, [2], new Uint8Array(2)));
    assert.throws(() => loadIdxPools(dir), /holds 3 images but .*t10k-labels-idx1-ubyte holds 2 labels/);
    const empty = mkdtempSync(join(tmpdir(), 'idx-'));
    assert.throws(() => loadIdxPools(empty), /missing train-images-idx3-ubyte \(or train-images-idx3-ubyte\.gz\)/);
    const { dir: gz } = writeIdxDir(3, true);
    writeFileSync(join(gz, 'train-images-idx3-ubyte.gz'), 'not gzip at all');
    assert.throws(() => loadIdxPools(gz), /train-images-idx3-ubyte\.gz: not a valid gzip file/);
  });
});
