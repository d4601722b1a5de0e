import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUTHORS_CODE_RECIPES, authorsCodeErrorPercent, measureOf, protocolRecipe } from './protocols.js';

describe('protocols', () => {
  it('report keeps every model recipe as it is; authors-code gives the published code’s to the four seed models', () => {
    assert.deepEqual(protocolRecipe('report', 'cnn-aux'), {});
    assert.equal(protocolRecipe('authors-code', 'cnn-aux'), AUTHORS_CODE_RECIPES['cnn-aux']);
    assert.deepEqual(protocolRecipe('authors-code', 'digit-tower'), {});
  });

  it('authors-code measures in training mode, report in inference mode', () => {
    assert.deepEqual([measureOf('report'), measureOf('authors-code')], ['inference', 'training-mode']);
  });

  it("the authors' error formula halves an aux model's error (a row per digit) and keeps a plain model's", () => {
    assert.equal(authorsCodeErrorPercent(30, 200, true), 7.5);
    assert.equal(authorsCodeErrorPercent(30, 200, false), 15);
  });
});
