/**
 * The browser app as a set of files: the page and its worker (bundled by `npm run build` into
 * dist/app/), TensorFlow.js's wasm binaries, MNIST's test and training digits (one gzipped
 * file each), and the model files of the folders the user named, with app.json listing them. The server serves
 * these and nothing else; `--out` writes them as a static folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type AppManifest, DIGITS_FILES, MANIFEST_FILE, type ModelEntry, modelFile } from '../app/manifest.js';
import { defaultRecipe } from '../config.js';
import { encodeDigits, onePool } from '../data/digits.js';
import { loadPools } from '../data/mnist.js';
import { UserError } from '../errors.js';
import { MODEL_FORMAT, MODEL_JSON, WEIGHTS_BIN } from '../models/model-file.js';
import { MODEL_NAMES, MODELS } from '../models/registry.js';
import { codeRevision } from '../run/folder.js';
import { MODELS_DIR } from '../run-folder.js';

/** A file of the site: its content type and how to read it (read when served, so a big site starts at once). */
export interface SiteFile {
  type: string;
  read(): Uint8Array;
}

export type Site = Map<string, SiteFile>;

/** The page's bundles, built by `npm run build` (scripts/build-app.mjs). */
const APP_DIR = fileURLToPath(new URL('../../app/', import.meta.url));
const PAGE_FILES = { 'index.html': 'text/html; charset=utf-8', 'page.js': 'text/javascript', 'engine-worker.js': 'text/javascript' } as const;
/** The wasm binaries the page can ask for: without cross-origin isolation browsers get no threads, so SIMD and the plain fallback. */
const WASM_FILES = ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm.wasm'];

const fromDisk = (path: string, type: string): SiteFile => ({ type, read: () => readFileSync(path) });
const inMemory = (bytes: Uint8Array, type: string): SiteFile => ({ type, read: () => bytes });
/** Made on the first read, then kept. */
const madeOnce = (make: () => Uint8Array, type: string): SiteFile => {
  let bytes: Uint8Array | undefined;
  return { type, read: () => (bytes ??= make()) };
};

/** Where the page finds a model file's code, refused in one line when the file was not given (or differs). */
function modelCodeFor(dir: string, file: { name: string; sha256: string }, modelCode: ReadonlyMap<string, Uint8Array>): { path: string; sha256: string } {
  if (!modelCode.has(file.sha256)) {
    throw new UserError(`${dir}: its model comes from the model file ${file.name} (sha256 ${file.sha256.slice(0, 12)}…): give that file with --model-file`);
  }
  return { path: `model-code/${file.sha256.slice(0, 16)}.js`, sha256: file.sha256 };
}

/** A model folder's model.json, checked enough to list it (the page decodes and checks it fully). */
function readModelJson(dir: string): {
  model: string;
  run?: string;
  round?: number;
  errors?: { testErrorPercent: number };
  modelFile?: { name: string; sha256: string };
} {
  const path = join(dir, MODEL_JSON);
  let json: { format?: string; model?: string };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: not readable as JSON (${(error as Error).message})`);
  }
  if (json?.format !== MODEL_FORMAT) throw new UserError(`${path}: not a digit-pairs model file (format ${JSON.stringify(json?.format)})`);
  if (!existsSync(join(dir, WEIGHTS_BIN))) throw new UserError(`${dir}: has ${MODEL_JSON} but no ${WEIGHTS_BIN}`);
  return json as ReturnType<typeof readModelJson>;
}

const isDir = (path: string) => existsSync(path) && statSync(path).isDirectory();

/** The model folders behind one command-line argument: a model folder, or a run folder's saved models. */
function modelDirs(source: string): { dir: string; key: string }[] {
  if (!isDir(source)) throw new UserError(`${source}: no such folder (give model folders or run folders with saved models)`);
  if (existsSync(join(source, MODEL_JSON))) return [{ dir: source, key: basename(source) }];
  const models = join(source, MODELS_DIR);
  const found = isDir(models) ? readdirSync(models).filter((name) => existsSync(join(models, name, MODEL_JSON))) : [];
  if (found.length === 0) {
    throw new UserError(
      `${source}: neither a model folder (${MODEL_JSON} + ${WEIGHTS_BIN}) nor a run folder with saved models (run the study with --save-models)`,
    );
  }
  return found.sort().map((name) => ({ dir: join(models, name), key: `${basename(source)}/${name}` }));
}

/**
 * The site for the given model and run folders (none: the page can still train its own).
 * `modelCode` holds the browser builds of model files (src/run/model-code.ts), by SHA-256: a
 * model trained from a model file is served only with the very file it was trained with.
 */
export function appSite(sources: string[], modelCode: ReadonlyMap<string, Uint8Array> = new Map()): Site {
  const site: Site = new Map();
  for (const [name, type] of Object.entries(PAGE_FILES)) {
    const path = join(APP_DIR, name);
    if (!existsSync(path)) throw new Error(`${path} is missing: run npm run build`);
    site.set(name, fromDisk(path, type));
  }
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  for (const name of WASM_FILES) site.set(name, fromDisk(join(wasmDir, name), 'application/wasm'));
  // Loaded and gzipped when first asked for (the training digits: ~1 s, 47 → 9.8 MB), so `app` starts at once.
  for (const which of ['test', 'train'] as const) {
    site.set(
      DIGITS_FILES[which],
      madeOnce(() => gzipSync(encodeDigits(onePool(loadPools(null), which))), 'application/gzip'),
    );
  }

  const models: ModelEntry[] = [];
  const keys = new Set<string>();
  for (const { dir, key: wanted } of sources.flatMap(modelDirs)) {
    const meta = readModelJson(dir);
    const code = meta.modelFile ? modelCodeFor(dir, meta.modelFile, modelCode) : undefined;
    if (code) site.set(code.path, inMemory(modelCode.get(code.sha256)!, 'text/javascript'));
    let key = wanted;
    for (let n = 2; keys.has(key); n++) key = `${wanted}-${n}`;
    keys.add(key);
    site.set(modelFile(key, MODEL_JSON), fromDisk(join(dir, MODEL_JSON), 'application/json'));
    site.set(modelFile(key, WEIGHTS_BIN), fromDisk(join(dir, WEIGHTS_BIN), 'application/octet-stream'));
    const where = meta.run ? ` · ${meta.round === undefined ? '' : `round ${meta.round + 1} of `}${meta.run}` : ` · ${basename(dir)}`;
    models.push({
      key,
      label: `${meta.model}${where}`,
      model: meta.model,
      ...(meta.errors ? { testErrorPercent: meta.errors.testErrorPercent } : {}),
      ...(code ? { code } : {}),
    });
  }
  const { digitPairs: version, commit } = codeRevision();
  const manifest: AppManifest = {
    digitPairs: commit ? { version, commit } : { version },
    models,
    trainable: MODEL_NAMES.map((name) => {
      const { epochs, batchSize } = defaultRecipe(name);
      return { name, description: MODELS[name].description, epochs, batchSize };
    }),
  };
  site.set(MANIFEST_FILE, inMemory(new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), 'application/json'));
  return site;
}
