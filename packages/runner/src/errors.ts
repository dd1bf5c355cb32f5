/** Every error code the runner throws; the `RUNNER_` prefix maps to exit code 15 in the CLI. */
export type RunnerErrorCode =
  /** No adapter exists for the runtime the plan names (or `--runtime` asked for). */
  | 'RUNNER_UNKNOWN_RUNTIME'
  /** The plan says the runtime's binary is not on PATH. */
  | 'RUNNER_RUNTIME_MISSING'
  /** The plan has blockers (`missing`) that stop a run. */
  | 'RUNNER_PLAN_BLOCKED'
  /** A record id is not a ULID (guards against path traversal). */
  | 'RUNNER_RECORD_ID'
  /** No record with that id exists in the records directory. */
  | 'RUNNER_RECORD_NOT_FOUND'
  /** A record file is unreadable or not an `agentlang.record/v1` document. */
  | 'RUNNER_RECORD_INVALID'
  /** `--pubkey` was given but the record has no signed envelope beside it. */
  | 'RUNNER_RECORD_UNSIGNED'
  /** The record could not be written (directory not writable, disk full, …). */
  | 'RUNNER_RECORD_WRITE'
  /** `--sign-key-env` names a variable that is unset or not a 32-byte hex seed. */
  | 'RUNNER_SIGN_KEY'
  /** The run input (`--prompt`/`--input`) is unusable: unreadable file, both given, … */
  | 'RUNNER_INPUT'
  /** The agent's trust grants write access to a host-owned path (`.agentlang/`, the records directory). */
  | 'RUNNER_POLICY_PROTECTED';

/** The runner's one error class: a string `code`, an actionable message and structured details. */
export class RunnerError extends Error {
  readonly code: RunnerErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: RunnerErrorCode, message: string, details: Record<string, unknown> = {}, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunnerError';
    this.code = code;
    this.details = details;
  }
}
