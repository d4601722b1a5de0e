/**
 * `node dist/bench/same-rounds.js EXPECTED.jsonl ACTUAL.jsonl`: whether two results logs hold the
 * same rounds in every field EXPECTED holds but the wall time and the machine (seconds, host,
 * node, arch) — how a change is shown not to move any number of a committed run. Fields that
 * only ACTUAL has (added to the records after EXPECTED was written) are named, not compared.
 * Exit 0 when all are equal.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { jobKey, latestRecords } from '../src/run-folder.js';
import { roundNumbers } from '../src/testing/records.js';
import type { RoundRecord } from '../src/train/records.js';

const read = (path: string) =>
  roundNumbers(
    latestRecords(
      readFileSync(path, 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as RoundRecord),
    ),
  );

const [expectedPath, actualPath] = process.argv.slice(2);
if (!expectedPath || !actualPath) {
  console.error('usage: node dist/bench/same-rounds.js EXPECTED.jsonl ACTUAL.jsonl');
  process.exit(2);
}
const expected = read(expectedPath);
const actual = new Map(read(actualPath).map((r) => [jobKey(r), r]));
/** `record` cut to the fields `like` has. */
const fieldsOf = (record: object | undefined, like: object) =>
  record && Object.fromEntries(Object.keys(like).map((k) => [k, (record as Record<string, unknown>)[k]]));
const differing = expected.filter((r) => !isDeepStrictEqual(r, fieldsOf(actual.get(jobKey(r)), r)));
const extra = new Set([...actual.values()].flatMap((r) => Object.keys(r)).filter((k) => !expected.some((e) => k in e)));
if (extra.size) console.log(`fields only in ${actualPath} (not compared): ${[...extra].join(', ')}`);
for (const r of differing.slice(0, 10)) console.log(`differs: ${r.model} round ${r.round + 1}${actual.has(jobKey(r)) ? '' : ' (missing)'}`);
console.log(
  `${expected.length - differing.length}/${expected.length} rounds identical in every field of the expected log but seconds (${actual.size} rounds in ${actualPath})`,
);
process.exit(differing.length || actual.size !== expected.length ? 1 : 0);
