import type { ParseArgsConfig } from 'node:util';

/** Option declarations of one command, in `node:util` parseArgs form. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

/** What a command receives: parsed arguments and the process surroundings. */
export interface CommandContext {
  /** Positional arguments after the verb. */
  positionals: string[];
  /** Parsed option values, keyed by long option name. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** `--json`: the result is printed as exactly one JSON document. */
  json: boolean;
  /** `--verbose`: explain decisions on stderr. */
  verbose: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Writes one line of log or progress to stderr (never stdout). */
  log: (line: string) => void;
}

/** What a command returns; main.ts alone prints it and exits. */
export interface CommandResult {
  /** Human output for stdout (no trailing newline needed). */
  text?: string;
  /** The `--json` document. */
  data?: unknown;
  /** Exit status; 0 when absent. */
  exitCode?: number;
}

/** A command's module: loaded lazily so start-up pays only for the verb being run. */
export interface CommandModule {
  run(ctx: CommandContext): Promise<CommandResult>;
}

/** A verb in the registry: its help lives here so `--help` needs no import of the command. */
export interface CommandSpec {
  /** The verb, e.g. `validate`. */
  name: string;
  /** One line for `agentlang --help`. */
  summary: string;
  /** Usage lines shown by `agentlang <verb> --help`. */
  usage: string;
  options: CommandOptions;
  /** Loads the command's module (a lazy chunk of the bundle). */
  load: () => Promise<CommandModule>;
}

/**
 * A wrong invocation (missing argument, bad flag value). main.ts prints the message and the
 * command's help, and exits with the USAGE code (2). `code` may be refined (`USAGE_EXISTS`).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: { code?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'USAGE';
    this.details = options.details;
  }
}

/** Bounds of {@link parseIntegerOption}. */
export interface IntegerRange {
  min?: number;
  max?: number;
}

/**
 * Reads a numeric flag (`--max-upload-mib 512`): undefined when absent, else a safe integer within
 * `range`, or a UsageError (exit 2) naming the flag, what was given and the expected form.
 * `Number('abc')` is NaN, and a NaN limit once disabled the registry's upload limit silently.
 */
export function parseIntegerOption(name: string, value: unknown, range: IntegerRange = {}): number | undefined {
  if (value === undefined) return undefined;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  const text = typeof value === 'string' ? value.trim() : '';
  const number = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    const bounds = range.min !== undefined && range.max !== undefined ? `from ${min} to ${max}` : range.min !== undefined ? `of at least ${min}` : range.max !== undefined ? `of at most ${max}` : '';
    throw new UsageError(`--${name} '${String(value).slice(0, 40)}' is not valid; expected a whole number${bounds ? ` ${bounds}` : ''} (e.g. --${name} ${Math.max(min, Math.min(max, 1))})`, {
      code: 'USAGE_FLAG',
      details: { flag: name, value: String(value).slice(0, 40), ...(range.min !== undefined ? { min } : {}), ...(range.max !== undefined ? { max } : {}) },
    });
  }
  return number;
}

/**
 * Reads an enumerated flag: undefined when absent, else one of `choices`, or a UsageError (exit 2)
 * listing them.
 */
export function parseChoiceOption<T extends string>(name: string, value: unknown, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} '${String(value).slice(0, 40)}' is not valid; expected one of ${choices.join(', ')}`, {
    code: 'USAGE_FLAG',
    details: { flag: name, value: String(value).slice(0, 40), choices: [...choices] },
  });
}
