/**
 * Trained models kept and used: --save-models writes model files that load back to the very
 * probabilities the run computed; tampered files are refused; `export` retrains a round into the
 * same files; `predict` reads PNGs as MNIST digits; the package exports loadModel.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { parseConfig } from '../config.js';
import { loadPools, MNIST_SIDE } from '../data/mnist.js';
import { generatePairs } from '../data/pairs.js';
import { initBackend } from '../engine/backend.js';
import { encodeModel, type ModelJson } from '../models/model-file.js';
import { runStudy } from '../run/study.js';
import { runCli } from '../testing/cli.js';
import { loadModel } from './model.js';

const cli = (...args: string[]) => runCli(args);
const config = parseConfig({ models: ['baseline-aux', 'cnn'], rounds: 2, epochs: 8, pairs: 300, batchSize: 50 });
const runDir = mkdtempSync(join(tmpdir(), 'models-'));
const modelDir = (model: string, round: number) => join(runDir, 'models', `${model}-round${round}`);
const readJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelJson;

before(async () => {
  await initBackend('wasm');
  await runStudy(config, { runDir, workers: 2, saveModels: true });
});

describe('model files', () => {
  it('are written for every round, in tf.io format, and load back to the run’s probabilities bit for bit', async () => {
    assert.deepEqual(readdirSync(join(runDir, 'models')).sort(), ['baseline-aux-round1', 'baseline-aux-round2', 'cnn-round1', 'cnn-round2']);
    for (const [model, round] of [
      ['baseline-aux', 1],
      ['cnn', 2],
    ] as const) {
      const loaded = await loadModel(modelDir(model, round));
      assert.equal(loaded.meta.model, model);
      assert.equal(loaded.meta.round, round - 1);
      assert.deepEqual(loaded.selfCheck(), { pairs: 8, equal: 8 }, `${model} round ${round}`);
      const results = readFileSync(join(runDir, 'results.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const recorded = results.find((r) => r.model === model && r.round === round - 1);
      assert.deepEqual(loaded.meta.errors, { trainErrorPercent: recorded.trainErrorPercent, testErrorPercent: recorded.testErrorPercent });
      loaded.dispose();
    }
  });

  it("hold BatchNorm's running statistics and match tf.io.encodeWeights byte for byte", async () => {
    const json = readJson(modelDir('cnn', 1));
    const names = json.weightsManifest[0].weights.map((w) => w.name);
    assert.ok(names.includes('bn1.running_mean') && names.includes('bn4.running_var'));
    const bin = readFileSync(join(modelDir('cnn', 1), 'weights.bin'));
    const decoded = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.length), json.weightsManifest[0].weights);
    const reference = await tf.io.encodeWeights(decoded);
    assert.deepEqual(reference.specs, json.weightsManifest[0].weights);
    assert.deepEqual(new Uint8Array(reference.data as ArrayBuffer), new Uint8Array(bin));
    const ours = encodeModel(
      { ...json },
      json.weightsManifest[0].weights.map((s) => ({ name: s.name, shape: s.shape, values: decoded[s.name].dataSync() as Float32Array })),
    );
    assert.deepEqual(ours.bin, new Uint8Array(bin));
    for (const t of Object.values(decoded)) t.dispose();
  });

  it('refuse a weights.bin of the wrong size and a model.json with a wrong shape, in one line', async () => {
    const tampered = mkdtempSync(join(tmpdir(), 'tampered-'));
    copyFileSync(join(modelDir('cnn', 1), 'model.json'), join(tampered, 'model.json'));
    writeFileSync(join(tampered, 'weights.bin'), readFileSync(join(modelDir('cnn', 1), 'weights.bin')).subarray(0, 1000));
    await assert.rejects(loadModel(tampered), /^UserError: weights\.bin: holds 1000 bytes but the manifest in .* describes \d+$/);
    const json = readJson(modelDir('cnn', 1));
    json.weightsManifest[0].weights[0].shape = [5, 5, 32, 2]; // as many values, the wrong shape
    writeFileSync(join(tampered, 'model.json'), JSON.stringify(json));
    copyFileSync(join(modelDir('cnn', 1), 'weights.bin'), join(tampered, 'weights.bin'));
    await assert.rejects(loadModel(tampered), /^UserError: .*model\.json: weight conv1\.weight has shape \[5,5,32,2\], but cnn needs \[5,5,2,32\]$/);
  });
});

describe('digit-pairs export', () => {
  it('retrains a round into the same model files as --save-models', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'export-')), 'cnn-round2');
    const result = cli('export', runDir, '--model', 'cnn', '--round', '2', '--out', out);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readFileSync(join(out, 'weights.bin')), readFileSync(join(modelDir('cnn', 2), 'weights.bin')));
    assert.deepEqual(readJson(out), readJson(modelDir('cnn', 2)));
  });

  it('refuses a round the run does not have', () => {
    const result = cli('export', runDir, '--model', 'cnn', '--round', '3');
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--round 3: the run has rounds 1 to 2/);
  });
});

describe('digit-pairs predict', () => {
  /** A 28×28 digit as a PNG `scale` times larger, light on dark or dark on light. */
  function png(digit: Uint8Array, scale: number, darkOnLight: boolean): string {
    const side = MNIST_SIDE * scale;
    const image = new PNG({ width: side, height: side });
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const v = digit[Math.floor(y / scale) * MNIST_SIDE + Math.floor(x / scale)];
        image.data.set([darkOnLight ? 255 - v : v, darkOnLight ? 255 - v : v, darkOnLight ? 255 - v : v, 255], 4 * (y * side + x));
      }
    }
    const file = join(mkdtempSync(join(tmpdir(), 'png-')), 'digit.png');
    writeFileSync(file, PNG.sync.write(image));
    return file;
  }

  it('reads test digits from PNGs (both polarities, twice the size) as the run did: same answer, same digits', async () => {
    const dir = modelDir('baseline-aux', 1);
    const meta = readJson(dir);
    const pools = loadPools(null);
    const raw = generatePairs(pools.test, config.pairs, meta.seed!, 'test-pairs');
    const digit = (slot: number) => pools.test.images.subarray(raw.poolIndex[slot] * 784, (raw.poolIndex[slot] + 1) * 784);
    const model = await loadModel(dir);
    // Pairs the run was sure of (far from ½), so resampling noise cannot flip them.
    const sure = meta.checks.map((c, i) => [c, i] as const).filter(([c]) => Math.abs(c.probability - 0.5) > 0.3);
    assert.ok(sure.length >= 2, `only ${sure.length} confident check pairs`);
    for (const [check, i] of sure) {
      const expected = model.compare(digit(2 * i), digit(2 * i + 1));
      for (const darkOnLight of [false, true]) {
        const result = cli('predict', dir, png(digit(2 * i), 2, darkOnLight), png(digit(2 * i + 1), 2, darkOnLight), '--json');
        assert.equal(result.status, 0, result.stderr);
        const got = JSON.parse(result.stdout);
        assert.equal(got.firstLessOrEqual, check.probability > 0.5, `pair ${i}, dark on light: ${darkOnLight}`);
        const argmax = (p: number[]) => p.indexOf(Math.max(...p));
        assert.deepEqual([argmax(got.first), argmax(got.second)], [argmax(expected.first!), argmax(expected.second!)]);
      }
    }
    model.dispose();
  });

  it('refuses files that are not images, empty or missing, in one line with exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-'));
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'text.png'), 'hello');
    writeFileSync(join(dir, 'empty.png'), '');
    for (const [file, message] of [
      ['text.png', /text\.png: not a PNG image/],
      ['empty.png', /empty\.png: empty file/],
      ['missing.png', /missing\.png: cannot read \(ENOENT\)/],
    ] as const) {
      const result = cli('predict', modelDir('cnn', 1), join(dir, file), join(dir, file));
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    }
  });
});

describe('the package', () => {
  it("exports loadModel: import { loadModel } from 'digit-pairs'", async () => {
    const api = (await import('digit-pairs' as string)) as typeof import('../index.js');
    assert.equal(typeof api.loadModel, 'function');
    const model = await api.loadModel(modelDir('cnn', 1));
    assert.ok(model.compare(new Uint8Array(784), new Uint8Array(784)).probability >= 0);
    model.dispose();
  });
});
