/** Every error code `@agentlang/harness` throws; a consumer can `switch (error.code)`. */
export const HarnessErrorCode = {
  /** The model configuration is incomplete or contradictory (no base URL, unknown provider, no key). */
  Config: 'HARNESS_CONFIG',
  /** The provider answered with an HTTP error status that retries did not cure. */
  ModelHttp: 'HARNESS_MODEL_HTTP',
  /** The provider's answer did not follow its protocol (bad JSON, unknown stream event order). */
  ModelProtocol: 'HARNESS_MODEL_PROTOCOL',
  /** The provider refused the request because the conversation is longer than its context window. */
  ContextTooLong: 'HARNESS_CONTEXT_TOO_LONG',
  /** A model request or a tool call passed its time limit. */
  Timeout: 'HARNESS_TIMEOUT',
  /** The caller's abort signal fired. */
  Aborted: 'HARNESS_ABORTED',
  /** A host-side network tool was asked for an address its egress allowlist does not hold. */
  EgressDenied: 'HARNESS_EGRESS_DENIED',
  /** A tool's declaration cannot be executed as written (bad body template, unknown parameter type). */
  ToolDefinition: 'HARNESS_TOOL_DEFINITION',
  /** An MCP server failed to start or list its tools, lacks a whitelisted tool, or a tool's definition no longer matches its pinned digest. */
  McpStart: 'HARNESS_MCP_START',
  /** A model recording cannot be read or is not one (`AGENTLANG_HARNESS_REPLAY`, `readRecording`). */
  Replay: 'HARNESS_REPLAY',
  /** A replayed run sent a model request that differs from the recorded one (the message holds a diff), or more requests than were recorded. */
  ReplayMismatch: 'HARNESS_REPLAY_MISMATCH',
  /** A session id is not a safe file name (separators, `..`, too long). */
  SessionId: 'HARNESS_SESSION_ID',
  /** Another live run holds the session. */
  SessionLocked: 'HARNESS_SESSION_LOCKED',
  /** A stored session cannot be read back (not JSON, wrong schema). */
  SessionCorrupt: 'HARNESS_SESSION_CORRUPT',
  /** A crew cannot run as declared: a `depends_on` cycle or unknown member, a hierarchical crew without a manager. */
  Delegation: 'HARNESS_DELEGATION',
} as const;

/** One of the string codes in {@link HarnessErrorCode}. */
export type HarnessErrorCode = (typeof HarnessErrorCode)[keyof typeof HarnessErrorCode];

/** The one error class of `@agentlang/harness`: a string `code`, a message a person can act on, and `details`. */
export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly code: HarnessErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: HarnessErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
