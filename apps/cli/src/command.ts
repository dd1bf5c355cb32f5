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
