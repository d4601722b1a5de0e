import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { loadPools } from '../data/mnist.js';
import { makeRoundData } from '../data/pairs.js';
import { foldData, foldOf } from './fold.js';

const pools = loadPools(null);

describe('cross-validation folds', () => {
  const config = parseConfig({ pairs: 101, tune: { folds: 3 } });

  it('are disjoint, cover every training pair, and differ in size by at most one', () => {
    const folds = foldOf(101, 3, 0);
    const sizes = [0, 1, 2].map((f) => folds.filter((x) => x === f).length);
    assert.deepEqual(sizes.sort(), [33, 34, 34]);
    const seen = new Set<string>();
    for (let fold = 0; fold < 3; fold++) {
      const { train, validation } = foldData(pools, config, 0, fold);
      assert.equal(train.count + validation.count, 101);
      const key = (set: typeof train, i: number) => `${set.poolIndex[2 * i]},${set.poolIndex[2 * i + 1]}`;
      const trainKeys = new Set(Array.from({ length: train.count }, (_, i) => key(train, i)));
      for (let i = 0; i < validation.count; i++) {
        assert.ok(!trainKeys.has(key(validation, i)), 'a validation pair is also a training pair');
        seen.add(key(validation, i));
      }
    }
    assert.equal(seen.size, 101, 'the validation folds together are the whole training set');
  });

  it("use only the round's training pairs, never a test-pool digit", () => {
    const round = makeRoundData(pools, 101, 0);
    const trainDigits = new Set(round.train.poolIndex);
    const { train, validation } = foldData(pools, config, 0, 1);
    for (const i of [...train.poolIndex, ...validation.poolIndex]) assert.ok(trainDigits.has(i));
  });
});
