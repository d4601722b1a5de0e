/**
 * A chaos run of the queue (issue #24): a queued study on 3 `digit-pairs worker` processes and a
 * redis-server of its own, while faults drawn from a seeded RNG kill, freeze and stop workers,
 * restart Redis with and without its data, kill and resume the coordinator, and fill its disk.
 * At the end it checks what a user relies on: every round landed exactly once and equals a local
 * run's, every SIGTERM was honoured within the bound, and no process is left. `npm run chaos`
 * (bench/chaos.ts) runs it for minutes; src/run/chaos.test.ts runs a short one in `npm test`.
 *
 * Fault moments are fractions of the run's progress (jobs the workers trained), not of wall time:
 * a slow or busy machine then sees the same faults at the same points of the run, only later.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { makeRng, type Rng } from '../rng.js';
import { jobKey, latestRecords, readRecords } from '../run-folder.js';
import type { RoundRecord } from '../train/records.js';
import { CLI } from './cli.js';
import { roundNumbers } from './records.js';

export const FAULT_KINDS = [
  'kill-worker',
  'freeze-worker',
  'stop-worker',
  'redis-restart-kept',
  'redis-restart-lost',
  'kill-coordinator',
  'fill-disk',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What a user is promised for a SIGTERM: the worker's --stop-seconds (25) and 5 s for Redis fit a 30 s grace period. */
export const SIGTERM_BOUND_SECONDS = 30;

export interface ChaosOptions {
  seed: number;
  models: string[];
  rounds: number;
  epochs: number;
  pairs: number;
  /** Faults to inject (their kinds drawn so that each of `kinds` comes at least once when there are enough). */
  faults: number;
  kinds?: readonly FaultKind[];
  /** Worker processes (each one thread). */
  workers?: number;
  /** --lock-seconds of workers and coordinator: a frozen worker is frozen past it. */
  lockSeconds?: number;
  /** The whole run gives up (and fails) after this many seconds. */
  deadlineSeconds: number;
  /** Where logs, the reference run and Redis's files go (default: a fresh temp folder). */
  dir?: string;
  /** Progress lines (faults as they are injected). */
  log?: (line: string) => void;
}

export interface ChaosSummary {
  seed: number;
  dir: string;
  jobs: number;
  seconds: { reference: number; chaos: number };
  faults: Record<FaultKind, number>;
  /** Faults planned but not injected because the run had already finished. */
  notInjected: number;
  /** What the faults led to, as the product is documented to do (resumes, refusals, late results refused). */
  consequences: Record<string, number>;
  landed: number;
  duplicates: number;
  lost: number;
  failedRounds: number;
  equalToLocal: boolean;
  differingRounds: number;
  sigterms: { sent: number; slowestSeconds: number; late: number };
  processesLeft: string[];
  /** Anything unexpected: a process that exited by itself, a message that is not one of the product's documented ones. */
  anomalies: string[];
  /** The checks that failed (empty: all passed). */
  failures: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A process this run started, with how it ended and whether the run itself signalled it. */
interface Proc {
  name: string;
  child: ChildProcess;
  logPath: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set before the run signals it, so its exit is not an anomaly. */
  signalled?: NodeJS.Signals;
  running(): boolean;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** The faults in order: each drawn kind at a drawn fraction of the run's progress. */
export function planFaults(rng: Rng, count: number, kinds: readonly FaultKind[]): { at: number; kind: FaultKind }[] {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng.next() * items.length)]!;
  const list: FaultKind[] = count >= kinds.length ? [...kinds] : [];
  while (list.length < count) list.push(pick(kinds));
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  // Not at the very start (the workers are still loading) nor at the very end (nothing left to hurt).
  const at = list.map(() => 0.05 + 0.85 * rng.next()).sort((a, b) => a - b);
  return list.map((kind, i) => ({ at: at[i]!, kind }));
}

/** Counts of the processes a chaos run started, and a way to end them all (for a test's `after`). */
export class Chaos {
  private readonly procs: Proc[] = [];
  /** Every child carries this in its environment, so a process it left can be found even by another pid. */
  private readonly mark = `chaos-${process.pid}-${Date.now()}`;
  private mounted: string | undefined;
  /** Set by killAll: from then on nothing is started again (a test that timed out must not see its run carry on). */
  private aborted = false;

