/** Every error code `@agentlang/resolver` throws (the `RESOLVE_` prefix maps to exit code 11 in the CLI); switch on `error.code`. */
export const ResolveErrorCode = {
  /** A declared tool is in no catalog (built-in, local catalog directories, registry sources). */
  ToolUnknown: 'RESOLVE_TOOL_UNKNOWN',
  /** No version of a tool satisfies the constraint; `details.available` lists the versions that exist. */
  ToolUnsatisfiable: 'RESOLVE_TOOL_UNSATISFIABLE',
  /** A tool constraint is not a valid semver range. */
  ToolConstraint: 'RESOLVE_TOOL_CONSTRAINT',
  /** A local tool catalog directory or one of its files is unreadable or malformed. */
  CatalogInvalid: 'RESOLVE_CATALOG_INVALID',
  /** A model is in no model catalog and `strict` is on (otherwise a warning). */
  ModelUnknown: 'RESOLVE_MODEL_UNKNOWN',
  /** `selectRuntime({ localOnly: true })` and no local model (ollama, test-echo) to route to. */
  ModelUnroutable: 'RESOLVE_MODEL_UNROUTABLE',
  /** The requested runtime is not one the resolver knows. */
  RuntimeUnknown: 'RESOLVE_RUNTIME_UNKNOWN',
  /** Strict mode and something the run needs is missing (runtime binary, dependency, credentials). */
  Missing: 'RESOLVE_MISSING',
  /** An MCP server's `{{.env.X}}` template names a variable that is not set. */
  McpEnv: 'RESOLVE_MCP_ENV',
  /** An MCP server's `command` or `args` uses a `{{.env.X}}` template: a secret would land on a command line. */
  McpArgvTemplate: 'RESOLVE_MCP_ARGV_TEMPLATE',
  /** An agent that did not come from the working tree reads host variables the user did not allow (`--allow-env`). */
  EnvConsent: 'RESOLVE_ENV_CONSENT',
  /** An MCP server could not be started, or failed during initialize / tools/list. */
  McpStart: 'RESOLVE_MCP_START',
  /** An MCP server must be probed but the optional peer dependency `@modelcontextprotocol/sdk` is not installed. */
  McpSdkMissing: 'RESOLVE_MCP_SDK_MISSING',
  /** An MCP server did not answer within the timeout. */
  McpTimeout: 'RESOLVE_MCP_TIMEOUT',
  /** A whitelisted MCP tool is not offered by the server; `details.offered` lists what is. */
  McpWhitelist: 'RESOLVE_MCP_WHITELIST',
  /** The host profile name is unknown, or the custom profile file is malformed. */
  HostProfile: 'RESOLVE_HOST_PROFILE',
  /** A required capability is not granted by the host profile. */
  PermissionDenied: 'RESOLVE_PERMISSION_DENIED',
  /** A sub-agent could not be found or loaded. */
  Subagent: 'RESOLVE_SUBAGENT',
  /** Delegation forms a cycle; the message names the chain. */
  DelegateCycle: 'RESOLVE_DELEGATE_CYCLE',
  /** Delegation is deeper than `max_depth`. */
  DelegateDepth: 'RESOLVE_DELEGATE_DEPTH',
  /** Strict mode and the manifest has loader warnings (an unknown key such as `verison:`, …); `details.warnings` lists them. */
  ManifestWarning: 'RESOLVE_MANIFEST_WARNING',
  /** The system prompt could not be compiled. */
  Prompt: 'RESOLVE_PROMPT',
} as const;

/** One of the string codes in {@link ResolveErrorCode}. */
export type ResolveErrorCode = (typeof ResolveErrorCode)[keyof typeof ResolveErrorCode];

/** The one error class of @agentlang/resolver: a string `code`, an actionable message, structured details. */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  readonly code: ResolveErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: ResolveErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
