import { PromptError, PromptErrorCode, type PromptErrorDetails } from './errors.js';
import { locateInSection } from './positions.js';
import type { PromptDocument } from './types.js';

/**
 * `{{ name }}` or `{{ a.b.c }}`: an identifier, then dot-separated segments (letters, digits,
 * `_`; a digit-only segment indexes a list). Anything else between braces is ordinary text.
 */
export const TEMPLATE_VARIABLE_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}/g;

/** One use of a template variable in a prompt. */
export interface TemplateVariableUse {
  /** The full dotted path, e.g. `user_profile.name`. */
  path: string;
  /** The first segment, e.g. `user_profile`: what the variables object must hold. */
  root: string;
  /** Name of the section the variable appears in. */
  section: string;
  file?: string;
  line?: number;
  column?: number;
}

type Locate = (index: number) => PromptErrorDetails;

function at(details: PromptErrorDetails): string {
  return details.line !== undefined ? `${details.file ?? '<prompt>'}:${details.line}:${details.column ?? 1}: ` : '';
}

function lookup(
  variables: Record<string, unknown>,
  path: string,
): { found: true; value: unknown } | { found: false; missing: string } {
  let current: unknown = variables;
  const segments = path.split('.');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    // Own properties only: `{{constructor.name}}` must not reach into prototypes.
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) {
      return { found: false, missing: segments.slice(0, i + 1).join('.') };
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return { found: true, value: current };
}

function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return undefined;
}

/** Renders with a locator for error positions (shared by renderTemplate and compilePrompt). */
export function renderWith(text: string, variables: Record<string, unknown>, locate: Locate): string {
  return text.replace(TEMPLATE_VARIABLE_PATTERN, (match, path: string, index: number) => {
    const result = lookup(variables, path);
    if (!result.found) {
      const details = {
        ...locate(index),
        expected: `one of: ${Object.keys(variables).sort().join(', ') || '(no variables supplied)'}`,
        found: path,
      };
      throw new PromptError(
        PromptErrorCode.UnknownVariable,
        `${at(details)}unknown template variable '${path}' in ${match}${result.missing !== path ? ` ('${result.missing}' is not set)` : ''}; supply it (e.g. \`--var ${path}=…\`) or remove the placeholder`,
        { details: details },
      );
    }
    const rendered = toText(result.value);
    if (rendered === undefined) {
      const details = {
        ...locate(index),
        expected: 'a string, number, boolean, date, object or list',
        found: String(result.value),
      };
      throw new PromptError(
        PromptErrorCode.VariableValue,
        `${at(details)}template variable '${path}' is ${result.value === null ? 'null' : typeof result.value}, which cannot be rendered as text`,
        { details: details },
      );
    }
    return rendered;
  });
}

/**
 * Replaces every `{{var}}` / `{{a.b}}` in `text` with its value from `variables` (strings as is,
 * numbers and booleans with `String`, dates as ISO 8601, objects and lists as JSON); an unknown
 * variable throws `PROMPT_UNKNOWN_VARIABLE`.
 */
export function renderTemplate(text: string, variables: Record<string, unknown>): string {
  return renderWith(text, variables, (index) => {
    const before = text.slice(0, index);
    return { line: before.split('\n').length, column: index - (before.lastIndexOf('\n') + 1) + 1 };
  });
}

/** Every use of a template variable in a prompt, in document order, with its position when known. */
export function findTemplateVariables(doc: PromptDocument): TemplateVariableUse[] {
  const uses: TemplateVariableUse[] = [];
  doc.sections.forEach((section, i) => {
    for (const match of section.content.matchAll(TEMPLATE_VARIABLE_PATTERN)) {
      const path = match[1]!;
      const where = locateInSection(section, match.index, `sections[${i}]`);
      uses.push({
        path,
        root: path.split('.')[0]!,
        section: section.name,
        ...(where.file !== undefined ? { file: where.file } : {}),
        ...(where.line !== undefined ? { line: where.line } : {}),
        ...(where.column !== undefined ? { column: where.column } : {}),
      });
    }
  });
  return uses;
}

/** The distinct variable paths a prompt uses (`user_profile.name`, `time`, …), in order of first use. */
export function listTemplateVariables(doc: PromptDocument): string[] {
  return [...new Set(findTemplateVariables(doc).map((use) => use.path))];
}
