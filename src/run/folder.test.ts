import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { codeRevision, createRunDir, ensureWritableDir } from './folder.js';

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

describe('createRunDir', () => {
  it('never gives two runs started in the same second the same folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'digit-pairs-same-second-'));
    const dirs = Array.from({ length: 4 }, () => createRunDir(root));
    assert.equal(new Set(dirs).size, 4, dirs.join(', '));
    for (const dir of dirs) assert.ok(existsSync(dir));
  });
});

describe('ensureWritableDir', () => {
  it('refuses a path through a file, naming it, and a path the system will not create', () => {
    const root = mkdtempSync(join(tmpdir(), 'digit-pairs-out-'));
    writeFileSync(join(root, 'file'), '');
    assert.throws(() => ensureWritableDir(join(root, 'file', 'runs')), /--out .*file\/runs: .*file is not a folder/);
    assert.throws(() => ensureWritableDir('/proc/digit-pairs-x/runs'), /--out \/proc\/digit-pairs-x\/runs: cannot create \/proc\/digit-pairs-x \(ENOENT\)/);
  });

  it('makes the missing folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'digit-pairs-out-'));
    ensureWritableDir(join(root, 'a', 'b'));
    assert.ok(existsSync(join(root, 'a', 'b')));
  });
});
