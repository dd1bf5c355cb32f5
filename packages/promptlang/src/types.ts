/** The PromptLang format versions this package reads (`version:` in prompt.yaml). */
export const SUPPORTED_PROMPT_VERSIONS: readonly number[] = [2];

/** One named section of a prompt. */
export interface PromptSection {
  /** Identifier used as the markdown heading and the XML tag name. */
  name: string;
  /** Text of the section, line breaks normalised to `\n`, trailing line breaks removed. */
  content: string;
}

/** A parsed `prompt.yaml`. */
export interface PromptDocument {
  /** PromptLang format version (currently 2). */
  version: number;
  /** Conversation role the compiled prompt is meant for: `system`, `user` or `assistant`. */
  role?: string;
  /** Sections in document order. */
  sections: PromptSection[];
}

/** The values `role` may take in prompt.yaml. */
export const PROMPT_ROLES: readonly string[] = ['system', 'user', 'assistant'];

/** Output format of {@link compilePrompt}. */
export type CompileTarget = 'markdown' | 'xml';

/** Options of {@link compilePrompt}. */
export interface CompileOptions {
  target: CompileTarget;
  /**
   * Values for `{{variables}}`. When given (even `{}`), every variable must resolve; when
   * absent, templates are left verbatim.
   */
  variables?: Record<string, unknown>;
  /** File name used in error details (defaults to where the document was parsed from). */
  file?: string;
}

/** Options of {@link parsePrompt}. */
export interface ParseOptions {
  /** File name used in error details. */
  file?: string;
}

/** Result of a `safe*` function: data or the typed error, never a throw. */
export type SafeResult<T, E> = { success: true; data: T } | { success: false; error: E };
