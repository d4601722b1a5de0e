import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../testing/cli.js';

const run = (...args: string[]) => runCli(args);

/** A JSON file in a fresh temporary folder. */
function jsonFile(value: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cli-json-')), 'hparams.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

describe('digit-pairs CLI', () => {
  const bad: [string[], RegExp][] = [
    [['study', '--hparams', jsonFile({ grid: {} })], /--hparams .*: no "chosen" object; expected \{"chosen": \{"<model>": \{"learningRate"/],
    [['study', '--hparams', jsonFile({ chosen: { cnn: { learningRate: -1, l2: 0.1 } } })], /--hparams.*learningRate/],
    [['train'], /unknown command 'train'; valid: study, tune, report/],
    [['study', '--round', '3'], /study: unknown option --round \(did you mean --rounds\?\); valid: .*--rounds/],
    [['study', '--models'], /^digit-pairs: --models: needs a value \(a,b,…\)$/m],
    [['study', '--help=3'], /--help: takes no value/],
    [['models', 'extra-arg'], /models: unexpected argument 'extra-arg' \(it takes none\)/],
    [['help', 'nope'], /unknown command 'nope'; valid: study, tune/],
    [['study', '--models', 'cnn,resnet'], /--models resnet: must be one of seed, ablation, all, baseline, baseline-aux, cnn, cnn-aux/],
    [['study', '--rounds=-1'], /--rounds -1: must be at least 1/],
    [['study', '--epochs', '0'], /--epochs 0: must be at least 1/],
    [['study', '--rounds', 'many'], /--rounds: 'many' is not a whole number/],
    [['study', '--batch-size', '0'], /--batch-size 0: must be at least 1/],
    [['study', '--epoch-eval-pairs', '0'], /--epoch-eval-pairs 0: must be at least 1/],
    [['study', '--epoch-eval-pairs', 'some'], /--epoch-eval-pairs: 'some' is not a whole number/],
    [
      ['study', '--epoch-eval-pairs', '200', '--final-eval-only'],
      /--epoch-eval-pairs: sizes the per-epoch evaluation, which --final-eval-only \(evalEveryEpoch: false\) turns off/,
    ],
    [['study', '--backend', 'gpu'], /--backend gpu: must be one of wasm, cpu/],
    [['study', '--pairs', '6000'], /--pairs 6000: each set needs 12000 digits but the test pool holds 10000 \(at most 5000 pairs\)/],
    [['study', '--data', '/nonexistent'], /--data \/nonexistent: no such directory/],
    [['study', '--workers', '0'], /--workers 0: must be at least 1; 0 \(coordinate only\) needs --queue/],
    [['study', '--resume', '/nonexistent'], /\/nonexistent: not a run folder/],
    [['study', '--protocol', 'paper'], /--protocol paper: must be one of report, authors-code/],
    [['study', '--protocol', 'authors-code', '--models', 'ablation'], /--protocol: authors-code follows the published code of the four seed models only/],
  ];
  for (const [args, message] of bad) {
    it(`rejects \`${args.join(' ')}\` with exit code 2 and a one-line message`, () => {
      const result = run(...args);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    });
  }

  it('prints its version, and the same help for `help study` as for `study --help`; bare, the usage goes to stderr with exit 2', () => {
    const version = run('--version');
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^digit-pairs \d+\.\d+\.\d+/);
    const [help, flag] = [run('help', 'study'), run('study', '--help')];
    assert.equal(help.status, 0);
    assert.equal(help.stdout, flag.stdout);
    assert.match(help.stdout, /--rounds N +rounds per model/);
    const bare = run();
    assert.equal(bare.status, 2);
    assert.equal(bare.stdout, '');
    assert.match(bare.stderr, /Usage:/);
  });

  it('runs a one-round, one-epoch study of the four seed models', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const result = run('study', '--rounds', '1', '--epochs', '1', '--pairs', '100', '--out', out);
    assert.equal(result.status, 0, result.stderr);
    for (const [model, params] of [
      ['baseline', '72,032'],
      ['baseline-aux', '40,692'],
      ['cnn', '67,228'],
      ['cnn-aux', '66,448'],
    ]) {
      assert.match(result.stdout, new RegExp(`^${model} +${params} `, 'm'));
    }
    assert.equal(readdirSync(out).length, 1, 'one run folder');
  });

  it('keeps a finished study and says how to rebuild when its report cannot be built (exit 1)', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    assert.equal(run('study', '--models', 'baseline', '--rounds', '1', '--epochs', '1', '--pairs', '100', '--out', out).status, 0);
    const runDir = join(out, readdirSync(out)[0]!);
    const results = readFileSync(join(runDir, 'results.jsonl'), 'utf8');
    rmSync(join(runDir, 'figures'), { recursive: true });
    writeFileSync(join(runDir, 'figures'), 'a file where the figures folder should be');
    const result = run('study', '--resume', runDir);
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /building the report failed .*the results in .* are complete\. Rebuild it with: digit-pairs report /);
    assert.match(result.stdout, /^baseline +72,032 /m, 'the summary is still printed');
    assert.equal(readFileSync(join(runDir, 'results.jsonl'), 'utf8'), results);
  });

  it('takes a hand-written hparams file holding only the chosen values, and reports it', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const hparams = jsonFile({ chosen: { baseline: { learningRate: 0.002, l2: 0.1 } } });
    const result = run('study', '--models', 'baseline', '--rounds', '1', '--epochs', '1', '--pairs', '100', '--hparams', hparams, '--out', out);
    assert.equal(result.status, 0, result.stderr);
    const [runDir] = readdirSync(out);
    assert.ok(existsSync(join(out, runDir!, 'report.html')));
    assert.match(readFileSync(join(out, runDir!, 'config.json'), 'utf8'), /"learningRate": 0\.002,\s*"l2": 0\.1/);
  });

  it("--protocol authors-code writes both the error as the authors' code computes it and the true pair error", () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-'));
    const result = run('study', '--protocol', 'authors-code', '--models', 'cnn-aux', '--rounds', '2', '--epochs', '1', '--pairs', '100', '--out', out);
    assert.equal(result.status, 0, result.stderr);
    const [summary] = JSON.parse(readFileSync(join(out, readdirSync(out)[0]!, 'summary.json'), 'utf8'));
    assert.equal(summary.asComputed.testMean, summary.testErrorMean / 2);
    assert.equal(summary.asComputed.trainMean, summary.trainErrorMean / 2);
    assert.match(result.stdout, /protocol authors-code, train \/ test error %:\n.*as the authors' code computes/);
  });
});
