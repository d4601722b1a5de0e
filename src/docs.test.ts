import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// From dist/src/ back to the repository root, where README.md and docs/ live.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The front page stays a front page; everything else belongs in docs/ (issue #23). */
const README_MAX_LINES = 220;

/** Kept as they were written (the research notes, the previous data's page): not part of the manual. */
const SKIPPED = ['docs/research', 'docs/previous-data'];

/** Every .md file under dir, as paths relative to the root, skipping the folders above. */
function markdownFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIPPED.includes(path) ? [] : markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

/**
 * The relative link targets of a Markdown text, without their #anchor. Code is removed first:
 * a `](` inside a code block or span is code, not a link.
 */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => decodeURIComponent(target.split('#')[0]));
}

/** Each link of file (relative to the root) whose target does not exist, as "file → target". */
function brokenLinks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return relativeLinks(text)
    .filter((target) => !existsSync(resolve(ROOT, dirname(file), target)))
    .map((target) => `${file} → ${target}`);
}

describe('the front page and the manual', () => {
  it(`README.md is at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length - 1;
    assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines; move the detail to a page in docs/`);
  });

  it('every relative link in README.md and docs/ points to an existing file', () => {
    const files = ['README.md', ...markdownFiles('docs')];
    assert.ok(files.includes('docs/README.md'), 'docs/README.md, the index of the manual, is missing');
    assert.deepEqual(files.flatMap(brokenLinks), []);
  });

  it('finds the links it checks, and only those', () => {
    const text = [
      'See [a](docs/a.md), [b](b.md#part), [c](c%20d.md), [d](e.md "title"), [web](https://x.org/y.md),',
      '[top](#top), [mail](mailto:a@b.c) and `[not](code.md)`.',
      '```',
      '[not](fenced.md)',
      '```',
    ].join('\n');
    assert.deepEqual(relativeLinks(text), ['docs/a.md', 'b.md', 'c d.md', 'e.md']);
  });

  it('reports a link to a missing file', () => {
    const missing = relativeLinks('[gone](docs/no-such-page.md)').filter((target) => !existsSync(resolve(ROOT, target)));
    assert.deepEqual(missing, ['docs/no-such-page.md']);
  });
});
