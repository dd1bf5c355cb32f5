import type { Diagnostic } from './diagnostic.js';

/**
 * Every error code this package reports, with the one-line meaning of each. Diagnostics carry one
 * of these; a thrown {@link ManifestError} carries one too (`MANIFEST_INVALID` when it wraps
 * diagnostics).
 */
export const MANIFEST_ERROR_CODES = {
  /** The manifest has one or more error diagnostics; `details.diagnostics` lists every one. */
  MANIFEST_INVALID: 'the manifest has errors; details.diagnostics lists every one',
  /** The path does not exist, or a directory holds no `agent.yaml`. */
  MANIFEST_NOT_FOUND: 'the agent path, or agent.yaml inside a directory, does not exist',
  /** A file could not be read (permissions, I/O error). */
  MANIFEST_IO: 'a file could not be read',
  /** The input is a packed `.agent` container; unpack it (e.g. @agentlang/container) and use loadAgentFromFiles. */
  MANIFEST_IS_CONTAINER: 'the input is a packed container, not a YAML manifest',
  /** A file exceeds the size cap (default 1 MiB per file), or its collections nest more than 64 levels deep. */
  MANIFEST_TOO_LARGE: 'a file exceeds the size cap, or nests too deeply',
  /** YAML syntax error or YAML warning (warnings are errors here). */
  MANIFEST_YAML_SYNTAX: 'YAML syntax error or warning',
  /** A mapping holds the same key twice. */
  MANIFEST_DUPLICATE_KEY: 'a mapping holds the same key twice',
  /** A YAML tag other than the core schema's (`!!str`, …) was used. */
  MANIFEST_UNKNOWN_TAG: 'an unknown YAML tag was used',
  /** A key named `__proto__`, `constructor` or `prototype` was used. */
  MANIFEST_FORBIDDEN_KEY: 'a prototype-polluting key (__proto__, constructor, prototype) was used',
  /** Alias expansion exceeded the bound (a "billion laughs" alias bomb). */
  MANIFEST_ALIAS_LIMIT: 'YAML alias expansion exceeded the bound',
  /** The document is neither dialect (no mapping, or an unknown `apiVersion`). */
  MANIFEST_DIALECT: 'the document is not an AgentLang or AgentSpec manifest',
  /** A value has the wrong type, a required key is missing, or a value is not one of the allowed ones. */
  MANIFEST_SCHEMA: 'a value does not match the JSON Schema',
  /** A key the schema does not know (a warning naming the nearest known key). */
  MANIFEST_UNKNOWN_KEY: 'an unknown key (warning) — probably a typo of the nearest known key',
  /** A `version` was written as a YAML number (`version: 1.10` reads as 1.1); quote it. */
  MANIFEST_VERSION_TYPE: 'a version is not a string',
  /** A version is not valid semver, or a version constraint is not a valid semver range. */
  MANIFEST_SEMVER: 'an invalid semver version or range',
  /** A cron schedule is not a valid 5-field cron expression. */
  MANIFEST_CRON: 'an invalid cron schedule',
  /** A skill's allowed-tools or a UI sync action names a tool the agent does not declare. */
  MANIFEST_TOOL_REF: 'a reference to an undeclared tool',
  /** `depends_on` or a delegate permission names an agent that is not declared. */
  MANIFEST_AGENT_REF: 'a reference to an undeclared sub-agent',
  /** A template variable (`{{.env.X}}`, `{{x}}`) names no known source. */
  MANIFEST_TEMPLATE_VAR: 'a template variable names no known source',
  /** The same name is declared twice (tools, sub-agents, …). */
  MANIFEST_DUPLICATE_NAME: 'the same name is declared twice',
  /** A file the manifest references (sub-agent, skill, base) does not exist. */
  MANIFEST_FILE_MISSING: 'a referenced file does not exist',
  /** A referenced path is absolute or escapes the agent root with `..`. */
  MANIFEST_PATH_ESCAPE: 'a referenced path escapes the agent root',
  /** `prompt.yaml` failed to parse (PromptLang error). */
  MANIFEST_PROMPT: 'prompt.yaml is invalid',
  /** A skill's SKILL.md has missing or invalid frontmatter. */
  MANIFEST_SKILL: 'a SKILL.md has missing or invalid frontmatter',
  /** A `base:` registry reference could not be fetched (no registry configured, not found, digest mismatch), or a registry base names a path. */
  MANIFEST_BASE_REF: 'a base given by registry reference could not be fetched',
  /** A tool's `input_schema` / `output_schema` is not a JSON Schema (draft-07 meta-schema). */
  MANIFEST_TOOL_SCHEMA: 'a declared tool input_schema or output_schema is not a JSON Schema',
  /** (warning) The agent's name is valid here but a registry refuses it (dots, upper case); the message gives a publishable spelling. */
  MANIFEST_NAME_UNPUBLISHABLE: 'the agent name cannot be published to a registry',
  /** A child's trust is wider than its base's, or a scope path lies outside the base's. */
  MANIFEST_INHERITANCE: 'inheritance widens trust or scope',
  /** (warning) An AgentSpec skill, behaviour trait or MCP server name AgentLang has no mapping for (passed through or left out, with the nearest known name). */
  MANIFEST_UNKNOWN_NAME: 'an AgentSpec skill, trait or MCP server name with no known mapping (warning)',
  /** A string that reaches terminals and logs holds a control character (ESC, CR, NUL, …), or a one-line value (version, name) a line break. */
  MANIFEST_CONTROL_CHAR: 'a control character in a string',
  /** `base:` inheritance or static `depends_on` forms a cycle (the message names the chain). */
  MANIFEST_CYCLE: 'base inheritance or depends_on forms a cycle',
} as const;

/** A string code from {@link MANIFEST_ERROR_CODES}. */
export type ManifestErrorCode = keyof typeof MANIFEST_ERROR_CODES;

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

  constructor(code: ManifestErrorCode, message: string, details: ManifestErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.details = details;
  }
}

/** True when `value` is a {@link ManifestError}. */
export function isManifestError(value: unknown): value is ManifestError {
  return value instanceof ManifestError;
}
