/**
 * Digit pools and their compact binary form. Pure: the Node loaders (./mnist.ts) and the
 * browser app both hold digits this way, and the binary lets the app read them with one copy.
 * The app gets each pool as a file of its own, gzipped: the test digits at load, the training
 * digits only when it trains.
 */
import { DataError } from '../errors.js';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

/** Digits with their classes: `images` holds `count` 28×28 byte images, row-major. */
export interface DigitPool {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

/** Where digits came from, recorded with each run: a name, and the files read with their checksums. */
export interface DigitSource {
  name: string;
  files: { name: string; bytes: number; sha256: string }[];
}

export interface DigitPools {
  train: DigitPool;
  test: DigitPool;
  source: DigitSource;
}

/**
 * Binary layout (little-endian): "DPDG", u32 format version, u32 train count, u32 test count,
 * u32 source byte length, the source (JSON, UTF-8), then train labels, test labels, train images,
 * test images (bytes, 28×28 each). Labels and images are plain bytes: no alignment needed.
 */
const MAGIC = 0x47445044; // "DPDG"
const VERSION = 2; // 2: the source as JSON with its files' checksums
const HEADER = 20;

/** The pools as one compact byte string. */
export function encodeDigits(pools: DigitPools): Uint8Array<ArrayBuffer> {
  const source = new TextEncoder().encode(JSON.stringify(pools.source));
  const { train, test } = pools;
  const out = new Uint8Array(HEADER + source.length + (train.count + test.count) * (1 + MNIST_PIXELS));
  const view = new DataView(out.buffer);
  for (const [i, v] of [MAGIC, VERSION, train.count, test.count, source.length].entries()) view.setUint32(4 * i, v, true);
  let at = HEADER;
  for (const part of [source, train.labels, test.labels, train.images, test.images]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Pools from `encodeDigits`'s bytes (views into `bytes`, no copy); `name` is used in errors. */
export function decodeDigits(bytes: Uint8Array, name: string): DigitPools {
  const fail = (why: string): never => {
    throw new DataError(`${name}: ${why}`);
  };
  if (bytes.length < HEADER) fail(`${bytes.length} bytes is too short for a digits file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [magic, version, trainCount, testCount, sourceLength] = Array.from({ length: 5 }, (_, i) => view.getUint32(4 * i, true));
  if (magic !== MAGIC) fail('not a digit-pairs digits file');
  if (version !== VERSION) fail(`digits format version ${version}, this code reads ${VERSION}`);
  const expected = HEADER + sourceLength + (trainCount + testCount) * (1 + MNIST_PIXELS);
  if (bytes.length !== expected) fail(`${bytes.length} bytes, its header announces ${expected}`);
  let at = HEADER;
  const take = (n: number) => {
    at += n;
    return bytes.subarray(at - n, at);
  };
  const source = JSON.parse(new TextDecoder().decode(take(sourceLength))) as DigitSource;
  const [trainLabels, testLabels] = [take(trainCount), take(testCount)];
  for (const labels of [trainLabels, testLabels]) if (labels.some((l) => l > 9)) fail('a label is not a digit 0–9');
  const train = { labels: trainLabels, images: take(trainCount * MNIST_PIXELS), count: trainCount };
  const test = { labels: testLabels, images: take(testCount * MNIST_PIXELS), count: testCount };
  return { train, test, source };
}

const NO_DIGITS: DigitPool = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0 };

/** `pools` with only one of its pools kept (the other empty), for a file of that pool alone. */
export const onePool = (pools: DigitPools, which: 'train' | 'test'): DigitPools => ({
  train: NO_DIGITS,
  test: NO_DIGITS,
  [which]: pools[which],
  source: pools.source,
});

/** The training pool of one file and the test pool of another, refused if they come from different digits. */
export function joinPools(train: DigitPools, test: DigitPools, names: { train: string; test: string }): DigitPools {
  if (JSON.stringify(train.source) !== JSON.stringify(test.source)) {
    throw new DataError(`${names.train} and ${names.test}: digits of different sources (${train.source.name}; ${test.source.name})`);
  }
  return { train: train.train, test: test.test, source: train.source };
}

/**
 * `bytes` un-gzipped when they are gzip (magic 1f 8b), as they are unless a server already
 * un-gzipped them on the way (a static file server may send `.gz` with Content-Encoding: gzip).
 * DecompressionStream: a web API, in browsers and in Node alike.
 */
export async function gunzipped(bytes: Uint8Array<ArrayBuffer>, name: string): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new DataError(`${name}: not a valid gzip file (${(error as Error).message})`);
  }
}
