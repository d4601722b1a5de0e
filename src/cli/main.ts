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
import { parserOptions } from './options.js';

const [command, ...rest] = process.argv.slice(2);
let entry: Command | undefined;

async function main(): Promise<number> {
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (!(command in COMMANDS)) throw new UserError(`unknown command '${command}'; valid: ${Object.keys(COMMANDS).join(', ')} (see --help)`);
  entry = await COMMANDS[command as CommandName].load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(helpOf(command as CommandName, entry));
    return 0;
  }
  return entry.run(rest);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // parseArgs rejects unknown or malformed options with its own error codes.
    const code = (error as { code?: string }).code ?? '';
    if (error instanceof UserError || code.startsWith('ERR_PARSE_ARGS')) {
      const message = (error as Error).message.split('\n')[0];
      const valid = Object.keys(entry ? parserOptions(command as CommandName) : {})
        .map((o) => `--${o}`)
        .join(', ');
      const hint = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `; valid: ${valid}` : '';
      console.error(`digit-pairs: ${message}${hint}`);
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
