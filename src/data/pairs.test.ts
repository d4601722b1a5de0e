import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPools } from './mnist.js';
import {
  DIGIT_PIXELS,
  digitsOfPair,
  downsample,
  firstPairs,
  generatePairs,
  makeRoundData,
  pixelStats,
  repairDigits,
  selectPairs,
  unlabelledPairs,
} from './pairs.js';

const pools = loadPools(null);

describe('downsample', () => {
  it('averages each 2×2 block of 0–255 pixels', () => {
    const image = new Uint8Array(28 * 28);
    image.set([10, 20], 0); // row 0, cols 0–1
    image.set([30, 255], 28); // row 1, cols 0–1
    image[2 * 28 * 13 + 28 + 27] = 8; // bottom-right pixel
    const out = new Float32Array(196);
    downsample(image, 0, out, 0);
    assert.equal(out[0], (10 + 20 + 30 + 255) / 4);
    assert.equal(out[195], 2);
    assert.equal(out.filter((v) => v !== 0).length, 2);
  });
});

describe('generatePairs', () => {
  const set = generatePairs(pools.train, 1000, 7, 'train-pairs');

  it('gives N pairs of two 14×14 digits with their classes', () => {
    assert.equal(set.count, 1000);
    assert.equal(set.input.length, 1000 * 2 * DIGIT_PIXELS);
    assert.equal(set.classes.length, 2000);
    assert.equal(set.target.length, 1000);
  });

  it('sets target 1 exactly when the first digit ≤ the second', () => {
    for (let i = 0; i < set.count; i++) {
      assert.equal(set.target[i], set.classes[2 * i] <= set.classes[2 * i + 1] ? 1 : 0);
    }
    const ones = set.target.reduce((a, b) => a + b, 0);
    assert.ok(ones > 500 && ones < 600, `P(a ≤ b) is 0.55 for uniform digits; got ${ones}/1000`);
  });

  it('never uses a pool digit twice in a set', () => {
    assert.equal(new Set(set.poolIndex).size, 2000);
  });

  it('puts the pool digit itself in each slot, with its class', () => {
    const slot = 11;
    const expected = new Float32Array(196);
    downsample(pools.train.images, set.poolIndex[slot] * 784, expected, 0);
    assert.deepEqual(set.input.subarray(slot * 196, (slot + 1) * 196), expected);
    assert.equal(set.classes[slot], pools.train.labels[set.poolIndex[slot]]);
  });

  it('is a function of the seed', () => {
    assert.deepEqual(generatePairs(pools.train, 1000, 7, 'train-pairs').poolIndex, set.poolIndex);
    assert.notDeepEqual(generatePairs(pools.train, 1000, 8, 'train-pairs').poolIndex, set.poolIndex);
  });

  it('refuses more pairs than the pool can give, naming no flag (the caller knows what the user called it)', () => {
    assert.throws(() => generatePairs(pools.test, 6000, 0, 'x'), /^UserError: 6000 pairs need 12000 digits but the pool holds 10000 \(at most 5000 pairs\)$/);
  });
});

describe('makeRoundData', () => {
  it('standardises both sets with the train statistics', () => {
    const data = makeRoundData(pools, 200, 3);
    const train = pixelStats(data.train.input);
    assert.ok(Math.abs(train.mean) < 1e-5 && Math.abs(train.std - 1) < 1e-5);
    const test = pixelStats(data.test.input);
    assert.ok(Math.abs(test.mean) < 0.2 && Math.abs(test.std - 1) < 0.2, 'test is near, not exactly, standard');
    assert.ok(data.mean > 20 && data.mean < 50 && data.std > 60, `raw MNIST pixel stats, got ${data.mean}, ${data.std}`);
  });
});

describe('PairSet', () => {
  const set = generatePairs(pools.train, 50, 2, 'train-pairs');
  const pair = (s: typeof set, i: number) => [
    ...digitsOfPair(s, i).map((d) => Array.from(d)),
    s.classes[2 * i],
    s.classes[2 * i + 1],
    s.target[i],
    s.poolIndex[2 * i],
  ];

  it('selectPairs copies the pairs at the indices, in their order, repeats included', () => {
    const picked = selectPairs(set, [7, 0, 49, 7]);
    assert.equal(picked.count, 4);
    assert.deepEqual(
      [0, 1, 2, 3].map((k) => pair(picked, k)),
      [7, 0, 49, 7].map((i) => pair(set, i)),
    );
    picked.input[0] = 1e9;
    assert.notEqual(set.input[7 * 2 * DIGIT_PIXELS], 1e9, 'a copy, not a view');
  });

  it('repairDigits pairs the chosen digits anew and takes each target from the new classes', () => {
    const fresh = repairDigits(set, [1, 0, 3, 2]);
    assert.deepEqual([...fresh.classes], [set.classes[1], set.classes[0], set.classes[3], set.classes[2]]);
    assert.deepEqual(
      [...fresh.target],
      [0, 1].map((i) => (fresh.classes[2 * i] <= fresh.classes[2 * i + 1] ? 1 : 0)),
    );
    assert.deepEqual(digitsOfPair(fresh, 0)[0], digitsOfPair(set, 0)[1]);
  });

  it('firstPairs shares the first pairs, and digitsOfPair the two digits of one', () => {
    const head = firstPairs(set, 3);
    assert.equal(head.count, 3);
    assert.equal(head.input.buffer, set.input.buffer);
    assert.deepEqual(pair(head, 2), pair(set, 2));
    assert.equal(firstPairs(set, 500).count, 50);
  });

  it('unlabelledPairs lays given digits out as pairs, classes and targets 0', () => {
    const [a, b] = [new Float32Array(DIGIT_PIXELS).fill(1), new Float32Array(DIGIT_PIXELS).fill(2)];
    const pairs = unlabelledPairs([
      [a, b],
      [b, a],
    ]);
    assert.equal(pairs.count, 2);
    assert.deepEqual(digitsOfPair(pairs, 1), [b, a]);
    assert.deepEqual([...pairs.target, ...pairs.classes], [0, 0, 0, 0, 0, 0]);
  });
});
