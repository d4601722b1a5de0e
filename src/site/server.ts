/**
 * Serves the app's files on 127.0.0.1 with Node's own http: GET and HEAD of the site's paths,
 * nothing else. The Content-Security-Policy keeps the page to its own origin: a request to any
 * other host fails in the browser, so the app provably works offline. Each file has an ETag, so
 * a file fetched again (the training worker's copy of the engine, a reloaded page) costs a 304.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import type { Site } from './site.js';

/** 'wasm-unsafe-eval': compiling WebAssembly (tfjs's binary, our SIMD kernels); no JavaScript eval. */
const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'";

const tags = new WeakMap<Uint8Array, string>();
/** The bytes' ETag, computed once for bytes kept in memory (the digits), per read for files read from disk. */
function etag(bytes: Uint8Array): string {
  const known = tags.get(bytes);
  if (known) return known;
  const tag = `"${createHash('sha1').update(bytes).digest('base64url')}"`;
  tags.set(bytes, tag);
  return tag;
}

export async function serveSite(site: Site, port: number): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname).replace(/^\/+/, '') || 'index.html';
    const file = site.get(path);
    if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(file ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(file ? 'GET or HEAD only\n' : `not found: /${path}\n`);
      return;
    }
    const bytes = file.read();
    const tag = etag(bytes);
    // no-cache: the browser asks each time (a rebuilt app is seen at once), and gets a 304 if the file is unchanged.
    const headers = { etag: tag, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'content-security-policy': CSP };
    if (request.headers['if-none-match'] === tag) {
      response.writeHead(304, headers).end();
      return;
    }
    response.writeHead(200, { ...headers, 'content-type': file.type, 'content-length': bytes.length });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new UserError(`--port ${port}: already in use on 127.0.0.1; pick another (or --port 0 for any free port)`) : error),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}
