/**
 * Inputs that once crashed or answered poorly (issue #23's table): each now gets one line on
 * stderr naming the file (and line, for a log), what is wrong and what is valid, exit code 2,
 * and no stack trace. Nothing already computed is lost.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readRecords } from '../run-folder.js';
import { runCli, tempDir } from '../testing/cli.js';
import { withTmpfs } from '../testing/tmpfs.js';

const TINY = ['--models', 'baseline', '--rounds', '2', '--epochs', '1', '--pairs', '100', '--workers', '1'];
const onlyRun = (out: string) => join(out, readdirSync(out)[0]!);

/** One line on stderr (the last, after any progress lines), matching `message`, with `status` and no stack trace. */
function assertRefused(result: ReturnType<typeof runCli>, status: number, message: RegExp): void {
  assert.equal(result.status, status, result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at |Error: /, 'no stack trace or error object');
  const lines = result.stderr.trim().split('\n');
  assert.match(lines.at(-1)!, message);
  assert.equal(lines.filter((l) => l.startsWith('digit-pairs:')).length, 1, result.stderr);
}

/** A port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

describe('bad inputs get one line naming the file, and exit 2', () => {
  let runDir = '';
  before(() => {
    const out = tempDir('bad-input');
    const made = runCli(['study', ...TINY, '--out', out]);
    assert.equal(made.status, 0, made.stderr);
    runDir = onlyRun(out);
  });

  /** A copy of the run to damage. */
  const copy = () => {
    const dir = join(tempDir('bad-input-copy'), 'run');
    cpSync(runDir, dir, { recursive: true });
    return dir;
  };

  it('report on a results.jsonl with a line that is not JSON names the file and line; --skip-bad-lines builds from the rest', () => {
    const dir = copy();
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n');
    writeFileSync(join(dir, 'results.jsonl'), [lines[0], '{not json', ...lines.slice(1)].join('\n'));
    assertRefused(runCli(['report', dir]), 2, /results\.jsonl: line 2 is not valid JSON \("\{not json"\).*--skip-bad-lines/);
    const skipped = runCli(['report', dir, '--skip-bad-lines']);
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.match(skipped.stderr, /left out line 2 of .*results\.jsonl \(not JSON\)/);
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /\| baseline \|.*\| 2 \|/, 'both good rounds are summarised');
  });

  it('export twice into the same folder refuses the second', () => {
    const dir = copy();
    const args = ['export', dir, '--model', 'baseline', '--round', '1'];
    assert.equal(runCli(args).status, 0);
    assertRefused(runCli(args), 2, /--out .*baseline-round1: already holds a model \(model\.json\); remove it or give another --out/);
  });

  it('app --out naming a file', () => {
    const file = join(tempDir('bad-input'), 'file');
    writeFileSync(file, '');
    assertRefused(runCli(['app', '--out', file]), 2, /--out .*file: is a file, not a folder/);
  });

  it('--hparams naming a model that does not exist names the file and the valid models', () => {
    const file = join(tempDir('bad-input'), 'h.json');
    writeFileSync(file, JSON.stringify({ chosen: { resnet: { learningRate: 0.1, l2: 0 } } }));
    assertRefused(runCli(['study', '--hparams', file]), 2, /--hparams .*h\.json: unknown model resnet; valid: baseline, baseline-aux, cnn, cnn-aux/);
  });

  it('tune --lr-factors 0 names the flag, not an internal path', () => {
    assertRefused(runCli(['tune', '--lr-factors', '0']), 2, /^digit-pairs: --lr-factors 0: must be greater than 0$/);
  });

  it('a bad config.json under --resume or report names the file and the field', () => {
    const dir = copy();
    const file = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...file, config: { ...file.config, rounds: 'x' } }));
    for (const args of [
      ['report', dir],
      ['study', '--resume', dir],
    ]) {
      assertRefused(runCli(args), 2, /config\.json: config\.rounds x: must be a number \(got string\)/);
    }
    writeFileSync(join(dir, 'config.json'), '{');
    assertRefused(runCli(['report', dir]), 2, /config\.json: not valid JSON/);
  });

  it('a Redis that refuses the connection: host, port and cause', async () => {
    const port = await closedPort();
    assertRefused(
      runCli(['study', '--queue', `redis://127.0.0.1:${port}`], { env: { DIGIT_PAIRS_REDIS_PASSWORD: 's3cret' } }),
      2,
      new RegExp(`--queue redis://127\\.0\\.0\\.1:${port}: cannot reach Redis at 127\\.0\\.0\\.1:${port} \\(connect ECONNREFUSED`),
    );
  });

  it('a disk that fills while the summary is written keeps both rounds and says report rebuilds it', (t) => {
    // 20 KB: config.json, examples.json and the two rounds fit; the summary does not.
    withTmpfs(t, '20k', (dir) => {
      const out = join(dir, 'runs');
      const result = runCli(['study', ...TINY, '--out', out]);
      assertRefused(
        result,
        2,
        /cannot write the summary in .*\(ENOSPC\); every finished round is kept in .*results\.jsonl: make room, then .*digit-pairs report /,
      );
      const run = onlyRun(out);
      assert.equal(readRecords(join(run, 'results.jsonl')).length, 2);
      const summary = join(run, 'summary.json');
      if (existsSync(summary)) JSON.parse(readFileSync(summary, 'utf8')); // whole, or not there: never empty
    });
  });
});
