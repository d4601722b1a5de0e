import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRng } from '../rng.js';
import { repair, shiftDigits } from './augment.js';
import { loadEmbeddedPools } from './mnist.js';
import { generatePairs, DIGIT_PIXELS } from './pairs.js';

const set = generatePairs(loadEmbeddedPools().train, 300, 1, 'train-pairs');

describe('repair', () => {
  const fresh = repair(set, makeRng(0, 'repair'));

  it('uses exactly the same digits, in new pairs', () => {
    assert.deepEqual([...fresh.poolIndex].sort(), [...set.poolIndex].sort());
    assert.notDeepEqual(fresh.poolIndex, set.poolIndex);
  });

  it('moves each digit with its pixels and class, and recomputes the targets', () => {
    const slotOf = new Map([...set.poolIndex].map((p, slot) => [p, slot]));
    for (let slot = 0; slot < 2 * fresh.count; slot += 37) {
      const old = slotOf.get(fresh.poolIndex[slot])!;
      assert.equal(fresh.classes[slot], set.classes[old]);
      assert.deepEqual(fresh.input.subarray(slot * DIGIT_PIXELS, (slot + 1) * DIGIT_PIXELS), set.input.subarray(old * DIGIT_PIXELS, (old + 1) * DIGIT_PIXELS));
    }
    for (let i = 0; i < fresh.count; i++) assert.equal(fresh.target[i], fresh.classes[2 * i] <= fresh.classes[2 * i + 1] ? 1 : 0);
  });
});

describe('shiftDigits', () => {
  it('moves a digit by at most maxShift pixels, filling with the background', () => {
    const one = { ...set, count: 1, input: new Float32Array(2 * DIGIT_PIXELS), target: set.target.subarray(0, 1) };
    one.input[7 * 14 + 7] = 5; // a single bright pixel in the middle of the first digit
    const shifted = shiftDigits(one, 1, -0.5, makeRng(3, 'shift'));
    const at = shifted.input.subarray(0, DIGIT_PIXELS).findIndex((v) => v === 5);
    const [r, c] = [Math.floor(at / 14), at % 14];
    assert.ok(Math.abs(r - 7) <= 1 && Math.abs(c - 7) <= 1);
    // The rows and columns the shift uncovered, and nothing else, hold the background.
    const [dy, dx] = [Math.abs(r - 7), Math.abs(c - 7)];
    assert.equal(shifted.input.subarray(0, DIGIT_PIXELS).filter((v) => v === -0.5).length, 14 * dy + 14 * dx - dy * dx);
  });

  it('with maxShift 0 changes nothing', () => {
    assert.deepEqual(shiftDigits(set, 0, 0, makeRng(0, 's')).input, set.input);
  });
});
