/**
 * The sides of the full study's speed comparison (./bench.ts, fullStudy), each kept alive for the
 * whole study so that their rounds can be interleaved a few at a time without paying a start-up
 * for each few: our worker threads (src/run/pool.ts, as `digit-pairs study` trains), and PyTorch
 * processes in the reference's `--serve` mode (./reference/torch_study.py), N of one thread each
 * (per core) or one of N threads (per process).
 *
 * Why interleave by rounds: this VM's speed moves by up to 1.5× for minutes at a time, so blocks
 * of 15 rounds run one side after the other could land one side in a slow phase and not the other,
 * and a single run's ratio moved by ±10 %. With every side's rounds r, r + 1 back to back, a slow
 * phase falls on all sides alike.
 *
 * A side's first chunk includes its start-up (threads and wasm, or Python, torch and the digits),
 * once, as a run of the study would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ExperimentConfig } from '../src/config.js';
import type { ModelName } from '../src/models/registry.js';
import { ThreadPool } from '../src/run/pool.js';
import type { RoundRecord } from '../src/train/records.js';

/** One round a side trained: its seconds (training only, start-up excluded) and errors; NaN seconds if it failed. */
export interface SideRound {
  round: number;
  seconds: number;
  testErrorPercent: number;
  /** Ours: the round's record. */
  record?: RoundRecord;
}

/** A chunk of rounds on one side: its rounds, its wall, and how long the side's first-finished process or thread then sat idle. */
export interface Chunk {
  rounds: SideRound[];
  wallSeconds: number;
  idleSeconds: number;
}

export interface Side {
  readonly label: string;
  /** Trains rounds `rounds` of `model`, as many at once as the side has processes or threads. */
  run(model: ModelName, rounds: number[]): Promise<Chunk>;
  /** Peak RSS of one of its processes, KiB (ours: this process, threads included). */
  maxRssKb(): number;
  close(): Promise<void>;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Runs `jobs` at once (each a thread's or a process's share of a chunk, in order); the chunk's
 * wall, and the time from the first job's end to the last's.
 */
async function timed(jobs: (() => Promise<SideRound[]>)[]): Promise<Chunk> {
  const started = performance.now();
  const ends: number[] = [];
  const shares = await Promise.all(
    jobs.map(async (job) => {
      const rounds = await job();
      ends.push(seconds(started));
      return rounds;
    }),
  );
  const wallSeconds = seconds(started);
  return { rounds: shares.flat().sort((a, b) => a.round - b.round), wallSeconds, idleSeconds: wallSeconds - Math.min(...ends) };
}

/** Our study's rounds on `workers` threads (one per core), trained as `config` says (exact or --fast). */
export function ourSide(label: string, config: ExperimentConfig, workers: number): Side {
  let pool: ThreadPool | undefined;
  return {
    label,
    run(model, rounds) {
      pool ??= new ThreadPool(workers);
      const threads = pool;
      return timed(
        rounds.map((round) => async () => {
          const output = await threads.submit({ model, round }, config);
          if (output === undefined) throw new Error(`${label}: the pool closed before ${model} round ${round} finished`);
          const record = output.record as RoundRecord;
          const ok = record.status === 'ok';
          return [{ round, seconds: ok ? record.seconds : Number.NaN, testErrorPercent: ok ? record.testErrorPercent : Number.NaN, record }];
        }),
      );
    },
    maxRssKb: () => process.resourceUsage().maxRSS,
    close: async () => pool?.close(),
  };
}

/** One reference process in --serve mode: rounds asked on stdin, one JSON line back per round. */
class TorchServer {
  private readonly waiting: { resolve(line: Record<string, unknown>): void; reject(e: Error): void }[] = [];
  private exited: string | undefined;
  peakKb = 0;

  private constructor(private readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const next = this.waiting.shift();
      try {
        next?.resolve(JSON.parse(line) as Record<string, unknown>);
      } catch {
        next?.reject(new Error(`the PyTorch reference printed a line that is not JSON: ${line.slice(0, 200)}`));
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = `the PyTorch reference exited (${signal ?? `code ${code}`})`;
      for (const w of this.waiting.splice(0)) w.reject(new Error(this.exited));
    });
  }

  private next(): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Starts the process and waits for its ready line. */
  static async start(python: string, args: string[]): Promise<TorchServer> {
    const server = new TorchServer(spawn(python, [...args, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const ready = await server.next();
    if (ready.ready !== true) throw new Error(`the PyTorch reference did not start: ${JSON.stringify(ready)}`);
    return server;
  }

  async round(model: ModelName, round: number): Promise<SideRound> {
    const answer = this.next();
    this.child.stdin!.write(`${model} ${round}\n`);
    const r = (await answer) as { round: number; seconds: number; testErrorPercent: number; maxRssKb: number };
    this.peakKb = Math.max(this.peakKb, r.maxRssKb);
    return { round: r.round, seconds: r.seconds, testErrorPercent: r.testErrorPercent };
  }

  close(): void {
    this.child.stdin!.end();
  }
}

/**
 * PyTorch: `processes` processes of `threads` intra-op threads each, started on first use with
 * the reference's arguments `args`. A chunk's rounds go one per process (per core: N × 1 thread,
 * how a PyTorch user with N cores runs independent rounds), or with one process one after the
 * other (per process: 1 × N threads, PyTorch's default).
 */
export function torchSide(label: string, python: string, args: (threads: number) => string[], processes: number, threads: number): Side {
  let servers: Promise<TorchServer[]> | undefined;
  let live: TorchServer[] = [];
  return {
    label,
    run(model, rounds) {
      // Started inside the first chunk's timing: its start-up counts once, as in a run of its own.
      servers ??= Promise.all(Array.from({ length: processes }, () => TorchServer.start(python, args(threads))));
      const started = servers;
      const shares = Array.from({ length: processes }, (_, p) => rounds.filter((_, k) => k % processes === p));
      return timed(
        shares
          .map((share, p) => async () => {
            live = await started;
            const out: SideRound[] = [];
            for (const r of share) out.push(await live[p]!.round(model, r));
            return out;
          })
          .filter((_, p) => shares[p]!.length > 0),
      );
    },
    maxRssKb: () => Math.max(0, ...live.map((s) => s.peakKb)),
    async close() {
      for (const s of (await servers) ?? []) s.close();
    },
  };
}
