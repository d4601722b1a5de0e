import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bilinear } from './bilinear.js';

describe('bilinear', () => {
  const at = (c: number, r: number) => (c >= 0 && c < 2 && r >= 0 && r < 2 ? [10, 20, 30, 40][2 * r + c] : 0);

  it('reads a pixel exactly at its integer coordinates', () => {
    assert.equal(bilinear(at, 1, 0), 20);
    assert.equal(bilinear(at, 0, 1), 30);
  });

  it('blends the four pixels around a point by nearness, and whatever `at` says lies outside', () => {
    assert.equal(bilinear(at, 0.5, 0.5), 25);
    assert.equal(bilinear(at, 0.25, 0), 12.5);
    assert.equal(bilinear(at, 1.5, 0), 10, 'halfway to the 0 outside');
  });
});
