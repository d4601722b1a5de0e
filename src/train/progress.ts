/**
 * What the user sees while a study runs: on a terminal, an overall bar (epochs done, ETA) and
 * one line per worker (model, round, epoch, loss); elsewhere (CI, a log file), one line per
 * finished round.
 */
import cliProgress from 'cli-progress';
import type { RoundRecord } from './results-log.js';
import type { RoundProgress } from './round.js';

export interface Progress {
  epoch(slot: number, p: RoundProgress): void;
  record(r: RoundRecord): void;
  stop(): void;
}

export function makeProgress(totalJobs: number, epochsPerJob: number, workers: number, rounds: number): Progress {
  let finished = 0;
  const line = (r: RoundRecord) =>
    `[${finished}/${totalJobs}] ${r.model} round ${r.round + 1}/${rounds}: ` +
    (r.status === 'ok'
      ? `train ${r.trainErrorPercent.toFixed(1)}%  test ${r.testErrorPercent.toFixed(1)}%  (${r.seconds.toFixed(1)} s)`
      : `FAILED (${r.reason})`);

  if (!process.stderr.isTTY) {
    return {
      epoch() {},
      record(r) {
        finished++;
        console.error(line(r));
      },
      stop() {},
    };
  }
  const bars = new cliProgress.MultiBar(
    { hideCursor: true, gracefulExit: false, clearOnComplete: false, etaBuffer: 50, format: ' {bar} {percentage}% | {value}/{total} epochs | ETA {eta_formatted}' },
    cliProgress.Presets.shades_classic,
  );
  const overall = bars.create(totalJobs * epochsPerJob, 0);
  const slots = Array.from({ length: Math.min(workers, totalJobs) }, () =>
    bars.create(epochsPerJob, 0, { task: 'starting' }, { format: '   {task} epoch {value}/{total} loss {loss}' }),
  );
  return {
    epoch(slot, p) {
      slots[slot]?.update(p.epoch + 1, { task: `${p.model.padEnd(12)} round ${p.round + 1}/${rounds}`, loss: p.loss.toFixed(3) });
      overall.increment();
    },
    record(r) {
      finished++;
      bars.log(line(r) + '\n');
    },
    stop() {
      bars.stop();
    },
  };
}
