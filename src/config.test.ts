import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig, seedProtocol } from './config.js';

describe('ExperimentConfig', () => {
  it("defaults to the seed report's protocol and hyper-parameters", () => {
    const { models, rounds, epochs, pairs, batchSize, backend, hyper } = seedProtocol;
    assert.deepEqual(
      { models, rounds, epochs, pairs, batchSize, backend },
      {
        models: ['baseline', 'baseline-aux', 'cnn', 'cnn-aux'],
        rounds: 15,
        epochs: null,
        pairs: 1000,
        batchSize: 100,
        backend: 'wasm',
      },
    );
    assert.deepEqual(hyper, {
      baseline: { learningRate: 0.0011, l2: 0.33, epochs: 25 },
      'baseline-aux': { learningRate: 0.0056, l2: 0.001, epochs: 25 },
      cnn: { learningRate: 0.001, l2: 0.1, epochs: 25 },
      'cnn-aux': { learningRate: 0.0022, l2: 0.11, epochs: 25 },
    });
  });

  it('makes variants by spreading, overriding only what is given', () => {
    const variant = parseConfig({ ...seedProtocol, rounds: 2, hyper: { cnn: { l2: 0 } } });
    assert.equal(variant.rounds, 2);
    assert.deepEqual(variant.hyper.cnn, { learningRate: 0.001, l2: 0, epochs: 25 });
  });

  it('rejects unknown fields and values, naming the valid choices', () => {
    assert.throws(() => parseConfig({ round: 3 }), /unknown field\(s\) round; valid: models, rounds/);
    assert.throws(() => parseConfig({ backend: 'gpu' }), /backend gpu: must be one of wasm, cpu/);
    assert.throws(() => parseConfig({ models: ['mlp'] }), /models.0 mlp: must be one of baseline, baseline-aux, cnn, cnn-aux/);
  });

  it("lets each model's recipe own its epoch count, and --epochs override them all", () => {
    const all = parseConfig({ models: ['cnn', 'digit-tower'] });
    assert.deepEqual([all.hyper.cnn!.epochs, all.hyper['digit-tower']!.epochs], [25, 80]);
    const five = parseConfig({ models: ['cnn', 'digit-tower'], epochs: 5 });
    assert.deepEqual([five.hyper.cnn!.epochs, five.hyper['digit-tower']!.epochs], [5, 5]);
  });

  it("sets every model's λ with l2, over the recipe's and the per-model overrides", () => {
    const { hyper } = parseConfig({ models: ['cnn', 'baseline'], l2: 0, hyper: { cnn: { l2: 0.5, learningRate: 0.002 } } });
    assert.deepEqual(
      [hyper.cnn, hyper.baseline],
      [
        { learningRate: 0.002, l2: 0, epochs: 25 },
        { learningRate: 0.0011, l2: 0, epochs: 25 },
      ],
    );
  });

  it('names the field of a nested problem and what was given', () => {
    assert.throws(() => parseConfig({ tune: { folds: 1 } }), /^UserError: tune\.folds 1: must be at least 2$/);
    assert.throws(() => parseConfig({ hyper: { cnn: { schedule: 'step' } } }), /hyper\.cnn\.schedule step: must be one of constant, cosine/);
  });
});
