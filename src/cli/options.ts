/**
 * Every command-line option, declared once. The config's fields carry their flag, help and
 * commands in src/config.ts; the options of how a command runs (workers, output folder, queue,
 * a port) are declared below the same way. Derived from these: each command's parser, its
 * `--help`, the flag names in messages, and docs/cli.md (src/cli/reference.ts).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_APP_PORT } from '../app/manifest.js';
import { COMMAND_NAMES, CONFIG_OPTION_FIELDS, type CommandName, describeIssues, isModelFilePath, type OptionMeta, option, optionRegistry } from '../config.js';
import { UserError } from '../errors.js';

/** Seconds a queued job's lock lives without renewal before the job goes back to the queue. */
export const DEFAULT_LOCK_SECONDS = 30;

const runFields = z.strictObject({
  config: option(z.string().min(1).optional(), {
    flag: 'config',
    value: 'FILE',
    help: "a JSON config (the schema of a run's config.json; a run's own config.json re-runs it); flags given beside it override its fields",
    commands: ['study', 'tune'],
  }),
  workers: option(z.int().min(0).optional(), {
    flag: 'workers',
    value: 'N',
    help: 'worker threads running jobs in parallel',
    helpFor: { worker: 'worker threads training jobs on this machine' },
    commands: ['study', 'tune', 'worker'],
    shown: 'one per core',
  }),
  out: option(z.string().min(1).default('runs'), { flag: 'out', value: 'DIR', help: 'parent folder of the run folder', commands: ['study', 'tune'] }),
  resume: option(z.string().min(1).optional(), {
    flag: 'resume',
    value: 'RUN_DIR',
    help: 'continue a stopped run, skipping its finished jobs',
    commands: ['study', 'tune'],
  }),
  retryFailed: option(z.boolean().default(false), {
    flag: 'retry-failed',
    help: 'with --resume: run again the jobs that failed for a passing reason (a crashed worker); diverged rounds are results and stay',
    commands: ['study', 'tune'],
    sets: true,
  }),
  saveModels: option(z.boolean().default(false), {
    flag: 'save-models',
    help: "write each finished round's trained model to RUN/models/<model>-round<r>/ (model.json + weights.bin, TensorFlow.js tf.io weights format)",
    commands: ['study'],
    sets: true,
  }),
  queue: option(z.string().min(1).optional(), {
    flag: 'queue',
    value: 'URL',
    help:
      'run the jobs through a BullMQ queue on Redis (redis://[:password@]host[:port][/db], rediss://… for TLS, or a unix socket path): ' +
      "`digit-pairs worker --queue URL` on any machine takes them; --workers then counts this process's own (0: coordinate only). " +
      'Give the password in $DIGIT_PAIRS_REDIS_PASSWORD rather than in the URL, where ps shows it',
    helpFor: {
      worker:
        'the Redis that the coordinator uses: redis://[:password@]host[:port][/db], rediss://… (TLS) or a unix socket path; ' +
        'the password better in $DIGIT_PAIRS_REDIS_PASSWORD',
    },
    commands: ['study', 'tune', 'worker'],
  }),
  lockSeconds: option(z.int().min(1).optional(), {
    flag: 'lock-seconds',
    value: 'S',
    help: 'with --queue: a job whose worker stops renewing its lock for S seconds goes back to the queue',
    helpFor: { worker: "how long this worker's job locks live without renewal" },
    commands: ['study', 'tune', 'worker'],
    shown: String(DEFAULT_LOCK_SECONDS),
  }),
  model: option(z.string().min(1).optional(), { flag: 'model', value: 'M', help: 'the model (as in the run)', commands: ['export'] }),
  round: option(z.int().min(1).optional(), { flag: 'round', value: 'R', help: 'the round, counted from 1', commands: ['export'] }),
  exportOut: option(z.string().min(1).optional(), {
    flag: 'out',
    value: 'DIR',
    help: 'where to write the model files',
    commands: ['export'],
    shown: 'RUN_DIR/models/<model>-round<R>',
  }),
  modelFile: option(z.string().min(1).optional(), {
    flag: 'model-file',
    value: 'FILE',
    help: 'the model file (.js, .mjs, .ts) of a model trained from one; refused unless its SHA-256 is the one model.json names',
    commands: ['predict', 'app'],
  }),
  stopSeconds: option(z.int().min(0).max(86_400).default(25), {
    flag: 'stop-seconds',
    value: 'S',
    help: 'on the first SIGINT/SIGTERM: how long to finish the jobs in hand before returning them to the queue (25 + 5 s for Redis: within a 30 s grace period)',
    commands: ['worker'],
  }),
  modelsDir: option(z.string().min(1).optional(), {
    flag: 'models-dir',
    value: 'DIR',
    help: 'the model files this worker may run (every .js, .mjs, .ts in DIR), matched to a job by SHA-256; a job naming another is put back for other workers',
    shown: 'none: built-in models only',
    commands: ['worker'],
  }),
  skipBadLines: option(z.boolean().default(false), {
    flag: 'skip-bad-lines',
    help: 'build from the good lines of a damaged results.jsonl, naming the lines left out (without it a damaged line is refused)',
    commands: ['report'],
    sets: true,
  }),
  // Names as the runs recorded them (a model file's too), so not the study's list of built-in models.
  compareModels: option(z.array(z.string().min(1)).min(1).optional(), {
    flag: 'models',
    value: 'a,b,…',
    help: 'with two runs: the models to compare, each in both runs, or x:y for model x of run A against model y of run B; with one run: exactly two, the second compared against the first',
    commands: ['compare'],
    shown: 'every model in both runs',
  }),
  html: option(z.string().min(1).optional(), {
    flag: 'html',
    value: 'FILE',
    help: "also write the comparison to FILE as a self-contained HTML page: the table and every round's train and test error per model and run",
    commands: ['compare'],
  }),
  json: option(z.boolean().default(false), {
    flag: 'json',
    help: 'one JSON object on stdout, for scripts',
    helpFor: { runs: 'the same rows as one JSON array on stdout, for scripts' },
    commands: ['predict', 'runs', 'compare'],
    sets: true,
  }),
  port: option(z.int().min(0).max(65_535).default(DEFAULT_APP_PORT), {
    flag: 'port',
    value: 'P',
    help: 'serve on http://127.0.0.1:P/ (0: any free port)',
    commands: ['app'],
  }),
  appOut: option(z.string().min(1).optional(), {
    flag: 'out',
    value: 'DIR',
    help: 'write the app as a static folder instead (serve it with any static file server)',
    commands: ['app'],
  }),
  help: option(z.boolean().default(false), {
    flag: 'help',
    short: 'h',
    help: 'this help',
    commands: COMMAND_NAMES,
    sets: true,
  }),
});