  constructor(private readonly options: ChaosOptions) {}

  /** SIGCONT and SIGKILL whatever is still running, and unmounts the disk: safe to call twice. */
  killAll(): void {
    this.aborted = true;
    for (const p of this.procs) {
      if (!p.running()) continue;
      p.signalled ??= 'SIGKILL';
      p.child.kill('SIGCONT');
      p.child.kill('SIGKILL');
    }
    if (this.mounted) {
      try {
        execFileSync('umount', ['-l', this.mounted], { stdio: 'ignore' });
      } catch {}
      this.mounted = undefined;
    }
  }

  private start(name: string, command: string, args: string[], logDir: string): Proc {
    if (this.aborted) throw new Error(`the chaos run was stopped; not starting ${name}`);
    const logPath = join(logDir, `${name}.log`);
    const fd = openSync(logPath, 'a');
    const child = spawn(command, args, { env: { ...process.env, DIGIT_PAIRS_CHAOS: this.mark }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let ended = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => {
        ended = true;
        resolve({ code, signal });
      }),
    );
    const proc: Proc = { name, child, logPath, exited, running: () => !ended };
    this.procs.push(proc);
    return proc;
  }

  /** Processes of this run still alive: the ones it started, and any other carrying its mark (a child of a child). */
  processesLeft(): string[] {
    const left = this.procs.filter((p) => p.running()).map((p) => `${p.name} (pid ${p.child.pid})`);
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      if (this.procs.some((p) => String(p.child.pid) === pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`DIGIT_PAIRS_CHAOS=${this.mark}`)) left.push(`pid ${pid} (unknown)`);
      } catch {} // gone meanwhile, or not ours to read
    }
    return left;
  }

  async run(): Promise<ChaosSummary> {
    try {
      return await this.runUnguarded();
    } finally {
      this.killAll();
    }
  }

  private async runUnguarded(): Promise<ChaosSummary> {
    const o = this.options;
    const log = o.log ?? (() => {});
    const rng = makeRng(o.seed, 'chaos');
    const pick = <T>(items: readonly T[]) => items[Math.floor(rng.next() * items.length)]!;
    const between = (lo: number, hi: number) => lo + (hi - lo) * rng.next();
    const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'chaos-'));
    const logs = join(dir, 'logs');
    mkdirSync(logs, { recursive: true });
    const lock = o.lockSeconds ?? 2;
    const workerCount = o.workers ?? 3;
    let kinds = [...(o.kinds ?? FAULT_KINDS)];
    const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
    const consequences: Record<string, number> = {};
    const note = (what: string) => {
      consequences[what] = (consequences[what] ?? 0) + 1;
    };
    const anomalies: string[] = [];
    const study = ['--models', o.models.join(','), '--rounds', String(o.rounds), '--epochs', String(o.epochs), '--pairs', String(o.pairs), '--seed', '0'];
    const jobs = o.models.length * o.rounds;
    const begun = performance.now();
    const elapsed = () => (performance.now() - begun) / 1000;
    const pastDeadline = () => elapsed() > o.deadlineSeconds;

    // The reference: the same study on this machine's threads, no queue, no faults.
    log(`reference: the study locally (${jobs} jobs)`);
    const reference = this.start('reference', process.execPath, [CLI, 'study', ...study, '--workers', '2', '--out', join(dir, 'reference')], logs);
    const referenceExit = await reference.exited;
    if (referenceExit.code !== 0) throw new Error(`the local reference run failed (${JSON.stringify(referenceExit)}); see ${reference.logPath}`);
    const referenceDir = join(dir, 'reference', readdirSync(join(dir, 'reference'))[0]!);
    const referenceRecords = readRecords<RoundRecord>(join(referenceDir, 'results.jsonl'));
    const referenceSeconds = elapsed();

    // The coordinator's disk: a small tmpfs that a fault can fill (as the full-disk test does); without root, no such fault.
    const disk = join(dir, 'disk');
    mkdirSync(disk, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', disk], { stdio: 'ignore' });
      this.mounted = disk;
    } catch {
      if (process.env.CI) throw new Error(`cannot mount a tmpfs at ${disk}, and CI must run the full-disk fault (run as root)`);
      log('cannot mount a tmpfs here (needs root): no fill-disk faults');
      kinds = kinds.filter((k) => k !== 'fill-disk');
    }
    const out = join(disk, 'runs');

    const plan = planFaults(rng, o.faults, kinds);
    // Each Redis incarnation persists (AOF, fsync always) exactly when its own end is a restart that keeps the data.
    const redisFates = plan.filter((f) => f.kind.startsWith('redis-')).map((f) => f.kind === 'redis-restart-kept');
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}/0`;
    const aofDir = join(dir, 'redis-aof');
    const emptyDir = join(dir, 'redis-none');
    mkdirSync(emptyDir, { recursive: true });
    let redis: Proc | undefined;
    let incarnation = 0;
    let persistent = false;
    const startRedis = async () => {
      const keep = redisFates[incarnation] ?? true;
      // A persistent Redis after a volatile one starts empty, as the volatile one ended: no stale file brought back.
      if (keep && !persistent) rmSync(aofDir, { recursive: true, force: true });
      mkdirSync(aofDir, { recursive: true });
      const mode = keep ? ['--dir', aofDir, '--appendonly', 'yes', '--appendfsync', 'always'] : ['--dir', emptyDir, '--appendonly', 'no'];
      const server = this.start(`redis-${incarnation}`, 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...mode], logs);
      redis = server;
      void server.exited.then(({ code, signal }) => {
        if (!server.signalled) anomalies.push(`${server.name} exited by itself (code ${code}, signal ${signal}): ${lastLine(server.logPath)}`);
      });
      persistent = keep;
      incarnation++;
      for (let i = 0; i < 200; i++) {
        const pong = await new Promise<string>((resolve) => execFile('redis-cli', ['-p', String(port), 'ping'], (_e, stdout) => resolve(stdout ?? '')));
        if (pong.includes('PONG')) return;
        if (!server.running()) break;
        await sleep(50);
      }
      throw new Error(`redis-server did not start on port ${port}; see ${server.logPath}`);
    };
    await startRedis();

    // Workers: a fixed number of slots, each refilled when its process is killed or stopped.
    const slots: (Proc | undefined)[] = [];
    const busy = new Set<number>();
    let workersStarted = 0;
    const sigterms: number[] = [];
    let lateSigterms = 0;
    let stopping = false;
    const startWorker = (slot: number): void => {
      if (this.aborted) return;
      // Some workers finish their jobs when stopped, others return them at once: both paths are exercised.
      const stopSeconds = pick(['0', '2']);
      const args = [CLI, 'worker', '--queue', url, '--workers', '1', '--lock-seconds', String(lock), '--stop-seconds', stopSeconds];
      const p = this.start(`worker-${workersStarted++}`, process.execPath, args, logs);
      slots[slot] = p;
      log(`  ${p.name} started in slot ${slot}`);
      void p.exited.then(async ({ code, signal }) => {
        if (p.signalled || stopping) return;
        const last = lastLine(p.logPath);
        // Started while Redis was down: refused in one line (exit 2), as documented; a process manager starts it again.
        if (code === 2 && /cannot reach Redis/.test(last)) note('worker refused to start without Redis (exit 2), started again');
        else anomalies.push(`${p.name} exited by itself (code ${code}, signal ${signal}): ${last}`);
        await sleep(1000);
        if (slots[slot] === p && !stopping) startWorker(slot);
      });
    };
    for (let i = 0; i < workerCount; i++) startWorker(i);
    /** SIGTERM, timed: a worker must be gone within the bound. */
    const terminate = async (p: Proc) => {
      p.signalled = 'SIGTERM';
      const since = performance.now();
      p.child.kill('SIGTERM');
      const late = setTimeout(() => p.child.kill('SIGKILL'), (SIGTERM_BOUND_SECONDS + 10) * 1000);
      await p.exited;
      clearTimeout(late);
      const seconds = (performance.now() - since) / 1000;
      sigterms.push(seconds);
      if (seconds > SIGTERM_BOUND_SECONDS) {
        lateSigterms++;
        anomalies.push(`${p.name} took ${seconds.toFixed(1)} s to honour SIGTERM: ${lastLine(p.logPath)}`);
      }
    };

    // The coordinator: restarted with --resume whenever it ends before the run is complete.
    let coordinator: Proc | undefined;
    let finished = false;
    let runDir: string | undefined;
    let sessions = 0;
    const resultsPath = () => (runDir ? join(runDir, 'results.jsonl') : undefined);
    /** Jobs the workers have trained so far (a job trained twice counts twice): it goes on while the coordinator is down. */
    const progress = () =>
      this.procs
        .filter((p) => p.name.startsWith('worker-'))
        .reduce((sum, p) => sum + (readFileSync(p.logPath, 'utf8').match(/ round \d+: (ok|failed|diverged)$/gm)?.length ?? 0), 0);
    const restartDelay = new WeakMap<Proc, number>();
    const findRunDir = () => {
      if (!runDir && existsSync(out) && readdirSync(out).length) runDir = join(out, readdirSync(out)[0]!);
      return runDir;
    };
    // A coordinator that never ends would hold the run past its deadline: end it there.
    const watchdog = setInterval(() => {
      if (!pastDeadline() || !coordinator) return;
      coordinator.signalled = 'SIGKILL';
      coordinator.child.kill('SIGKILL');
    }, 1000);
    const supervised = (async () => {
      while (!pastDeadline() && !this.aborted) {
        const args = runDir ? ['--resume', runDir] : [...study, '--out', out];
        const p = this.start(
          `coordinator-${sessions++}`,
          process.execPath,
          [CLI, 'study', ...args, '--queue', url, '--workers', '0', '--lock-seconds', String(lock)],
          logs,
        );
        coordinator = p;
        const { code } = await p.exited;
        coordinator = undefined;
        findRunDir();
        if (code === 0) {
          finished = true;
          return;
        }
        if (p.signalled) {
          await sleep(restartDelay.get(p) ?? 1000);
          continue;
        }
        const last = lastLine(p.logPath);
        if (/ENOSPC|no space/i.test(last)) note('coordinator stopped on the full disk (exit 1), resumed');
        else if (/cannot reach Redis/.test(last)) note('coordinator refused to start without Redis (exit 2), started again');
        else anomalies.push(`${p.name} exited with ${code}: ${last}`);
        if (!runDir) throw new Error(`the coordinator stopped before making its run folder; see ${p.logPath}`);
        await sleep(1000);
      }
    })();

    // Faults start once the run folder exists and the workers have loaded.
    while (!pastDeadline() && !finished && !findRunDir()) await sleep(100);
    const chaosBegun = performance.now();

    const episodes: Promise<void>[] = [];
    const queues = new Map<string, Promise<void>>();
    /** One fault at a time on each of Redis, the coordinator and its disk; workers are picked among the unbusy ones. */
    const exclusive = (resource: string, body: () => Promise<void>) => {
      const next = (queues.get(resource) ?? Promise.resolve()).then(body);
      queues.set(resource, next);
      return next;
    };
    /** A running worker that no other fault holds, taken for this one (in the same tick as the check: two faults never share one). */
    const takeSlot = async (): Promise<number> => {
      while (!pastDeadline()) {
        const free = slots.map((_, i) => i).filter((i) => !busy.has(i) && slots[i]?.running());
        if (free.length) {
          const slot = pick(free);
          busy.add(slot);
          return slot;
        }
        await sleep(100);
      }
      throw new Error('no worker to inject a fault into before the deadline');
    };
    const onWorker = async (body: (p: Proc, slot: number) => Promise<void>) => {
      const slot = await takeSlot();
      log(`  on ${slots[slot]!.name} (slot ${slot})`);
      try {
        await body(slots[slot]!, slot);
      } finally {
        busy.delete(slot);
      }
    };
    const inject: Record<FaultKind, () => Promise<void>> = {
      'kill-worker': () =>
        onWorker(async (p, slot) => {
          p.signalled = 'SIGKILL';
          p.child.kill('SIGKILL');
          await p.exited;
          startWorker(slot);
        }),
      'freeze-worker': () =>
        onWorker(async (p) => {
          p.child.kill('SIGSTOP');
          // Past its lock and past the next stalled-job check of the other workers: its job goes to another.
          await sleep((2 * lock + between(1, 3)) * 1000);
          p.child.kill('SIGCONT');
          // Time for its late result to reach Redis (and be refused) before it might be picked again.
          await sleep(2000);
        }),
      'stop-worker': () =>
        onWorker(async (p, slot) => {
          const stopped = terminate(p);
          startWorker(slot);
          await stopped;
        }),
      'redis-restart-kept': () => exclusive('redis', () => this.restartRedis(redis!, between(0.5, 4), startRedis)),
      'redis-restart-lost': () => exclusive('redis', () => this.restartRedis(redis!, between(0.5, 4), startRedis)),
      'kill-coordinator': () =>
        exclusive('coordinator', async () => {
          for (let i = 0; i < 600 && !coordinator && !finished; i++) await sleep(50);
          const p = coordinator;
          if (!p || finished) return;
          restartDelay.set(p, between(0.5, 3) * 1000);
          p.signalled = 'SIGKILL';
          p.child.kill('SIGKILL');
          await p.exited;
        }),
      'fill-disk': () => exclusive('coordinator', () => fillFor(disk, between(2, 5) * 1000)),
    };
    for (const fault of plan) {
      while (!finished && !pastDeadline() && progress() < fault.at * jobs) await sleep(100);
      if (finished || pastDeadline() || this.aborted) continue;
      faults[fault.kind]++;
      log(`${elapsed().toFixed(1)} s, ${progress()}/${jobs} trained: ${fault.kind}`);
      episodes.push(inject[fault.kind]());
    }
    const notInjected = plan.length - Object.values(faults).reduce((a, b) => a + b, 0);
    await Promise.all(episodes);
    await supervised.finally(() => clearInterval(watchdog));
    const chaosSeconds = (performance.now() - chaosBegun) / 1000;
    if (!finished) anomalies.push(`the run did not finish within ${o.deadlineSeconds} s`);

    // The end, as a process manager does it: SIGTERM every worker, timed.
    stopping = true;
    log('stopping the workers (SIGTERM)');
    await Promise.all(slots.filter((p): p is Proc => p?.running() === true).map(terminate));
    if (redis?.running()) {
      redis.signalled = 'SIGTERM';
      redis.child.kill('SIGTERM');
      await Promise.race([redis.exited, sleep(10_000)]);
    }

    for (const p of this.procs.filter((p) => p.name.startsWith('worker-'))) {
      // BullMQ says each refusal twice (the result, then the failure it tries instead): count jobs, not lines.
      const refusals = readFileSync(p.logPath, 'utf8').match(/Missing (lock|key) for job \S+/g) ?? [];
      for (const refusal of new Set(refusals)) {
        note(
          refusal.startsWith('Missing lock')
            ? "a late result refused (the job's lock had passed to another worker)"
            : 'a late result refused (Redis had lost the job)',
        );
      }
    }
    const results = resultsPath();
    const lines = results && existsSync(results) ? readRecords<RoundRecord>(results) : [];
    if (results && existsSync(results)) copyFileSync(results, join(dir, 'results.jsonl'));
    if (this.mounted) {
      execFileSync('umount', [this.mounted]);
      this.mounted = undefined;
    }
    const keys = lines.map(jobKey);
    const present = new Set(keys);
    const lost = referenceRecords.filter((r) => !present.has(jobKey(r))).length;
    const mine = roundNumbers(latestRecords(lines));
    const theirs = roundNumbers(referenceRecords);
    const differingRounds = theirs.filter((r) => !mine.some((m) => isDeepStrictEqual(m, r))).length;
    // Let the kernel finish reaping before looking for what is left.
    await sleep(200);
    const summary: ChaosSummary = {
      seed: o.seed,
      dir,
      jobs,
      seconds: { reference: referenceSeconds, chaos: chaosSeconds },
      faults,
      notInjected,
      consequences,
      landed: present.size,
      duplicates: keys.length - present.size,
      lost,
      failedRounds: lines.filter((r) => r.status !== 'ok').length,
      equalToLocal: isDeepStrictEqual(mine, theirs),
      differingRounds,
      sigterms: { sent: sigterms.length, slowestSeconds: Math.max(0, ...sigterms), late: lateSigterms },
      processesLeft: this.processesLeft(),
      anomalies,
      failures: [],
    };
    summary.failures = checks(summary);
    return summary;
  }

  /** SIGKILL Redis, leave it down for `downSeconds`, start the next incarnation (which keeps the data if this one persisted it). */
  private async restartRedis(redis: Proc, downSeconds: number, start: () => Promise<void>): Promise<void> {
    redis.signalled = 'SIGKILL';
    redis.child.kill('SIGKILL');
    await redis.exited;
    await sleep(downSeconds * 1000);
    await start();
  }
}

/** The checks a chaos run must pass, as failure messages. */
export function checks(s: ChaosSummary): string[] {
  const failures: string[] = [];
  if (s.landed !== s.jobs) failures.push(`${s.landed} of ${s.jobs} rounds landed`);
  if (s.duplicates) failures.push(`${s.duplicates} rounds landed more than once`);
  if (s.lost) failures.push(`${s.lost} rounds lost`);
  if (!s.equalToLocal) failures.push(`the results differ from the local run (${s.differingRounds} rounds differ)`);
  if (s.sigterms.late) failures.push(`${s.sigterms.late} SIGTERMs not honoured within ${SIGTERM_BOUND_SECONDS} s`);
  if (s.processesLeft.length) failures.push(`processes left: ${s.processesLeft.join(', ')}`);
  if (s.anomalies.length) failures.push(`${s.anomalies.length} anomalies`);
  return failures;
}

/** The last non-empty line of a log. */
function lastLine(path: string): string {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  return lines.at(-1) ?? '';
}

/** Fills the filesystem at `dir` to the last byte, holds it full for `ms`, and frees it again. */
async function fillFor(dir: string, ms: number): Promise<void> {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 4096, 1]) {
      const chunk = Buffer.alloc(size);
      try {
        for (;;) writeSync(fd, chunk);
      } catch {} // ENOSPC: on to smaller chunks, down to the last byte
    }
  } finally {
    closeSync(fd);
  }
  await sleep(ms);
  rmSync(path, { force: true });
}

/** The summary as printed: one line per measure. */
export function formatSummary(s: ChaosSummary): string {
  const kinds = FAULT_KINDS.map((k) => `${k} ${s.faults[k]}`).join(', ');
  const total = Object.values(s.faults).reduce((a, b) => a + b, 0);
  return [
    `faults injected: ${total} (${kinds})${s.notInjected ? `; ${s.notInjected} planned after the run had finished` : ''}`,
    ...Object.entries(s.consequences).map(([what, n]) => `  ${what}: ${n}`),
    `rounds landed: ${s.landed} of ${s.jobs}; duplicates: ${s.duplicates}; rounds lost: ${s.lost}; failed rounds: ${s.failedRounds}`,
    `equal to the local run round for round: ${s.equalToLocal ? 'yes' : `no (${s.differingRounds} rounds differ)`}`,
    `SIGTERMs sent: ${s.sigterms.sent}; slowest exit ${s.sigterms.slowestSeconds.toFixed(1)} s (bound ${SIGTERM_BOUND_SECONDS} s); late: ${s.sigterms.late}`,
    `processes left: ${s.processesLeft.length}${s.processesLeft.length ? ` (${s.processesLeft.join(', ')})` : ''}`,
    `anomalies: ${s.anomalies.length}`,
    ...s.anomalies.map((a) => `  ${a}`),
    `time: reference ${s.seconds.reference.toFixed(0)} s, chaos ${s.seconds.chaos.toFixed(0)} s; logs in ${s.dir}`,
    s.failures.length ? `FAILED: ${s.failures.join('; ')}` : 'all checks passed',
  ].join('\n');
}
