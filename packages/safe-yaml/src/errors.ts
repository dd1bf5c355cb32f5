import type { YamlIssue } from './read-yaml.js';

/** Every code `@agentlang/safe-yaml` reports (on an issue and on {@link SafeYamlError}); each caller maps these to its own error codes. */
export const SafeYamlErrorCode = {
  /** Not well-formed YAML, a YAML warning (warnings are errors here), several documents, or a %YAML other than 1.2. */
  Syntax: 'YAML_SYNTAX',
  /** A mapping holds the same key twice. */
  DuplicateKey: 'YAML_DUPLICATE_KEY',
  /** A tag other than the core schema's (`!!binary`, `!foo`, `!!js/function`). */
  UnknownTag: 'YAML_UNKNOWN_TAG',
  /** `__proto__`, `constructor` or `prototype` as a key, anywhere. */
  ForbiddenKey: 'YAML_FORBIDDEN_KEY',
  /** A mapping key that is a collection, not a plain value. */
  CollectionKey: 'YAML_COLLECTION_KEY',
  /** More aliases, or alias expansions, than allowed (an alias bomb). */
  AliasLimit: 'YAML_ALIAS_LIMIT',
  /** Collections nested deeper than allowed. */
  TooDeep: 'YAML_TOO_DEEP',
  /** The text is larger than allowed. */
  TooLarge: 'YAML_TOO_LARGE',
} as const;

/** One of the string codes in {@link SafeYamlErrorCode}. */
export type SafeYamlErrorCode = (typeof SafeYamlErrorCode)[keyof typeof SafeYamlErrorCode];

/** Details of a {@link SafeYamlError}: where the first issue is, and every issue found. */
export interface SafeYamlErrorDetails {
  file?: string;
  line: number;
  column: number;
  path: string;
  issues: YamlIssue[];
}

/** The one error class of `@agentlang/safe-yaml`, thrown by {@link parseYaml}: the first issue's code, with every issue in `details.issues`. */
export class SafeYamlError extends Error {
  override readonly name = 'SafeYamlError';
  readonly code: SafeYamlErrorCode;
  readonly details: SafeYamlErrorDetails;

  constructor(
    code: SafeYamlErrorCode,
    message: string,
    options: { details?: SafeYamlErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? { line: 0, column: 0, path: '', issues: [] };
  }
}

/** The error for a refused text: the first issue's code and position, every issue in `details.issues`. */
export function safeYamlErrorOf(issues: YamlIssue[], file?: string): SafeYamlError {
  const first = issues[0]!;
  return new SafeYamlError(
    first.code,
    `${file ?? '<yaml>'}:${first.line}:${first.column}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    {
      details: {
        ...(file !== undefined ? { file } : {}),
        line: first.line,
        column: first.column,
        path: first.path,
        issues,
      },
    },
  );
}
