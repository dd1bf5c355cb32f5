/**
 * Every error code @agentlang/resolver throws, with the one-line meaning of each. The `RESOLVE_`
 * prefix maps to exit code 11 in the CLI.
 */
export const RESOLVE_ERROR_CODES = {
  /** A declared tool is in no catalog (built-in, local catalog directories, registry sources). */
  RESOLVE_TOOL_UNKNOWN: 'a declared tool is in no catalog',
  /** No version of a tool satisfies the constraint; `details.available` lists the versions that exist. */
  RESOLVE_TOOL_UNSATISFIABLE: 'no catalog version satisfies the tool constraint',
  /** A tool constraint is not a valid semver range. */
  RESOLVE_TOOL_CONSTRAINT: 'a tool constraint is not a valid semver range',
  /** A local tool catalog directory or one of its files is unreadable or malformed. */
  RESOLVE_CATALOG_INVALID: 'a local tool catalog or model catalog file is malformed',
  /** A model is in no model catalog and `strict` is on (otherwise a warning). */
  RESOLVE_MODEL_UNKNOWN: 'a declared model is in no model catalog (strict mode)',
  /** `selectRuntime({ localOnly: true })` and no local model (ollama, test-echo) to route to. */
  RESOLVE_MODEL_UNROUTABLE: 'local-only routing found no local model',
  /** The requested runtime is not one the resolver knows. */
  RESOLVE_RUNTIME_UNKNOWN: 'the requested runtime is not a known runtime adapter',
  /** Strict mode and something the run needs is missing (runtime binary, dependency, credentials). */
  RESOLVE_MISSING: 'something the run needs is missing (strict mode)',
  /** An MCP server's `{{.env.X}}` template names a variable that is not set. */
  RESOLVE_MCP_ENV: 'an MCP server env template names an unset variable',
  /** An MCP server's `command` or `args` uses a `{{.env.X}}` template: a secret would land on a command line. */
  RESOLVE_MCP_ARGV_TEMPLATE: 'an MCP server command or args use an env template (secrets go in env)',
  /** An agent that did not come from the working tree reads host variables the user did not allow (`--allow-env`). */
  RESOLVE_ENV_CONSENT: 'a packed agent reads host environment variables without consent',
  /** An MCP server could not be started, or failed during initialize / tools/list. */
  RESOLVE_MCP_START: 'an MCP server failed to start or to answer',
  /** An MCP server must be probed but the optional peer dependency `@modelcontextprotocol/sdk` is not installed. */
  RESOLVE_MCP_SDK_MISSING: 'the MCP SDK (an optional peer dependency) is not installed, and an MCP server must be probed',
  /** An MCP server did not answer within the timeout. */
  RESOLVE_MCP_TIMEOUT: 'an MCP server did not answer in time',
  /** A whitelisted MCP tool is not offered by the server; `details.offered` lists what is. */
  RESOLVE_MCP_WHITELIST: 'a whitelisted MCP tool is not offered by the server',
  /** The host profile name is unknown, or the custom profile file is malformed. */
  RESOLVE_HOST_PROFILE: 'unknown host profile or malformed profile file',
  /** A required capability is not granted by the host profile. */
  RESOLVE_PERMISSION_DENIED: 'a required capability is not granted by the host',
  /** A sub-agent could not be found or loaded. */
  RESOLVE_SUBAGENT: 'a sub-agent could not be found or loaded',
  /** Delegation forms a cycle; the message names the chain. */
  RESOLVE_DELEGATE_CYCLE: 'delegation forms a cycle',
  /** Delegation is deeper than `max_depth`. */
  RESOLVE_DELEGATE_DEPTH: 'delegation is deeper than max_depth',
  /** Strict mode and the manifest has loader warnings (an unknown key such as `verison:`, …); `details.warnings` lists them. */
  RESOLVE_MANIFEST_WARNING: 'the manifest has warnings (unknown keys, …) and strict mode is on',
  /** The system prompt could not be compiled. */
  RESOLVE_PROMPT: 'the system prompt could not be compiled',
} as const;

/** A string code from {@link RESOLVE_ERROR_CODES}. */
export type ResolveErrorCode = keyof typeof RESOLVE_ERROR_CODES;

/** The one error class of @agentlang/resolver: a string `code`, an actionable message, structured details. */
export class ResolveError extends Error {
  override readonly name = 'ResolveError';
  readonly code: ResolveErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ResolveErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}
