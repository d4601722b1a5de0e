/**
 * What the user sees while jobs run: on a terminal, an overall bar (epochs done, ETA) and one
 * line per worker (task, epoch, loss); elsewhere (CI, a log file), one line per finished job.
 */
import cliProgress from 'cli-progress';
import type { JobProgress, JobRecord } from '../train/records.js';

export interface Progress {
  epoch(slot: number, p: JobProgress): void;
  record(r: JobRecord): void;
  stop(): void;
}

/**
 * `epochsPerJob` holds each job's epoch count; `describe` turns a finished job's record into one
 * line ("cnn round 3/15: test 21.0% …"). `remote`: the jobs run on other machines, which report
 * no epochs, so the overall bar moves by a whole job's epochs as each job's record arrives.
 */
export function makeProgress(
  epochsPerJob: number[],
  workers: number,
  describe: (r: JobRecord) => string,
  remote?: { epochsOf: (r: JobRecord) => number },
): Progress {
  const totalJobs = epochsPerJob.length;
  const totalEpochs = epochsPerJob.reduce((a, b) => a + b, 0);
  const widest = Math.max(1, ...epochsPerJob);
  let finished = 0;
  const line = (r: JobRecord) => `[${++finished}/${totalJobs}] ${describe(r)}`;
  if (!process.stderr.isTTY) {
    return { epoch() {}, record: (r) => console.error(line(r)), stop() {} };
  }
  const bars = new cliProgress.MultiBar(
    {
      hideCursor: true,
      gracefulExit: false,
      clearOnComplete: false,
      etaBuffer: 50,
      format: ' {bar} {percentage}% | {value}/{total} epochs | ETA {eta_formatted}',
    },
    cliProgress.Presets.shades_classic,
  );
  const overall = bars.create(totalEpochs, 0);
  const slots = Array.from({ length: Math.min(workers, totalJobs) }, () =>
    bars.create(widest, 0, { task: 'starting', loss: '–' }, { format: '   {task}  epoch {value}/{total}  loss {loss}' }),
  );
  return {
    epoch(slot, p) {
      slots[slot]?.setTotal(p.epochs);
      slots[slot]?.update(p.epoch + 1, { task: p.task.padEnd(28), loss: p.loss.toFixed(3) });
      overall.increment();
    },
    record: (r) => {
      if (remote) overall.increment(remote.epochsOf(r));
      bars.log(`${line(r)}\n`);
    },
    stop: () => bars.stop(),
  };
}
