/**
 * The flow stays one way: no import cycle between files, and no folder imports a folder
 * downstream of it (cli → run → train → models → engine; report reads what run wrote, through
 * run-folder.ts, the one module both share).
 * Reads the TypeScript sources beside the compiled tests.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/** src/ of the checkout (this file runs from dist/src/). */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports of a file: [target file, whether the import is type-only]. */
function importsOf(file: string): [string, boolean][] {
  const text = readFileSync(file, 'utf8');
  const found: [string, boolean][] = [];
  for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'/gm)) {
    const spec = m[2] ?? m[3];
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    if (existsSync(target)) found.push([target, Boolean(m[1])]);
  }
  return found;
}

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const folder = (f: string) => relative(SRC, f).split('/')[0].replace(/\.ts$/, '');

describe('imports', () => {
  it('form no cycle between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (f: string): void => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') assert.fail(`import cycle: ${[...path.slice(path.indexOf(f)), f].map((p) => relative(SRC, p)).join(' → ')}`);
      state.set(f, 'open');
      path.push(f);
      for (const [target] of graph.get(f) ?? []) visit(target);
      path.pop();
      state.set(f, 'done');
    };
    for (const f of files) visit(f);
  });

  it('flow one way between folders', () => {
    // What each folder may import at run time (type-only imports are not counted).
    const allowed: Record<string, string[]> = {
      engine: [],
      data: ['errors', 'rng'],
      models: ['engine', 'data', 'rng', 'errors'],
      train: ['config', 'models', 'data', 'engine', 'rng', 'errors'],
      run: ['run-folder', 'train', 'config', 'models', 'data', 'engine', 'errors', 'stats'],
      'run-folder': ['config', 'errors'],
      report: ['run-folder', 'config', 'models', 'stats'],
      api: ['run', 'train', 'models', 'data', 'engine', 'errors'],
      config: ['engine', 'errors', 'models'],
      app: ['config', 'train', 'models', 'data', 'engine', 'errors', 'rng'],
      site: ['app', 'run', 'run-folder', 'config', 'models', 'data', 'errors'],
    };
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      const from = folder(file);
      for (const [target, typeOnly] of imports) {
        const to = folder(target);
        if (to === from || !(from in allowed) || typeOnly) continue;
        if (!allowed[from].includes(to)) wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('keep training pure compute: train/ imports nothing from run/, report/, cli/ or site/ (even for types), nor anything that reaches a node: module', () => {
    const train = [...graph].filter(([file]) => folder(file) === 'train');
    const wrong = train.flatMap(([file, imports]) =>
      imports.filter(([t]) => ['report', 'run', 'cli', 'site'].includes(folder(t))).map(([t]) => `${relative(SRC, file)} → ${relative(SRC, t)}`),
    );
    // Files, threads, the host: the run layer's. Whatever train/ reaches at run time must not touch them.
    const reached = new Set<string>();
    const visit = (f: string): void => {
      if (reached.has(f)) return;
      reached.add(f);
      for (const [target, typeOnly] of graph.get(f) ?? []) if (!typeOnly) visit(target);
    };
    for (const [file] of train) visit(file);
    const withNode = [...reached].filter((f) => /^import\s[^;]*?from\s+'node:/m.test(readFileSync(f, 'utf8'))).map((f) => `${relative(SRC, f)} imports node:`);
    assert.deepEqual([...wrong, ...withNode], []);
  });

  it('keep the report to the run folder: at run time report/ imports config, stats, the run-folder module and model names, nothing of run/, data/, app/ or train/', () => {
    // The models it may name: the registry (names, the ablation's families) and the model file's names.
    const allowed = ['config.ts', 'stats.ts', 'run-folder.ts', 'models/registry.ts', 'models/model-file.ts'].map((f) => join(SRC, f));
    const wrong = [...graph]
      .filter(([file]) => folder(file) === 'report')
      .flatMap(([file, imports]) =>
        imports
          .filter(([t, typeOnly]) => !typeOnly && folder(t) !== 'report' && !allowed.includes(t))
          .map(([t]) => `${relative(SRC, file)} → ${relative(SRC, t)}`),
      );
    assert.deepEqual(wrong, []);
  });

  it('keep the browser app free of Node: nothing src/app/ reaches imports a node: module', () => {
    const reached = new Set<string>();
    const visit = (f: string): void => {
      if (reached.has(f)) return;
      reached.add(f);
      for (const [target, typeOnly] of graph.get(f) ?? []) if (!typeOnly) visit(target);
    };
    for (const f of files) if (folder(f) === 'app') visit(f);
    assert.ok(reached.size > 10);
    const wrong = [...reached].filter((f) => /^import\s[^;]*?from\s+'node:/m.test(readFileSync(f, 'utf8'))).map((f) => relative(SRC, f));
    assert.deepEqual(wrong, []);
  });
});