/** How a command runs (not recorded with the results). */
export type RunFlags = z.output<typeof runFields>;

/** One declared option: where its value goes (a config path or a run flag), its schema and its CLI meta. */
interface Declared {
  path: string;
  target: 'config' | 'run';
  schema: z.ZodType;
  meta: OptionMeta;
}

const declare = (target: Declared['target'], fields: Record<string, z.ZodType>): Declared[] =>
  Object.entries(fields).flatMap(([path, schema]) => {
    const meta = optionRegistry.get(schema);
    return meta ? [{ path, target, schema, meta }] : [];
  });

const DECLARED: Declared[] = [...declare('config', CONFIG_OPTION_FIELDS), ...declare('run', runFields.shape)];

/** A command's options, in declaration order (the config's first, help last). */
export const optionsOf = (command: CommandName): Declared[] => DECLARED.filter((d) => d.meta.commands.includes(command));

/** The flag of each config field (dotted path), so messages speak the user's language. */
export const FLAG_OF: Record<string, string> = Object.fromEntries(DECLARED.filter((d) => d.target === 'config').map((d) => [d.path, `--${d.meta.flag}`]));

/** The schema under its default / nullable / optional wrappers. */
function core(schema: z.ZodType): z.core.$ZodTypeDef {
  let def = schema._zod.def;
  while ('innerType' in def) def = (def.innerType as z.ZodType)._zod.def;
  return def;
}

