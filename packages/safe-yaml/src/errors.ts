import type { YamlIssue } from './read-yaml.js';

/** What a YAML text was refused for; each caller maps these to its own error codes. */
export const YamlIssueCode = {
  /** Not well-formed YAML, a YAML warning (warnings are errors here), several documents, or a %YAML other than 1.2. */
  SYNTAX: 'YAML_SYNTAX',
  /** A mapping holds the same key twice. */
  DUPLICATE_KEY: 'YAML_DUPLICATE_KEY',
  /** A tag other than the core schema's (`!!binary`, `!foo`, `!!js/function`). */
  UNKNOWN_TAG: 'YAML_UNKNOWN_TAG',
  /** `__proto__`, `constructor` or `prototype` as a key, anywhere. */
  FORBIDDEN_KEY: 'YAML_FORBIDDEN_KEY',
  /** A mapping key that is a collection, not a plain value. */
  COLLECTION_KEY: 'YAML_COLLECTION_KEY',
  /** More aliases, or alias expansions, than allowed (an alias bomb). */
  ALIAS_LIMIT: 'YAML_ALIAS_LIMIT',
  /** Collections nested deeper than allowed. */
  TOO_DEEP: 'YAML_TOO_DEEP',
  /** The text is larger than allowed. */
  TOO_LARGE: 'YAML_TOO_LARGE',
} as const;

/** One of {@link YamlIssueCode}. */
export type YamlIssueCode = (typeof YamlIssueCode)[keyof typeof YamlIssueCode];

/** Thrown by {@link parseYaml}: the first issue found, with every issue in `details.issues`. */
export class SafeYamlError extends Error {
  readonly code: YamlIssueCode;
  readonly details: { file?: string; line: number; column: number; path: string; issues: YamlIssue[] };

  constructor(issues: YamlIssue[], file?: string) {
    const first = issues[0]!;
    super(`${file ?? '<yaml>'}:${first.line}:${first.column}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`);
    this.name = 'SafeYamlError';
    this.code = first.code;
    this.details = { ...(file !== undefined ? { file } : {}), line: first.line, column: first.column, path: first.path, issues };
  }
}
