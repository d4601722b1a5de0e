import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config.js';
import { ourSide, torchSide } from './sides.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'); // dist/bench → project root
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy']).status === 0;

describe('bench sides: kept alive between chunks of rounds', () => {
  it('ours: each chunk trains the rounds asked, as a study would, on threads started once', async () => {
    const config = parseConfig({ models: ['baseline'], rounds: 3, epochs: 1, pairs: 100, evalEveryEpoch: false });
    const side = ourSide('ours', config, 2);
    try {
      const first = await side.run('baseline', [0, 1]);
      const second = await side.run('baseline', [2]);
      assert.deepEqual(
        [...first.rounds, ...second.rounds].map((r) => [r.round, r.record?.status, r.record?.round]),
        [
          [0, 'ok', 0],
          [1, 'ok', 1],
          [2, 'ok', 2],
        ],
      );
      for (const chunk of [first, second]) {
        for (const r of chunk.rounds)
          assert.ok(r.seconds > 0 && r.seconds <= chunk.wallSeconds, `round ${r.round}: ${r.seconds} s in a ${chunk.wallSeconds} s chunk`);
        assert.ok(chunk.idleSeconds >= 0 && chunk.idleSeconds <= chunk.wallSeconds);
      }
      // The same round trained again gives the same numbers (seeded by the round alone).
      const again = await side.run('baseline', [1]);
      assert.equal(again.rounds[0]!.testErrorPercent, first.rounds[1]!.testErrorPercent);
      assert.ok(side.maxRssKb() > 0);
    } finally {
      await side.close();
    }
  });

  it('PyTorch (--serve): one round per process per chunk, the same results as the one-shot script', {
    skip: hasTorch ? false : `${PYTHON} cannot import torch`,
  }, async () => {
    const args = (threads: number) => [
      join(ROOT, 'bench', 'reference', 'torch_study.py'),
      ...['--models', 'baseline', '--rounds', '3', '--epochs', '1', '--pairs', '100', '--threads', String(threads)],
    ];
    const side = torchSide('PyTorch 2×1', PYTHON, args, 2, 1);
    try {
      const chunk = await side.run('baseline', [1, 2]);
      assert.deepEqual(
        chunk.rounds.map((r) => r.round),
        [1, 2],
      );
      const oneShot = JSON.parse(spawnSync(PYTHON, [...args(1), '--round-list', '1,2'], { encoding: 'utf8' }).stdout) as {
        models: { baseline: { rounds: { testErrorPercent: number }[] } };
      };
      assert.deepEqual(
        chunk.rounds.map((r) => r.testErrorPercent),
        oneShot.models.baseline.rounds.map((r) => r.testErrorPercent),
      );
      assert.ok(side.maxRssKb() > 0);
    } finally {
      await side.close();
    }
    // A process that dies fails the chunk with its exit, rather than leaving it waiting.
    const broken = torchSide('PyTorch 1×1', PYTHON, args, 1, 1);
    await assert.rejects(broken.run('no-such-model' as never, [0]), /the PyTorch reference exited \(code 1\)/);
    await broken.close();
  });
});
