import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMAND_NAMES } from '../config.js';
import { COMMANDS, helpOf } from './commands.js';
import { cliReference } from './reference.js';

const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'cli.md');

describe('docs/cli.md', () => {
  it('is what the options declare (regenerate with npm run docs:cli)', async () => {
    assert.equal(readFileSync(DOCS, 'utf8'), await cliReference());
  });

  it("names every command and every flag of each command's --help, and no other flag", async () => {
    const docs = readFileSync(DOCS, 'utf8');
    for (const name of COMMAND_NAMES) {
      const help = helpOf(name, await COMMANDS[name].load());
      const section = docs.split(`\n## ${name}\n`)[1]?.split('\n## ')[0];
      assert.ok(section, `no section for ${name}`);
      const flags = (text: string) => [...new Set(text.match(/(?<![\w-])--[a-z][a-z-]*/g))].sort();
      const table = section.slice(section.indexOf('| option |'));
      assert.deepEqual(flags(table), flags(help.slice(help.indexOf('\nOptions:'))), name);
    }
  });
});
