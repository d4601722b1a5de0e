/**
 * Model files: a user's model as code (`export default defineModel({ … })` in a .js, .mjs or .ts
 * file), loaded so that it trains exactly as a built-in model does.
 *
 * A model file may import only `digit-pairs` and `@tensorflow/tfjs-core`. esbuild compiles it
 * (TypeScript too) with those two imports pointed at this very installation, so the model runs
 * on the trainer's TensorFlow.js instance wherever the file sits, and the file's SHA-256 pins all
 * of its code: the hash that config.json records, --resume checks, a queue job carries and a
 * worker's allow-list matches.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ExperimentConfig, isModelFilePath, type ModelFileRecord } from '../config.js';
import { UserError } from '../errors.js';
import { defineModel } from '../models/define.js';
import type { ModelSpec } from '../models/model.js';
import { loadedModelFile, type ModelName, registerModelFile } from '../models/registry.js';

/** A loaded model file: the name its model declares, and what config.json records of it. */
export type LoadedModelFile = ModelFileRecord & { name: ModelName };

/** The modules a model file's two imports resolve to: this installation's own. */
const TARGETS: Record<string, string> = {
  'digit-pairs': new URL('../index.js', import.meta.url).href,
  '@tensorflow/tfjs-core': import.meta.resolve('@tensorflow/tfjs-core'),
};

const sha256Of = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const short = (sha256: string) => `${sha256.slice(0, 12)}…`;

/** Files already loaded in this process (or thread), by hash. */
const loaded = new Map<string, LoadedModelFile>();

/** The two imports a model file may have. */
const ALLOWED = ['digit-pairs', '@tensorflow/tfjs-core'];

/**
 * Bundles a model file into one ES module for `platform`, each allowed import resolved by
 * `resolveAllowed` (and, for a shim, loaded from `shimOf`); any other import is refused, so the
 * file's hash pins all of its code.
 */
async function bundle(
  path: string,
  platform: 'node' | 'browser',
  resolveAllowed: (name: string) => { path: string; external?: boolean; namespace?: string },
  shimOf?: (name: string) => string,
): Promise<Uint8Array> {
  const { build } = await import('esbuild'); // only when a model file is used
  const result = await build({
    entryPoints: [path],
    bundle: true,
    write: false,
    format: 'esm',
    platform,
    target: platform === 'node' ? 'node20' : 'es2022',
    logLevel: 'silent',
    plugins: [
      {
        name: 'digit-pairs-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            if (ALLOWED.includes(args.path)) return resolveAllowed(args.path);
            return {
              errors: [
                { text: `imports '${args.path}'; a model file may import only 'digit-pairs' and '@tensorflow/tfjs-core' (its hash then pins all its code)` },
              ],
            };
          });
          if (shimOf) b.onLoad({ filter: /.*/, namespace: 'digit-pairs-shim' }, (args) => ({ contents: shimOf(args.path), loader: 'js' }));
        },
      },
    ],
  }).catch((error: { errors?: { text: string; location?: { line: number; column: number } | null }[] }) => {
    const first = error.errors?.[0];
    const where = first?.location ? ` (line ${first.location.line}, column ${first.location.column + 1})` : '';
    throw new UserError(`${path}: cannot compile: ${first?.text ?? String(error)}${where}`);
  });
  return result.outputFiles[0].contents;
}

