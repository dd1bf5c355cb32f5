/** Every error code `@agentlang/promptlang` throws; a consumer can `switch (error.code)`. */
export const PromptErrorCode = {
  /** The text is not well-formed YAML, or YAML reported a warning (warnings are errors here). */
  Yaml: 'PROMPT_YAML',
  /** A mapping holds the same key twice. */
  DuplicateKey: 'PROMPT_DUPLICATE_KEY',
  /** A key such as `__proto__` or `constructor` that could poison an object. */
  ForbiddenKey: 'PROMPT_FORBIDDEN_KEY',
  /** The document does not have the PromptLang shape (missing, unknown or mistyped field). */
  Schema: 'PROMPT_SCHEMA',
  /** `version` is not a supported PromptLang format version. */
  Version: 'PROMPT_VERSION',
  /** A section name is not a valid XML name or markdown-heading-safe identifier. */
  SectionName: 'PROMPT_SECTION_NAME',
  /** Two sections share a name. */
  DuplicateSection: 'PROMPT_DUPLICATE_SECTION',
  /** Section content would break the structure of the compile target (see README, "Escaping"). */
  UnsafeContent: 'PROMPT_UNSAFE_CONTENT',
  /** A `{{variable}}` names nothing in the supplied variables. */
  UnknownVariable: 'PROMPT_UNKNOWN_VARIABLE',
  /** A variable resolves to a value that cannot be rendered as text (null, a function, …). */
  VariableValue: 'PROMPT_VARIABLE_VALUE',
  /** The compile target is not `markdown` or `xml`. */
  Target: 'PROMPT_TARGET',
  /** Text given to `parseCompiled` is not the output of `compilePrompt` for that target. */
  Compiled: 'PROMPT_COMPILED',
} as const;

/** One of the string codes in {@link PromptErrorCode}. */
export type PromptErrorCode = (typeof PromptErrorCode)[keyof typeof PromptErrorCode];

/** Where a problem is and what was expected, attached to every {@link PromptError}. */
export interface PromptErrorDetails {
  /** File the text came from, when the caller named it. */
  file?: string;
  /** 1-based line in the file (or in the text given). */
  line?: number;
  /** 1-based column. */
  column?: number;
  /** Path in the document, e.g. `sections[2].name`. */
  path?: string;
  /** What would have been accepted. */
  expected?: string;
  /** What was found (truncated). */
  found?: string;
  [key: string]: unknown;
}

/** The one error class of `@agentlang/promptlang`: a string `code`, a message a person can act on, and `details`. */
export class PromptError extends Error {
  override readonly name = 'PromptError';
  readonly code: PromptErrorCode;
  readonly details: PromptErrorDetails;

  constructor(code: PromptErrorCode, message: string, options: { details?: PromptErrorDetails; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** Shortens a found value for messages: at most `max` characters, one line. */
export function truncate(value: string, max = 60): string {
  const oneLine = value.replace(/\n/g, '\\n');
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** Formats `file:line:column` (whatever parts are known) for the start of a message. */
export function formatWhere(details: PromptErrorDetails): string {
  const parts = [details.file ?? '<prompt>'];
  if (details.line !== undefined) parts.push(String(details.line));
  if (details.line !== undefined && details.column !== undefined) parts.push(String(details.column));
  return parts.join(':');
}
