/** `digit-pairs app [MODEL_DIR | RUN_DIR …]`: the browser app, served on 127.0.0.1 or written as a static folder. */

import { DEFAULT_APP_PORT } from '../app/manifest.js';
import { UserError } from '../errors.js';
import { serveSite } from '../site/server.js';
import { appSite } from '../site/site.js';
import { writeSite } from '../site/write.js';
import { type Options, parseFlags, wholeNumber } from './flags.js';

export const APP_OPTIONS = {
  port: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies Options;

export const APP_HELP = `digit-pairs app [MODEL_DIR | RUN_DIR ...] [--port P] [--out DIR] — draw two digits and compare them live,
run test pairs, train a seed model in the tab. Everything (TensorFlow.js, its wasm, the digits, the
models) is served from this machine; the page makes no request anywhere else.
MODEL_DIR is a model folder; RUN_DIR a run made with --save-models (all its models are offered).
  --port P   serve on http://127.0.0.1:P/ (default ${DEFAULT_APP_PORT}; 0: any free port)
  --out DIR  write the app as a static folder instead (serve it with any static file server)
`;

export async function app(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags(args, APP_OPTIONS);
  const port = values.port === undefined ? DEFAULT_APP_PORT : wholeNumber('port', String(values.port));
  if (port < 0 || port > 65535) throw new UserError(`--port ${port}: must be 0–65535`);
  if (values.out !== undefined && values.port !== undefined) throw new UserError('--out and --port: give one (a static folder, or a server)');
  const site = appSite(positionals);
  const models = [...site.keys()].filter((p) => p.endsWith('/model.json')).length;
  if (values.out !== undefined) {
    const files = writeSite(site, String(values.out));
    console.log(
      `digit-pairs app: ${files} files (${models} models) written to ${values.out}; serve the folder over http (browsers do not run wasm workers from file://)`,
    );
    return 0;
  }
  const { url, server } = await serveSite(site, port);
  console.log(`digit-pairs app: ${url}  (${models} model${models === 1 ? '' : 's'}; Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  server.close();
  server.closeAllConnections();
  return 0;
}
