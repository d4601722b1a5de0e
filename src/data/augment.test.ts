import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRng } from '../rng.js';
import { affineDigits, repair, warpDigit } from './augment.js';
import { loadPools } from './mnist.js';
import { DIGIT_PIXELS, generatePairs } from './pairs.js';

const set = generatePairs(loadPools(null).train, 300, 1, 'train-pairs');

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

describe('affineDigits', () => {
  const jitter = (rotateDegrees: number, scale: number, translatePixels: number) => ({ rotateDegrees, scale, translatePixels });

  it('with no jitter is the identity', () => {
    const out = affineDigits(set, jitter(0, 0, 0), -0.4, makeRng(0, 'a'));
    out.input.forEach((v, i) => {
      assert.ok(Math.abs(v - set.input[i]) < 1e-5);
    });
  });

  it('keeps the background where the image was blank and moves ink by at most the translation bound', () => {
    const one = { ...set, count: 1, input: new Float32Array(2 * DIGIT_PIXELS).fill(-0.4), target: set.target.subarray(0, 1) };
    one.input[7 * 14 + 7] = 2; // one bright pixel at (7, 7)
    const out = affineDigits(one, jitter(0, 0, 1), -0.4, makeRng(5, 'a')).input.subarray(0, DIGIT_PIXELS);
    const inked = [...out.keys()].filter((i) => out[i] > -0.4 + 1e-6);
    assert.ok(inked.length >= 1 && inked.length <= 4, 'bilinear: the pixel spreads over at most 4 neighbours');
    for (const i of inked) assert.ok(Math.abs(Math.floor(i / 14) - 7) <= 1 && Math.abs((i % 14) - 7) <= 1);
    const ink = inked.reduce((a, i) => a + out[i] + 0.4, 0);
    assert.ok(Math.abs(ink - 2.4) < 1e-4, 'a pure translation keeps the total ink');
  });

  it('rotates about the centre: at 90° the output pixel (row r, col c) reads the input at (row c, col 13 − r)', () => {
    const src = Float32Array.from({ length: DIGIT_PIXELS }, (_, i) => i);
    const dst = new Float32Array(DIGIT_PIXELS);
    warpDigit(src, dst, 0, { angle: Math.PI / 2, zoom: 1, tx: 0, ty: 0 }, 0);
    for (const [r, c] of [
      [10, 10],
      [3, 0],
      [13, 7],
    ])
      assert.ok(Math.abs(dst[r * 14 + c] - src[c * 14 + (13 - r)]) < 1e-3);
  });

  it('zooms about the centre: at zoom 2 the centre stays and the corner reads halfway in', () => {
    const src = Float32Array.from({ length: DIGIT_PIXELS }, (_, i) => i % 14); // value = column
    const dst = new Float32Array(DIGIT_PIXELS);
    warpDigit(src, dst, 0, { angle: 0, zoom: 2, tx: 0, ty: 0 }, 0);
    assert.ok(Math.abs(dst[7 * 14 + 0] - 3.25) < 1e-5, 'column 0 reads column 6.5 − 6.5/2 = 3.25');
  });
});
