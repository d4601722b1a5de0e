/**
 * Nothing lost: a killed study resumes to the same summary, a torn last results line is
 * ignored, a diverging round is recorded as failed and left out of the means.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfig } from '../config.js';
import { type ModelSummary, writeSummary } from '../report/summary.js';
import { RESULTS_FILE, readRecords } from '../run-folder.js';
import { startCli, tempDir } from '../testing/cli.js';
import type { RoundRecord } from '../train/records.js';
import { runStudy } from './study.js';

const FLAGS = ['--models', 'baseline,baseline-aux', '--rounds', '4', '--epochs', '1', '--pairs', '60', '--batch-size', '30', '--workers', '1'];
const config = parseConfig({ models: ['baseline', 'baseline-aux'], rounds: 4, epochs: 1, pairs: 60, batchSize: 30 });
const tmp = () => tempDir('reliability');
/** The summary without wall times, which legitimately differ between runs. */
const numbers = (runDir: string) => (JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as ModelSummary[]).map(({ secondsMean: _, ...s }) => s);

const cli = startCli;

/** Resolves once the run folder under `out` has at least `lines` results. */
async function waitForResults(out: string, lines: number): Promise<string> {
  for (let i = 0; i < 3600; i++) {
    // up to 3 minutes on a busy machine
    const dirs = existsSync(out) ? readdirSync(out) : [];
    if (dirs.length === 1 && readRecords(join(out, dirs[0], RESULTS_FILE)).length >= lines) return join(out, dirs[0]);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the study wrote no results in time');
}

describe('interrupted runs', () => {
  it('resume after a kill (and a torn last line) gives the summary of an uninterrupted run', async () => {
    const reference = tmp();
    writeSummary(reference, config.models, (await runStudy(config, { runDir: reference, workers: 1 })).records);

    const out = tmp();
    const run = cli(['study', ...FLAGS, '--out', out]);
    const runDir = await waitForResults(out, 2);
    run.child.kill('SIGKILL'); // power loss: no chance to clean up
    await run.exited;
    appendFileSync(join(runDir, RESULTS_FILE), '{"model":"baseline","round":3,"sta'); // a write cut short
    const finished = readRecords(join(runDir, RESULTS_FILE)).length;
    assert.ok(finished >= 2 && finished < 8, `${finished} rounds finished before the kill`);

    const resumed = cli(['study', '--resume', runDir]);
    assert.equal(await resumed.exited, 0, resumed.output());
    assert.match(resumed.output(), new RegExp(`${8 - finished} of 8 jobs to run`));
    assert.deepEqual(numbers(runDir), numbers(reference));
  });

  it('SIGTERM stops after saving finished rounds and names the resume command', async () => {
    const out = tmp();
    const run = cli(['study', ...FLAGS, '--out', out]);
    const runDir = await waitForResults(out, 1);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 130);
    assert.match(run.output(), new RegExp(`Resume with:\\n  digit-pairs study --resume ${runDir}`));
    assert.ok(existsSync(join(runDir, 'summary.json')));
  });

  it('refuses to resume with a different config, naming the differing fields', async () => {
    const runDir = tmp();
    await runStudy({ ...config, rounds: 1 }, { runDir, workers: 1 });
    const run = cli(['study', '--resume', runDir, '--epochs', '2', '--rounds', '1']);
    assert.equal(await run.exited, 2);
    assert.match(run.output(), /different config \(--epochs 1 → 2\)/);
  });
});

describe('failed rounds', () => {
  it('records a diverging round as failed and leaves it out of the mean', async () => {
    const runDir = tmp();
    process.env.DIGIT_PAIRS_FAULT = 'nan:baseline:2'; // rounds count from 1 where users see them
    try {
      writeSummary(runDir, config.models, (await runStudy({ ...config, rounds: 3 }, { runDir, workers: 1 })).records);
    } finally {
      delete process.env.DIGIT_PAIRS_FAULT;
    }
    const failed = readRecords<RoundRecord>(join(runDir, RESULTS_FILE)).filter((r) => r.status === 'failed');
    assert.deepEqual(
      failed.map((r) => [r.model, r.round]),
      [['baseline', 1]],
    );
    assert.match(failed[0].status === 'failed' ? failed[0].reason : '', /diverged: loss became NaN in epoch 1/);
    const [baseline] = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as ModelSummary[];
    assert.equal(baseline.rounds, 2);
    assert.deepEqual(
      baseline.failed.map((f) => f.round),
      [1],
    );
    assert.ok(Number.isFinite(baseline.testErrorMean));
    assert.match(readFileSync(join(runDir, 'summary.md'), 'utf8'), /baseline round 2: diverged/);
  });
});
