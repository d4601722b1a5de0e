/** `digit-pairs app` without a browser: what it serves, what it writes, and what it refuses. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, runCli, tempDir } from '../testing/cli.js';

const run = (...args: string[]) => runCli(['app', ...args], { timeoutMs: 60_000 });
const tmp = () => tempDir('digit-pairs-site');

describe('digit-pairs app', () => {
  const emptyRun = tmp();
  writeFileSync(join(emptyRun, 'config.json'), '{}');
  const bad: [string[], RegExp][] = [
    [['/nonexistent'], /^digit-pairs: \/nonexistent: no such folder/],
    [[emptyRun], /: neither a model folder \(model\.json \+ weights\.bin\) nor a run folder with saved models \(run the study with --save-models\)/],
    [['--port', '70000'], /--port 70000: must be at most 65535/],
    [['--port', 'high'], /--port: 'high' is not a whole number/],
    [['--port', '0', '--out', emptyRun], /--out and --port: give one/],
    [['--out', emptyRun], /--out .*: the folder is not empty/],
  ];
  for (const [args, message] of bad) {
    it(`refuses \`app ${args.join(' ')}\` with exit code 2 and one line`, () => {
      const result = run(...args);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    });
  }

  it('--out writes the whole app as a static folder', () => {
    const out = join(tmp(), 'site');
    const result = run('--out', out);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'app.json',
      'digits.bin',
      'engine-worker.js',
      'index.html',
      'page.js',
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm.wasm',
    ]);
    const manifest = JSON.parse(readFileSync(join(out, 'app.json'), 'utf8'));
    assert.deepEqual(manifest.models, []);
    assert.ok(manifest.trainable.some((m: { name: string; epochs: number }) => m.name === 'cnn' && m.epochs === 25));
  });

  it('serves on 127.0.0.1: the files with their types, nothing outside the site, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, 'app', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const found = /http:\/\/127\.0\.0\.1:\d+\//.exec(stdout);
        if (found) resolve(found[0]);
      });
      child.once('exit', (code) => reject(new Error(`app exited with ${code}`)));
    });
    try {
      const get = (path: string, init?: RequestInit) => fetch(new URL(path, url), init);
      const page = await get('/');
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.match(await page.text(), /<script type="module" src="page.js">/);
      assert.equal((await get('/tfjs-backend-wasm-simd.wasm')).headers.get('content-type'), 'application/wasm');
      assert.equal((await get('/app.json')).headers.get('content-type'), 'application/json');
      for (const outside of ['/package.json', '/../package.json', '/%2e%2e/package.json', '/nope.js']) assert.equal((await get(outside)).status, 404, outside);
      assert.equal((await get('/app.json', { method: 'POST' })).status, 405);
      const port = new URL(url).port;
      const taken = run('--port', port);
      assert.equal(taken.status, 2);
      assert.match(taken.stderr, new RegExp(`--port ${port}: already in use on 127\\.0\\.0\\.1`));
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
  });

  it('names a model folder that has model.json but no weights', () => {
    const dir = join(tmp(), 'm');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'digit-pairs-model', model: 'cnn' }));
    const result = run(dir);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /has model\.json but no weights\.bin/);
    assert.ok(!existsSync(join(dir, 'weights.bin')));
  });
});
