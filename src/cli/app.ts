/** `digit-pairs app [MODEL_DIR | RUN_DIR …]`: the browser app, served on 127.0.0.1 or written as a static folder. */

import { UserError } from '../errors.js';
import { browserModelCode } from '../run/model-code.js';
import { serveSite } from '../site/server.js';
import { appSite } from '../site/site.js';
import { writeSite } from '../site/write.js';
import { parseCommand } from './options.js';

export const usage = `digit-pairs app [MODEL_DIR | RUN_DIR ...] [--port P] [--out DIR] — draw two digits and compare them live,
run test pairs, train a seed model in the tab. Everything (TensorFlow.js, its wasm, the digits, the
models) is served from this machine; the page makes no request anywhere else.
MODEL_DIR is a model folder; RUN_DIR a run made with --save-models (all its models are offered).
A model trained from a model file is served with that file's code: --model-file FILE.`;

export async function run(args: string[]): Promise<number> {
  const { run, runGiven, positionals } = parseCommand('app', args);
  const { port, appOut: out } = run;
  if (out !== undefined && runGiven.has('port')) throw new UserError('--out and --port: give one (a static folder, or a server)');
  const modelCode = new Map<string, Uint8Array>();
  if (run.modelFile !== undefined) {
    const { sha256, code } = await browserModelCode(run.modelFile);
    modelCode.set(sha256, code);
  }
  const site = appSite(positionals, modelCode);
  const models = [...site.keys()].filter((p) => p.endsWith('/model.json')).length;
  if (out !== undefined) {
    const files = writeSite(site, out);
    console.log(
      `digit-pairs app: ${files} files (${models} models) written to ${out}; serve the folder over http (browsers do not run wasm workers from file://)`,
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
