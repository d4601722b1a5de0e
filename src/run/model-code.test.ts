import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { UserError } from '../errors.js';
import { loadedModelFile, modelSpec } from '../models/registry.js';
import { tempDir } from '../testing/cli.js';
import { mlpModelSource } from '../testing/model-file.js';
import { allowedModelFiles, loadModelFile, useModelFiles, withModelFiles } from './model-code.js';

const modelSource = (name: string, { lr = 0.001, extra = '' } = {}) => mlpModelSource(name, { learningRate: lr, hidden: 16, extra });

function write(dir: string, file: string, text: string): string {
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

describe('model files', () => {
  it('load from .ts and .mjs, declare their model by name and record path and SHA-256', async () => {
    const dir = tempDir('model-code');
    const ts = await loadModelFile(write(dir, 'a.ts', `${modelSource('test-ts-mlp')}\nconst typed: number = 1; void typed;`));
    const mjs = await loadModelFile(write(dir, 'b.mjs', modelSource('test-mjs-mlp')));
    assert.equal(ts.name, 'test-ts-mlp');
    assert.equal(mjs.name, 'test-mjs-mlp');
    assert.match(ts.sha256, /^[0-9a-f]{64}$/);
    assert.equal(modelSpec('test-ts-mlp').description, 'a small MLP from a model file');
    assert.equal(loadedModelFile('test-mjs-mlp')?.sha256, mjs.sha256);
  });

  it('become config entries: --models names the file, the config names the model and records the file', async () => {
    const dir = tempDir('model-code');
    const path = write(dir, 'm.mjs', modelSource('test-config-mlp', { lr: 0.003 }));
    const config = parseConfig(await withModelFiles({ models: ['baseline', path] }));
    assert.deepEqual(config.models, ['baseline', 'test-config-mlp']);
    assert.equal(config.modelFiles['test-config-mlp']?.path, path);
    assert.equal(config.hyper['test-config-mlp']?.learningRate, 0.003, "the file's own recipe is the model's default");
    // A config.json is read back without the file (report, compare): the record carries what it needs.
    assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(config))).hyper, config.hyper);
  });

  it('are refused in one line when changed since the run recorded them', async () => {
    const dir = tempDir('model-code');
    const path = write(dir, 'm.mjs', modelSource('test-changed-mlp'));
    const config = parseConfig(await withModelFiles({ models: [path] }));
    write(dir, 'm.mjs', modelSource('test-changed-mlp', { lr: 0.5 }));
    await assert.rejects(
      () => loadModelFile(path, config.modelFiles['test-changed-mlp']!.sha256),
      /m\.mjs: the model file changed since the run was made \(sha256 \w{12}… then, \w{12}… now\)/,
    );
  });

  it('may import only digit-pairs and tfjs, so the hash pins all their code', async () => {
    const dir = tempDir('model-code');
    write(dir, 'helper.mjs', 'export const width = 16;');
    await assert.rejects(
      () => loadModelFile(write(dir, 'rel.mjs', modelSource('test-rel', { extra: "import { width } from './helper.mjs'; void width;" }))),
      /rel\.mjs: cannot compile: imports '\.\/helper\.mjs'; a model file may import only 'digit-pairs' and '@tensorflow\/tfjs-core'/,
    );
    await assert.rejects(() => loadModelFile(write(dir, 'fs.mjs', modelSource('test-fs', { extra: "import 'node:fs';" }))), /imports 'node:fs'/);
  });

  it('are checked like the built-in models: a wrong field, a missing default export, a built-in name, a syntax error', async () => {
    const dir = tempDir('model-code');
    const cases: [string, RegExp][] = [
      [modelSource('test-bad-lr', { lr: -1 }), /bad\.mjs: model test-bad-lr: hyper\.learningRate: .*/],
      [modelSource('Bad Name'), /bad\.mjs: model Bad Name: name: must be lower-case letters/],
      [modelSource('cnn-aux'), /bad\.mjs: declares cnn-aux, a built-in model's name/],
      ['export const model = 1;', /bad\.mjs: export your model as the default export .*; found model/],
      ['export default {', /bad\.mjs: cannot compile: .*\(line 1, column \d+\)/],
      ["throw new Error('boom');", /bad\.mjs: failed while loading: boom/],
    ];
    for (const [i, [source, message]] of cases.entries()) {
      const sub = join(dir, String(i));
      (await import('node:fs')).mkdirSync(sub);
      await assert.rejects(
        () => loadModelFile(write(sub, 'bad.mjs', source)),
        (e: Error) => e instanceof UserError && message.test(e.message),
      );
    }
  });

  it('form a worker allow-list by hash; useModelFiles loads only the models asked for, from their recorded path', async () => {
    const dir = tempDir('model-code');
    const path = write(dir, 'w.mjs', modelSource('test-allowed-mlp'));
    const allowed = await allowedModelFiles(dir);
    assert.deepEqual(
      [...allowed.values()].map((m) => m.name),
      ['test-allowed-mlp'],
    );
    const config = parseConfig(await withModelFiles({ models: [path] }));
    assert.ok(allowed.has(config.modelFiles['test-allowed-mlp']!.sha256));
    // A recorded path that does not exist is never touched when the model is not asked for.
    const elsewhere = { ...config, modelFiles: { 'test-allowed-mlp': { ...config.modelFiles['test-allowed-mlp']!, path: join(dir, 'gone.mjs') } } };
    await useModelFiles(elsewhere, []);
    await assert.rejects(() => allowedModelFiles(join(dir, 'none')), /--models-dir .*none: no such folder/);
  });
});