/** Compiles `path` to one ES module that imports only TARGETS; cached by content, so threads and later runs skip esbuild. */
async function compiled(path: string, sha256: string): Promise<string> {
  const dir = join(tmpdir(), 'digit-pairs-models');
  const out = join(dir, `${sha256.slice(0, 24)}-${sha256Of(JSON.stringify(TARGETS)).slice(0, 8)}.mjs`);
  if (existsSync(out)) return out;
  const code = await bundle(path, 'node', (name) => ({ path: TARGETS[name]!, external: true }));
  mkdirSync(dir, { recursive: true });
  // Written whole, then renamed: a thread never imports half a file.
  const partial = `${out}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(partial, code);
  renameSync(partial, out);
  return out;
}

/**
 * Loads the model file at `path`, checks what it exports with the schema the built-in models
 * use, and makes its model known by name in this process. With `sha256`, a file whose content
 * differs is refused in one line.
 */
export async function loadModelFile(path: string, sha256?: string): Promise<LoadedModelFile> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new UserError(`${path}: no such model file`);
  const bytes = readFileSync(absolute);
  const actual = sha256Of(bytes);
  if (sha256 !== undefined && actual !== sha256) {
    throw new UserError(
      `${path}: the model file changed since the run was made (sha256 ${short(sha256)} then, ${short(actual)} now); restore it or start a new run`,
    );
  }
  const known = loaded.get(actual);
  if (known) return known;
  const module = pathToFileURL(await compiled(absolute, actual)).href;
  let exported: Record<string, unknown>;
  try {
    exported = await import(module);
  } catch (error) {
    // defineModel's own refusal already says what is wrong; anything else the file threw is quoted.
    const message = (error as Error).message.split('\n')[0];
    throw new UserError(`${path}: ${error instanceof UserError ? message : `failed while loading: ${message}`}`);
  }
  if (exported.default === undefined) {
    const names = Object.keys(exported);
    throw new UserError(
      `${path}: export your model as the default export (export default defineModel({ … }))${names.length ? `; found ${names.join(', ')}` : ''}`,
    );
  }
  let spec: ModelSpec;
  try {
    spec = defineModel(exported.default as ModelSpec & { name: string });
  } catch (error) {
    throw new UserError(`${path}: ${(error as Error).message}`);
  }
  registerModelFile(spec, { path: absolute, sha256: actual });
  const file: LoadedModelFile = { name: spec.name, path: absolute, sha256: actual, description: spec.description, hyper: spec.hyper };
  loaded.set(actual, file);
  return file;
}

/**
 * A raw config whose `models` may name model files: each file loaded, its entry replaced by the
 * model's name, and the file recorded in `modelFiles`.
 */
export async function withModelFiles(input: Record<string, unknown>): Promise<Record<string, unknown>> {
  const models = input.models;
  if (!Array.isArray(models) || !models.some((m) => typeof m === 'string' && isModelFilePath(m))) return input;
  const modelFiles: Record<string, ModelFileRecord> = { ...(input.modelFiles as Record<string, ModelFileRecord> | undefined) };
  const names: unknown[] = [];
  for (const entry of models) {
    if (typeof entry !== 'string' || !isModelFilePath(entry)) {
      names.push(entry);
      continue;
    }
    const { name, ...record } = await loadModelFile(entry);
    modelFiles[name] = record;
    names.push(name);
  }
  return { ...input, models: names, modelFiles };
}

/**
 * Loads the model files that `models` of a config need (all of them by default), each from its
 * recorded path and only with its recorded hash. Built-in models need nothing.
 */
export async function useModelFiles(config: Pick<ExperimentConfig, 'models' | 'modelFiles'>, models: ModelName[] = config.models): Promise<void> {
  for (const name of models) {
    const record = config.modelFiles[name];
    if (!record || loadedModelFile(name)?.sha256 === record.sha256) continue;
    await loadModelFile(record.path, record.sha256);
  }
}

/** Identifiers a shim module can re-export (no `default`, no symbols). */
const exportable = (names: string[]) => names.filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');

/**
 * A model file compiled for the browser app: one ES module whose `digit-pairs` and
 * `@tensorflow/tfjs-core` imports read the page worker's own instances (globalThis.digitPairsKit,
 * set by src/app/engine-worker.ts), so the model runs on the tab's TensorFlow.js.
 */
export async function browserModelCode(path: string): Promise<{ sha256: string; code: Uint8Array }> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new UserError(`--model-file ${path}: no such model file`);
  const sha256 = sha256Of(readFileSync(absolute));
  const kit = await import('../models/kit.js');
  const shims: Record<string, string> = {
    'digit-pairs': `const k = globalThis.digitPairsKit;\nexport const { ${exportable(Object.keys(kit)).join(', ')} } = k;`,
    '@tensorflow/tfjs-core': `const t = globalThis.digitPairsKit.tf;\nexport default t;\nexport const { ${exportable(Object.keys(kit.tf)).join(', ')} } = t;`,
  };
  const code = await bundle(
    absolute,
    'browser',
    (name) => ({ path: name, namespace: 'digit-pairs-shim' }),
    (name) => shims[name]!,
  );
  return { sha256, code };
}

/**
 * A worker's allow-list: every model file in `dir` (not its subfolders), loaded, by hash. A
 * queue job names a model file only by its hash, and the worker runs only what this holds.
 */
export async function allowedModelFiles(dir: string): Promise<Map<string, LoadedModelFile>> {
  if (!existsSync(dir)) throw new UserError(`--models-dir ${dir}: no such folder`);
  const files = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && /\.(m?js|ts)$/.test(e.name) && !e.name.endsWith('.d.ts'));
  const allowed = new Map<string, LoadedModelFile>();
  for (const file of files) {
    const model = await loadModelFile(join(dir, file.name));
    allowed.set(model.sha256, model);
  }
  return allowed;
}
