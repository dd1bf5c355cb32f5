/** Every error code `@agentlang/runner` throws (the `RUNNER_` prefix maps to exit code 15 in the CLI): switch on `error.code`. */
export const RunnerErrorCode = {
  /** No adapter exists for the runtime the plan names (or `--runtime` asked for). */
  UnknownRuntime: 'RUNNER_UNKNOWN_RUNTIME',
  /** The plan says the runtime's binary is not on PATH. */
  RuntimeMissing: 'RUNNER_RUNTIME_MISSING',
  /** The plan has blockers (`missing`) that stop a run. */
  PlanBlocked: 'RUNNER_PLAN_BLOCKED',
  /** A record id is not a ULID (guards against path traversal). */
  RecordId: 'RUNNER_RECORD_ID',
  /** No record with that id exists in the records directory. */
  RecordNotFound: 'RUNNER_RECORD_NOT_FOUND',
  /** A record file is unreadable or not an `agentlang.record/v1` document. */
  RecordInvalid: 'RUNNER_RECORD_INVALID',
  /** `--pubkey` was given but the record has no signed envelope beside it. */
  RecordUnsigned: 'RUNNER_RECORD_UNSIGNED',
  /** The record could not be written (directory not writable, disk full, …). */
  RecordWrite: 'RUNNER_RECORD_WRITE',
  /** `--sign-key-env` names a variable that is unset or not a 32-byte hex seed. */
  SignKey: 'RUNNER_SIGN_KEY',
  /** The run input (`--prompt`/`--input`) is unusable: unreadable file, both given, … */
  Input: 'RUNNER_INPUT',
  /** The agent's trust grants write access to a host-owned path (`.agentlang/`, the records directory). */
  PolicyProtected: 'RUNNER_POLICY_PROTECTED',
} as const;

/** One of the string codes in {@link RunnerErrorCode}. */
export type RunnerErrorCode = (typeof RunnerErrorCode)[keyof typeof RunnerErrorCode];

/** The one error class of `@agentlang/runner`: a string `code`, an actionable message and structured details. */
export class RunnerError extends Error {
  override readonly name = 'RunnerError';
  readonly code: RunnerErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: RunnerErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
