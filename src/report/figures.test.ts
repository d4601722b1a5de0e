import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as vl from 'vega-lite';
import { ABLATION_MODELS, type ModelName, SEED_MODELS } from '../models/registry.js';
import type { RoundRecord, RoundResult } from '../train/records.js';
import { epochCurves, epochErrorSpec, errorBoxplotSpec, jitterOf, lossCurves, lossSpec, roundErrors } from './figures.js';
import { specToSvg, svgToPng } from './report.js';

const ok = (model: RoundResult['model'], round: number, train: number, test: number, batchLoss: number[], epochs = true): RoundResult => ({
  model,
  round,
  seed: round,
  status: 'ok',
  params: 10,
  trainErrorPercent: train,
  testErrorPercent: test,
  epochs: epochs
    ? [
        { trainErrorPercent: train + 10, testErrorPercent: test + 10 },
        { trainErrorPercent: train, testErrorPercent: test },
      ]
    : [],
  batchLoss,
  seconds: 1,
});

const records: RoundRecord[] = [
  ok('baseline', 1, 20, 30, [9, 5, 3]),
  ok('baseline', 0, 10, 20, [7, 3, 1]),
  { model: 'baseline', round: 2, seed: 2, status: 'failed', reason: 'loss became NaN in epoch 1' },
  ok('cnn', 0, 4, 8, [2, 1, 0.5]),
];

describe('figure data', () => {
  it('jitter is deterministic, within [-1, 1], and spreads the first 15 rounds apart', () => {
    const offsets = Array.from({ length: 15 }, (_, r) => jitterOf(r));
    assert.ok(offsets.every((o) => o >= -1 && o <= 1));
    assert.equal(new Set(offsets.map((o) => o.toFixed(3))).size, 15);
    assert.deepEqual(
      offsets,
      Array.from({ length: 15 }, (_, r) => jitterOf(r)),
    );
  });

  it('roundErrors takes the finished rounds only, in round order, numbered from 1 as users see them', () => {
    assert.deepEqual(
      roundErrors(records, 'test').map((p) => [p.model, p.round, p.errorPercent]),
      [
        ['baseline', 1, 20],
        ['cnn', 1, 8],
        ['baseline', 2, 30],
      ],
    );
  });

  it('lossCurves gives mean, min and max over rounds per mini-batch', () => {
    const baseline = lossCurves(records, ['baseline', 'cnn']).filter((p) => p.model === 'baseline');
    assert.deepEqual(baseline, [
      { model: 'baseline', iteration: 1, mean: 8, min: 7, max: 9 },
      { model: 'baseline', iteration: 2, mean: 4, min: 3, max: 5 },
      { model: 'baseline', iteration: 3, mean: 2, min: 1, max: 3 },
    ]);
  });

  it('epochCurves averages each epoch over rounds, and is empty without per-epoch errors', () => {
    const first = epochCurves(records, ['baseline']).filter((p) => p.epoch === 1);
    assert.deepEqual(first, [
      { model: 'baseline', epoch: 1, set: 'train', errorPercent: 25 },
      { model: 'baseline', epoch: 1, set: 'test', errorPercent: 35 },
    ]);
    assert.deepEqual(epochCurves([ok('cnn', 0, 1, 2, [1], false)], ['cnn']), []);
  });
});

describe('figure specs', () => {
  const models = ['baseline', 'cnn'] as const;
  const specs = {
    boxplot: errorBoxplotSpec(roundErrors(records, 'train'), { title: 'Figure 1 · Train error rates', models: [...models], seedMeans: { baseline: 11.56 } }),
    loss: lossSpec(lossCurves(records, [...models]), [...models]),
    epochs: epochErrorSpec(epochCurves(records, [...models]), [...models]),
  };

  for (const [name, spec] of Object.entries(specs)) {
    it(`${name}: compiles with Vega-Lite without warnings`, () => {
      const warnings: string[] = [];
      const logger = {
        level: () => logger,
        error: (...m: unknown[]) => warnings.push(m.join(' ')),
        warn: (...m: unknown[]) => warnings.push(m.join(' ')),
        info: () => logger,
        debug: () => logger,
      };
      vl.compile(spec, { logger: logger as never });
      assert.deepEqual(warnings, []);
    });
  }

  it('the loss axis is logarithmic (the baseline loss carries a large L2 term)', () => {
    assert.match(JSON.stringify(specs.loss), /"type":"log"/);
  });

  it('the box plot: quartiles, whiskers from min to max, every round as a point', () => {
    const text = JSON.stringify(specs.boxplot);
    assert.match(text, /"extent":"min-max"/);
    assert.equal((specs.boxplot as { data: { values: unknown[] } }).data.values.length, 3);
  });

  it('gives each model room on the x axis: wider for the ablation, long names slanted', () => {
    const axisOf = (names: readonly ModelName[]) => {
      const spec = errorBoxplotSpec([], { title: 't', models: [...names] }) as {
        width: number;
        layer: { encoding: { x: { axis: { labelAngle: number } } } }[];
      };
      return { width: spec.width, labelAngle: spec.layer[0]!.encoding.x.axis.labelAngle };
    };
    assert.deepEqual(axisOf(SEED_MODELS), { width: 420, labelAngle: 0 });
    const ablation = axisOf(ABLATION_MODELS);
    assert.ok(ablation.width >= 105 * ABLATION_MODELS.length, `width ${ablation.width}`);
    assert.notEqual(ablation.labelAngle, 0);
  });

  it('renders to an SVG with its title as text, and to a PNG', async () => {
    const svg = await specToSvg(specs.boxplot);
    assert.match(svg, /^<svg[^>]*viewBox/);
    assert.match(svg, /Figure 1 · Train error rates/);
    const png = svgToPng(svg);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  });
});
