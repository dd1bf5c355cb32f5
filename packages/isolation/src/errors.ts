/** Every way isolation can fail; a consumer can `switch (error.code)`. */
export const IsolationErrorCode = {
  /** No usable sandbox backend (bubblewrap missing) and `--unsafe-no-isolation` was not given. */
  Unavailable: 'SANDBOX_UNAVAILABLE',
  /** The policy asks for something the backend cannot enforce (e.g. a host allow-list without a proxy); refused rather than ignored. */
  Unsupported: 'SANDBOX_UNSUPPORTED',
  /** The policy or the trust/permissions it came from is malformed (bad level, relative path, bad env name). */
  InvalidPolicy: 'SANDBOX_INVALID_POLICY',
  /** The command to sandbox is malformed (empty argv, bad secret name, file path outside the sandbox). */
  InvalidCommand: 'SANDBOX_INVALID_COMMAND',
  /** `AGENTLANG_ISOLATION_BACKEND` names no known backend. */
  UnknownBackend: 'SANDBOX_UNKNOWN_BACKEND',
  /** Preparing the sandbox failed on the host (temp files, seccomp program, cgroup). */
  PrepareFailed: 'SANDBOX_PREPARE_FAILED',
  /** The sandbox process could not be spawned. */
  SpawnFailed: 'SANDBOX_SPAWN_FAILED',
} as const;

/** One of the `SANDBOX_*` string codes. */
export type IsolationErrorCode = (typeof IsolationErrorCode)[keyof typeof IsolationErrorCode];

/** The single error class of `@agentlang/isolation`. */
export class IsolationError extends Error {
  /** Stable string code, prefixed `SANDBOX_`. */
  readonly code: IsolationErrorCode;
  /** Structured facts about the failure (path, level, backend, …). */
  readonly details: Record<string, unknown>;

  constructor(
    code: IsolationErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IsolationError';
    this.code = code;
    this.details = options.details ?? {};
  }
}
