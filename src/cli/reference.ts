/**
 * docs/cli.md, generated from the commands' usage and the options' declarations, so the
 * manual cannot drift from `--help` (a test compares the file with this).
 * Regenerate with `npm run docs:cli`.
 */
import type { CommandName } from '../config.js';
import { COMMANDS } from './commands.js';
import { flagLabel, optionsOf, optionText } from './options.js';

/** `|` would end a Markdown table cell. */
const cell = (text: string) => text.replaceAll('|', '\\|');

export async function cliReference(): Promise<string> {
  const sections = await Promise.all(
    (Object.keys(COMMANDS) as CommandName[]).map(async (name) => {
      const { usage } = await COMMANDS[name].load();
      const rows = optionsOf(name).map((option) => `| \`${flagLabel(option)}\` | ${cell(optionText(option, name))} |`);
      return [`## ${name}`, '', '```', usage, '```', '', '| option | meaning |', '|---|---|', ...rows].join('\n');
    }),
  );
  return [
    '# The command line',
    '',
    '<!-- Generated from src/config.ts and src/cli/options.ts by `npm run docs:cli`; edit those, not this file. -->',
    '',
    'Every command takes `--help` (or `-h`). Bad input exits with code 2 and one line naming the problem and what is valid.',
    '',
    ...sections.flatMap((s) => [s, '']),
  ].join('\n');
}
