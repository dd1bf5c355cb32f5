/**
 * Every error code the CLI itself throws; switch on `error.code`. All are wrong invocations, caught
 * before anything starts: their codes start with `USAGE_` so they exit 2 (the USAGE family). Errors
 * from the packages keep their own codes and families (src/exit-codes.ts).
 */
export const CliErrorCode = {
  /** No command was given, or one `agentlang` does not have (`agentlang frobnicate`, `agentlang help frobnicate`). */
  Command: 'USAGE_COMMAND',
  /** A positional argument is missing, one too many, or not one of its choices (`agentlang records shw`, `schema nope`). */
  Argument: 'USAGE_ARGUMENT',
  /** A flag is unknown, lacks its value, has a malformed value (a number, a choice, a URL), is required and absent, or contradicts another. */
  Flag: 'USAGE_FLAG',
  /** An environment variable a flag names (`--identity-env VAR`, `--passphrase-env VAR`) or the command needs is unset or empty. */
  Env: 'USAGE_ENV',
  /** `agentlang init` refuses to overwrite files that exist. */
  Exists: 'USAGE_EXISTS',
  /** A session id (`run --session`, `sessions show`) is not a safe file name: separators, `..`, too long. */
  Session: 'USAGE_SESSION',
  /** `agentlang sessions show <id>` names no stored session. */
  SessionNotFound: 'USAGE_SESSION_NOT_FOUND',
} as const;

/** One of the string codes in {@link CliErrorCode}. */
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** The one error class of the CLI: a wrong invocation; main.ts prints it, points at the verb's help and exits 2. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: CliErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