/** The default a schema fills in, if any. */
function schemaDefault(schema: z.ZodType): unknown {
  const def = schema._zod.def as { type: string; defaultValue?: unknown };
  return def.type === 'default' ? def.defaultValue : undefined;
}

export function wholeNumber(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UserError(`--${flag}: '${text}' is not a whole number`);
  return Number(text);
}

function aNumber(flag: string, text: string): number {
  if (text.trim() === '' || !Number.isFinite(Number(text))) throw new UserError(`--${flag}: '${text}' is not a number`);
  return Number(text);
}

function numberList(flag: string, text: string): number[] {
  const values = text.split(',').map((t) => t.trim());
  const bad = values.find((t) => t === '' || !Number.isFinite(Number(t)));
  if (bad !== undefined) throw new UserError(`--${flag}: '${bad}' is not a number (give a comma-separated list, e.g. 0.1,1,10)`);
  return values.map(Number);
}

/** A list of names: groups expanded, duplicates dropped, unknown names refused with the valid ones (file paths pass, where the option takes files). */
function nameList(meta: OptionMeta, valid: readonly string[], text: string): string[] {
  const groups = meta.groups ?? {};
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .flatMap((n) => groups[n] ?? [n]);
  const unknown = names.filter((n) => !valid.includes(n) && !(meta.files && isModelFilePath(n)));
  if (unknown.length) {
    const choices = [...Object.keys(groups), ...valid].join(', ');
    throw new UserError(`--${meta.flag} ${unknown.join(',')}: must be one of ${choices}${meta.files ? `, or ${meta.files}` : ''}`);
  }
  return [...new Set(names)];
}

/** Reads an option whose value is not text but a file's contents (--hparams FILE). */
export type Reader = (text: string) => unknown;

/** The command-line text of an option as the value its schema takes. */
function fromText(option: Declared, text: string | boolean, readers: Record<string, Reader>): unknown {
  const { meta } = option;
  if (typeof text === 'boolean') return meta.sets ?? text;
  const def = core(option.schema);
  const reader = readers[option.path];
  if (reader) return reader(text);
  if (def.type === 'number') return (def as { format?: string }).format === 'safeint' ? wholeNumber(meta.flag, text) : aNumber(meta.flag, text);
  if (def.type === 'array') {
    const element = core((def as unknown as { element: z.ZodType }).element);
    if (element.type === 'number') return numberList(meta.flag, text);
    if (element.type === 'enum') return nameList(meta, Object.values((element as unknown as { entries: Record<string, string> }).entries), text);
    if (meta.choices) return nameList(meta, meta.choices, text);
    if (element.type === 'string')
      return text
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
  }
  return text;
}

/** Sets `value` at a dotted path of `target` (`tune.folds`). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, ...rest] = path.split('.');
  if (!rest.length) target[head] = value;
  else {
    target[head] ??= {};
    setPath(target[head] as Record<string, unknown>, rest.join('.'), value);
  }
}

export interface ParsedCommand {
  /** The config fields given on the command line (nested as the config has them). */
  config: Record<string, unknown>;
  /** The top-level config fields given, for naming them in messages. */
  configGiven: Set<string>;
  /** How the command runs, validated, defaults filled in. */
  run: RunFlags;
  /** The run flags given explicitly (a default and a given value can be told apart). */
  runGiven: Set<keyof RunFlags>;
  positionals: string[];
}

/**
 * `--seed -1` would read -1 as an option of its own: glue a value that looks like a negative
 * number to its option (`--seed=-1`), so the message can be about the value.
 */
