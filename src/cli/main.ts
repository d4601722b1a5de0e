#!/usr/bin/env node
/**
 * digit-pairs command line: one short file per command, each parsing its flags and calling
 * one function. Bad input exits with code 2 and a one-line message naming the problem and the
 * valid choices; a log that cannot be written exits 1 with what was kept and how to go on.
 */
import { UserError } from '../errors.js';
import type { LogWriteError } from '../run/execute.js';
import type { Options } from './flags.js';

interface Command {
  run: (args: string[]) => Promise<number>;
  options: Options;
  help: string;
}

/** Each command's module loads only when it runs: a study does not pay for BullMQ, Vega or pngjs at start-up. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  study: {
    summary: "run the study (defaults: the seed report's protocol)",
    load: async () => import('./study.js').then((m) => ({ run: m.study, options: m.STUDY_OPTIONS, help: m.STUDY_HELP })),
  },
  tune: {
    summary: 'cross-validate learning rate × L2 λ on the training pairs',
    load: async () => import('./tune.js').then((m) => ({ run: m.tune, options: m.TUNE_OPTIONS, help: m.TUNE_HELP })),
  },
  report: {
    summary: "rebuild a run's summary and report.html from its folder",
    load: async () => import('./report.js').then((m) => ({ run: m.report, options: m.REPORT_OPTIONS, help: m.REPORT_HELP })),
  },
  models: {
    summary: 'list the models: description, parameters, default recipe',
    load: async () => import('./models.js').then((m) => ({ run: m.models, options: m.MODELS_OPTIONS, help: m.MODELS_HELP })),
  },
  predict: {
    summary: 'MODEL_DIR first.png second.png: is the first digit ≤ the second?',
    load: async () => import('./predict.js').then((m) => ({ run: m.predict, options: m.PREDICT_OPTIONS, help: m.PREDICT_HELP })),
  },
  worker: {
    summary: '--queue URL: train jobs from a study or tune on several machines',
    load: async () => import('./worker.js').then((m) => ({ run: m.worker, options: m.WORKER_OPTIONS, help: m.WORKER_HELP })),
  },
  app: {
    summary: '[MODEL_DIR | RUN_DIR …]: draw digits, test pairs, train a model, in the browser',
    load: async () => import('./app.js').then((m) => ({ run: m.app, options: m.APP_OPTIONS, help: m.APP_HELP })),
  },
  export: {
    summary: "RUN --model M --round R: a round's model files, retrained",
    load: async () => import('./export.js').then((m) => ({ run: m.exportModel, options: m.EXPORT_OPTIONS, help: m.EXPORT_HELP })),
  },
};

const USAGE = `digit-pairs — is the first MNIST digit ≤ the second? MLP vs CNN, weight sharing, auxiliary loss.

Usage:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  digit-pairs ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}
  digit-pairs COMMAND --help   that command's options
`;

const [command, ...rest] = process.argv.slice(2);
let entry: Command | undefined;

async function main(): Promise<number> {
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (!COMMANDS[command]) throw new UserError(`unknown command '${command}'; valid: ${Object.keys(COMMANDS).join(', ')} (see --help)`);
  entry = await COMMANDS[command].load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(entry.help);
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
      const valid = Object.keys(entry?.options ?? {})
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
