import type { Diagnostic } from './diagnostic.js';

/** Every error code `@agentlang/manifest` reports, in a thrown {@link ManifestError} or a diagnostic; switch on `error.code`. */
export const ManifestErrorCode = {
  /** The manifest has one or more error diagnostics; `details.diagnostics` lists every one. */
  Invalid: 'MANIFEST_INVALID',
  /** The path does not exist, or a directory holds no `agent.yaml`. */
  NotFound: 'MANIFEST_NOT_FOUND',
  /** A file could not be read (permissions, I/O error). */
  Io: 'MANIFEST_IO',
  /** The input is a packed `.agent` container; unpack it (e.g. @agentlang/container) and use loadAgentFromFiles. */
  IsContainer: 'MANIFEST_IS_CONTAINER',
  /** A file exceeds the size cap (default 1 MiB per file), or its collections nest more than 64 levels deep. */
  TooLarge: 'MANIFEST_TOO_LARGE',
  /** YAML syntax error or YAML warning (warnings are errors here). */
  YamlSyntax: 'MANIFEST_YAML_SYNTAX',
  /** A mapping holds the same key twice. */
  DuplicateKey: 'MANIFEST_DUPLICATE_KEY',
  /** A YAML tag other than the core schema's (`!!str`, …) was used. */
  UnknownTag: 'MANIFEST_UNKNOWN_TAG',
  /** A key named `__proto__`, `constructor` or `prototype` was used. */
  ForbiddenKey: 'MANIFEST_FORBIDDEN_KEY',
  /** Alias expansion exceeded the bound (a "billion laughs" alias bomb). */
  AliasLimit: 'MANIFEST_ALIAS_LIMIT',
  /** The document is neither dialect (no mapping, or an unknown `apiVersion`). */
  Dialect: 'MANIFEST_DIALECT',
  /** A value has the wrong type, a required key is missing, or a value is not one of the allowed ones. */
  Schema: 'MANIFEST_SCHEMA',
  /** A key the schema does not know (a warning naming the nearest known key). */
  UnknownKey: 'MANIFEST_UNKNOWN_KEY',
  /** A `version` was written as a YAML number (`version: 1.10` reads as 1.1); quote it. */
  VersionType: 'MANIFEST_VERSION_TYPE',
  /** A version is not valid semver, or a version constraint is not a valid semver range. */
  Semver: 'MANIFEST_SEMVER',
  /** A cron schedule is not a valid 5-field cron expression. */
  Cron: 'MANIFEST_CRON',
  /** A skill's allowed-tools or a UI sync action names a tool the agent does not declare. */
  ToolRef: 'MANIFEST_TOOL_REF',
  /** `depends_on` or a delegate permission names an agent that is not declared. */
  AgentRef: 'MANIFEST_AGENT_REF',
  /** A template variable (`{{.env.X}}`, `{{x}}`) names no known source. */
  TemplateVar: 'MANIFEST_TEMPLATE_VAR',
  /** The same name is declared twice (tools, sub-agents, …). */
  DuplicateName: 'MANIFEST_DUPLICATE_NAME',
  /** A file the manifest references (sub-agent, skill, base) does not exist. */
  FileMissing: 'MANIFEST_FILE_MISSING',
  /** A referenced path is absolute or escapes the agent root with `..`. */
  PathEscape: 'MANIFEST_PATH_ESCAPE',
  /** `prompt.yaml` failed to parse (PromptLang error). */
  Prompt: 'MANIFEST_PROMPT',
  /** A skill's SKILL.md has missing or invalid frontmatter. */
  Skill: 'MANIFEST_SKILL',
  /** A `base:` registry reference could not be fetched (no registry configured, not found, digest mismatch), or a registry base names a path. */
  BaseRef: 'MANIFEST_BASE_REF',
  /** A tool's `input_schema` / `output_schema` is not a JSON Schema (draft-07 meta-schema). */
  ToolSchema: 'MANIFEST_TOOL_SCHEMA',
  /** (warning) The agent's name is valid here but a registry refuses it (dots, upper case); the message gives a publishable spelling. */
  NameUnpublishable: 'MANIFEST_NAME_UNPUBLISHABLE',
  /** A child's trust is wider than its base's, or a scope path lies outside the base's. */
  Inheritance: 'MANIFEST_INHERITANCE',
  /** (warning) An AgentSpec skill, behaviour trait or MCP server name AgentLang has no mapping for (passed through or left out, with the nearest known name). */
  UnknownName: 'MANIFEST_UNKNOWN_NAME',
  /** A string that reaches terminals and logs holds a control character (ESC, CR, NUL, …), or a one-line value (version, name) a line break. */
  ControlChar: 'MANIFEST_CONTROL_CHAR',
  /** `base:` inheritance or static `depends_on` forms a cycle (the message names the chain). */
  Cycle: 'MANIFEST_CYCLE',
} as const;

/** One of the string codes in {@link ManifestErrorCode}. */
export type ManifestErrorCode = (typeof ManifestErrorCode)[keyof typeof ManifestErrorCode];

/** Structured details on a {@link ManifestError}. */
export interface ManifestErrorDetails {
  file?: string;
  line?: number;
  column?: number;
  path?: string;
  diagnostics?: Diagnostic[];
  [key: string]: unknown;
}

/** The one error class of @agentlang/manifest: a string `code`, a message a person can act on, structured details. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code: ManifestErrorCode;
  readonly details: ManifestErrorDetails;

  constructor(
    code: ManifestErrorCode,
    message: string,
    options: { details?: ManifestErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True when `value` is a {@link ManifestError}. */
export function isManifestError(value: unknown): value is ManifestError {
  return value instanceof ManifestError;
}