function glueNegativeValues(args: string[], valued: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith('--') ? args[i].slice(2) : undefined;
    if (name && valued.has(name) && /^-\d/.test(args[i + 1] ?? '')) out.push(`${args[i]}=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}

/** Edit distance between two flags, for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/** Node's parser errors in our words: what was wrong, what is valid, on one line. */
function parseError(command: CommandName, error: Error & { code?: string }, options: NonNullable<ParseArgsConfig['options']>): Error {
  const flag = /'(-{1,2}[^' =,]+)/.exec(error.message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '');
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flags = Object.keys(options);
    const nearest = flags.map((f) => [f, distance(name, f)] as const).sort((x, y) => x[1] - y[1])[0];
    const guess = nearest && (nearest[1] <= Math.max(2, name.length / 3) || nearest[0].startsWith(name)) ? ` (did you mean --${nearest[0]}?)` : '';
    return new UserError(`${command}: unknown option ${flag}${guess}; valid: ${flags.map((f) => `--${f}`).join(', ')}`);
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const declared = optionsOf(command).find((o) => o.meta.flag === name || o.meta.short === name);
    if (declared?.meta.value) return new UserError(`--${declared.meta.flag}: needs a value (${declared.meta.value})`);
    if (declared) return new UserError(`--${declared.meta.flag}: takes no value`);
  }
  return new UserError(error.message.split('\n')[0]);
}

/** A command's parseArgs options, from its declarations. */
export function parserOptions(command: CommandName): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    optionsOf(command).map(({ meta }) => [meta.flag, { type: meta.value ? 'string' : 'boolean', ...(meta.short ? { short: meta.short } : {}) } as const]),
  );
}

/**
 * Parses a command line strictly: each flag's text becomes the value its schema takes (whole
 * numbers, lists, a group of models, a switch), the run flags are validated, and positionals are
 * returned for the command to judge. `readers` turn the text of file-valued options into values.
 */
export function parseCommand(command: CommandName, args: string[], readers: Record<string, Reader> = {}): ParsedCommand {
  const options = parserOptions(command);
  const valued = new Set(Object.entries(options).flatMap(([flag, o]) => (o.type === 'string' ? [flag] : [])));
  let line: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true; strict: true }>>;
  try {
    line = parseArgs({ args: glueNegativeValues(args, valued), options, allowPositionals: true, strict: true });
  } catch (error) {
    throw parseError(command, error as Error & { code?: string }, options);
  }
  const { values, positionals } = line;
  const config: Record<string, unknown> = {};
  const run: Record<string, unknown> = {};
  for (const option of optionsOf(command)) {
    const text = (values as Record<string, string | boolean | undefined>)[option.meta.flag];
    if (text === undefined) continue;
    setPath(option.target === 'config' ? config : run, option.path, fromText(option, text, readers));
  }
  const parsed = runFields.safeParse(run, { reportInput: true });
  if (!parsed.success)
    throw new UserError(describeIssues(parsed.error, (path) => `--${optionRegistry.get(runFields.shape[path as keyof RunFlags])?.flag ?? path}`));
  return {
    config,
    configGiven: new Set(Object.keys(config)),
    run: parsed.data,
    runGiven: new Set(Object.keys(run) as (keyof RunFlags)[]),
    positionals,
  };
}

/** The default an option shows in the help, if it has one worth saying. */
function shownDefault(option: Declared, command: CommandName): string | undefined {
  const { meta } = option;
  if (meta.shown !== undefined) return meta.shown;
  if (!meta.value) return undefined; // a switch is off unless given
  const value = meta.defaultFor && command in meta.defaultFor ? meta.defaultFor[command] : schemaDefault(option.schema);
  if (value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value))) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
}

/** The flag column of an option's help line: `--rounds N`, `-h, --help`. */
export const flagLabel = ({ meta }: Declared): string => `${meta.short ? `-${meta.short}, ` : ''}--${meta.flag}${meta.value ? ` ${meta.value}` : ''}`;

/** An option's help sentence for `command`, with its default. */
export function optionText(option: Declared, command: CommandName): string {
  const shown = shownDefault(option, command);
  return `${option.meta.helpFor?.[command] ?? option.meta.help}${shown === undefined ? '' : ` (default ${shown})`}`;
}

/** Wraps `text` to `width` columns, continuation lines indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** The options block of a command's --help. */
export function optionsHelp(command: CommandName): string {
  const column = 21;
  return optionsOf(command)
    .map((option) => {
      const label = `  ${flagLabel(option)}`;
      const text = wrap(optionText(option, command), 100, column);
      return label.length < column - 1 ? `${label.padEnd(column)}${text}` : `${label}\n${' '.repeat(column)}${text}`;
    })
    .join('\n');
}
