import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { codeRevision } from './folder.js';

describe('codeRevision', () => {
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), 'digit-pairs-rev-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'digit-pairs', version: '9.8.7' }));
    return dir;
  };
  const git = (dir: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();

  it('gives the version alone outside a git checkout', () => {
    assert.deepEqual(codeRevision(project()), { digitPairs: '9.8.7' });
  });

  it('gives the commit of a checkout, marked +dirty when a tracked file changed', () => {
    const dir = project();
    git(dir, 'init', '-q');
    git(dir, 'add', 'package.json');
    git(dir, 'commit', '-qm', 'first');
    const head = git(dir, 'rev-parse', '--short=12', 'HEAD');
    assert.deepEqual(codeRevision(dir), { digitPairs: '9.8.7', commit: head });
    writeFileSync(join(dir, 'untracked.txt'), 'not part of the code');
    assert.equal(codeRevision(dir).commit, head);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'digit-pairs', version: '9.8.7', x: 1 }));
    assert.equal(codeRevision(dir).commit, `${head}+dirty`);
  });

  it('finds this project from the compiled file', () => {
    assert.match(codeRevision().digitPairs, /^\d+\.\d+\.\d+/);
  });
});
