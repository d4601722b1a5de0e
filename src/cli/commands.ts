/**
 * The commands: each one's summary, its module (loaded only when it runs) and its help, whose
 * options come from their declarations (src/cli/options.ts).
 */
import type { CommandName } from '../config.js';
import { optionsHelp } from './options.js';

export interface Command {
  run: (args: string[]) => Promise<number>;
  /** The usage line and what the command does (its options are listed from their declarations). */
  usage: string;
}

/** Each command's module loads only when it runs: a study does not pay for BullMQ, Vega or pngjs at start-up. */
export const COMMANDS: Record<CommandName, { summary: string; load: () => Promise<Command> }> = {
  study: {
    summary: "run the study (defaults: the seed report's protocol)",
    load: () => import('./study.js'),
  },
  tune: {
    summary: 'cross-validate learning rate × L2 λ on the training pairs',
    load: () => import('./tune.js'),
  },
  report: {
    summary: "rebuild a run's summary and report.html from its folder",
    load: () => import('./report.js'),
  },
  runs: {
    summary: '[DIR]: the study runs under DIR (default runs): started, protocol, data, models, rounds, status',
    load: () => import('./runs.js'),
  },
  compare: {
    summary: 'RUN_A RUN_B | RUN --models a,b: differences in train and test error with 95% intervals',
    load: () => import('./compare.js'),
  },
  models: {
    summary: 'list the models: description, parameters, default recipe',
    load: () => import('./models.js'),
  },
  predict: {
    summary: 'MODEL_DIR first.png second.png: is the first digit ≤ the second?',
    load: () => import('./predict.js'),
  },
  worker: {
    summary: '--queue URL: train jobs from a study or tune on several machines',
    load: () => import('./worker.js'),
  },
  app: {
    summary: '[MODEL_DIR | RUN_DIR …]: draw digits, test pairs, train a model, in the browser',
    load: () => import('./app.js'),
  },
  export: {
    summary: "RUN --model M --round R: a round's model files, retrained",
    load: () => import('./export.js'),
  },
};

export const USAGE = `digit-pairs — is the first MNIST digit ≤ the second? MLP vs CNN, weight sharing, auxiliary loss.

Usage:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  digit-pairs ${name.padEnd(8)} ${c.summary}`)
  .join('\n')}
  digit-pairs COMMAND --help   that command's options
`;

/** A command's --help: its usage, then its options from their declarations. */
export const helpOf = (name: CommandName, command: Command): string => `${command.usage}\n\nOptions:\n${optionsHelp(name)}\n`;
