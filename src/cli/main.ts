#!/usr/bin/env node
/**
 * digit-pairs command line: one short file per command, each parsing its flags and calling
 * one function. Bad input exits with code 2 and a one-line message naming the problem and the
 * valid choices; a log that cannot be written exits 1 with what was kept and how to go on.
 */
import type { CommandName } from '../config.js';
import { UserError } from '../errors.js';
import type { LogWriteError } from '../run/run-log.js';
import { COMMANDS, type Command, helpOf, USAGE } from './commands.js';

const [command, ...rest] = process.argv.slice(2);

/** The command's module, or one line naming the valid commands. */
async function load(name: string): Promise<Command> {
  if (!(name in COMMANDS)) throw new UserError(`unknown command '${name}'; valid: ${Object.keys(COMMANDS).join(', ')} (see digit-pairs --help)`);
  return COMMANDS[name as CommandName].load();
}

async function main(): Promise<number> {
  if (command === '--version' || command === '-V') {
    const { codeRevision } = await import('../run/folder.js');
    const { digitPairs, commit } = codeRevision();
    console.log(`digit-pairs ${digitPairs}${commit ? ` (commit ${commit})` : ''}`);
    return 0;
  }
  if (command === undefined) {
    // Asked for nothing: the usage is the answer to a mistake, so it goes to stderr.
    console.error(USAGE);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    const [topic, ...extra] = rest;
    if (extra.length) throw new UserError(`help: one command at most (got ${rest.join(' ')})`);
    console.log(topic === undefined ? USAGE : helpOf(topic as CommandName, await load(topic)));
    return 0;
  }
  const entry = await load(command);
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(helpOf(command as CommandName, entry));
    return 0;
  }
  return entry.run(rest);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UserError) {
      console.error(`digit-pairs: ${error.message.split('\n')[0]}`);
      process.exit(2);
    }
    if (error instanceof Error && error.name === 'LogWriteError') {
      const e = error as LogWriteError;
      console.error(
        `digit-pairs: ${e.message}; the run stopped. The ${e.written} jobs finished before it are kept in ${e.logPath}; ` +
          `make room, then continue with: digit-pairs ${command} --resume ${e.runDir}`,
      );
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
