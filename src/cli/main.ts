#!/usr/bin/env node
/**
 * digit-pairs command line: one short file per command, each parsing its flags and calling
 * one function. Bad input exits with code 2 and a one-line message naming the problem and the
 * valid choices; a log that cannot be written exits 1 with what was kept and how to go on.
 */
import { UserError } from '../errors.js';
import { LogWriteError } from '../run/execute.js';
import { APP_HELP, APP_OPTIONS, app } from './app.js';
import { EXPORT_HELP, EXPORT_OPTIONS, exportModel } from './export.js';
import type { Options } from './flags.js';
import { wantsHelp } from './flags.js';
import { MODELS_HELP, MODELS_OPTIONS, models } from './models.js';
import { PREDICT_HELP, PREDICT_OPTIONS, predict } from './predict.js';
import { REPORT_HELP, REPORT_OPTIONS, report } from './report.js';
import { STUDY_HELP, STUDY_OPTIONS, study } from './study.js';
import { TUNE_HELP, TUNE_OPTIONS, tune } from './tune.js';
import { WORKER_HELP, WORKER_OPTIONS, worker } from './worker.js';

interface Command {
  run: (args: string[]) => Promise<number>;
  options: Options;
  help: string;
  summary: string;
}

const COMMANDS: Record<string, Command> = {
  study: { run: study, options: STUDY_OPTIONS, help: STUDY_HELP, summary: "run the study (defaults: the seed report's protocol)" },
  tune: { run: tune, options: TUNE_OPTIONS, help: TUNE_HELP, summary: 'cross-validate learning rate × L2 λ on the training pairs' },
  report: { run: report, options: REPORT_OPTIONS, help: REPORT_HELP, summary: "rebuild a run's summary and report.html from its folder" },
  models: { run: models, options: MODELS_OPTIONS, help: MODELS_HELP, summary: 'list the models: description, parameters, default recipe' },
  predict: { run: predict, options: PREDICT_OPTIONS, help: PREDICT_HELP, summary: 'MODEL_DIR first.png second.png: is the first digit ≤ the second?' },
  worker: { run: worker, options: WORKER_OPTIONS, help: WORKER_HELP, summary: '--queue URL: train jobs from a study or tune on several machines' },
  app: { run: app, options: APP_OPTIONS, help: APP_HELP, summary: '[MODEL_DIR | RUN_DIR …]: draw digits, test pairs, train a model, in the browser' },
  export: { run: exportModel, options: EXPORT_OPTIONS, help: EXPORT_HELP, summary: "RUN --model M --round R: a round's model files, retrained" },
};

const USAGE = `digit-pairs — is the first MNIST digit ≤ the second? MLP vs CNN, weight sharing, auxiliary loss.

Usage:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  digit-pairs ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}
  digit-pairs COMMAND --help   that command's options
`;

const [command, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const entry = COMMANDS[command];
  if (!entry) throw new UserError(`unknown command '${command}'; valid: ${Object.keys(COMMANDS).join(', ')} (see --help)`);
  if (wantsHelp(rest)) {
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
      const valid = Object.keys(COMMANDS[command]?.options ?? {})
        .map((o) => `--${o}`)
        .join(', ');
      const hint = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `; valid: ${valid}` : '';
      console.error(`digit-pairs: ${message}${hint}`);
      process.exit(2);
    }
    if (error instanceof LogWriteError) {
      console.error(
        `digit-pairs: ${error.message}; the run stopped. The ${error.written} jobs finished before it are kept in ${error.logPath}; ` +
          `make room, then continue with: digit-pairs ${command} --resume ${error.runDir}`,
      );
      process.exit(1);
    }
    console.error(error);
    process.exit(1);
  },
);
