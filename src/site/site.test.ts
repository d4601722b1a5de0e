/** `digit-pairs app` without a browser: what it serves, what it writes, and what it refuses. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { DIGITS_FILES } from '../app/manifest.js';
import { decodeDigits, joinPools } from '../data/digits.js';
import { loadPools } from '../data/mnist.js';
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

  it('--out writes the whole app as a static folder, the digits as one gzipped file per pool', () => {
    const out = join(tmp(), 'site');
    const result = run('--out', out);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'app.json',
      'digits-test.bin.gz',
      'digits-train.bin.gz',
      'engine-worker.js',
      'index.html',
      'page.js',
      'tfjs-backend-wasm-simd.wasm',
      'tfjs-backend-wasm.wasm',
    ]);
    const manifest = JSON.parse(readFileSync(join(out, 'app.json'), 'utf8'));
    assert.deepEqual(manifest.models, []);
    assert.ok(manifest.trainable.some((m: { name: string; epochs: number }) => m.name === 'cnn' && m.epochs === 25));
    const [train, test] = (['train', 'test'] as const).map((which) => decodeDigits(gunzipSync(readFileSync(join(out, DIGITS_FILES[which]))), which));
    assert.equal(train.test.count + test.train.count, 0);
    const joined = joinPools(train, test, DIGITS_FILES);
    const mnist = loadPools(null);
    assert.deepEqual(joined.source, mnist.source);
    const bytes = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    for (const which of ['train', 'test'] as const) {
      for (const part of ['images', 'labels'] as const) assert.ok(bytes(joined[which][part]).equals(bytes(mnist[which][part])), `${which} ${part}`);
    }
  });

  it('serves on 127.0.0.1: the files with their types and ETags, nothing outside the site, and stops on SIGTERM', async () => {
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
      const manifest = await get('/app.json');
      assert.equal(manifest.headers.get('content-type'), 'application/json');
      // Asked again with its ETag (the training worker's copy of the engine, a reload): a 304, no body.
      const again = await get('/app.json', { headers: { 'if-none-match': manifest.headers.get('etag') ?? '' } });
      assert.equal(again.status, 304);
      // Gzipped as files, not on the fly (no Content-Encoding): the page un-gzips them, as it must from a static folder.
      const digits = await get(`/${DIGITS_FILES.test}`);
      assert.equal(digits.headers.get('content-type'), 'application/gzip');
      assert.equal(digits.headers.get('content-encoding'), null);
      const bytes = new Uint8Array(await digits.arrayBuffer());
      assert.deepEqual([bytes[0], bytes[1]], [0x1f, 0x8b]);
      assert.equal(decodeDigits(gunzipSync(bytes), 'test').test.count, 10_000);
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
