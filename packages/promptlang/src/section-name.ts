import { PromptError, PromptErrorCode, truncate } from './errors.js';

/**
 * A section name: an ASCII letter or `_`, then letters, digits, `_` or `-`, at most 64
 * characters, not starting with `xml` in any case. This is the intersection of the XML Name
 * production (minus the reserved `xml` prefix and `:` namespaces) and what a markdown ATX
 * heading shows verbatim (no `#`, no spaces, no markup characters).
 */
export const SECTION_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** Why `name` is not a valid section name, or undefined when it is. */
export function checkSectionName(name: string): string | undefined {
  if (name.length === 0) return 'a section name must not be empty';
  if (name.length > 64) return `a section name is at most 64 characters (found ${name.length})`;
  if (!SECTION_NAME_PATTERN.test(name)) {
    return 'a section name starts with a letter or `_` and holds only letters, digits, `_` and `-` (so it is a valid XML tag and a plain markdown heading)';
  }
  if (/^xml/i.test(name)) return 'XML reserves names starting with `xml` (any case)';
  return undefined;
}

/** Throws `PROMPT_SECTION_NAME` unless `name` is valid for both targets. */
export function assertSectionName(
  name: string,
  where: { file?: string; line?: number; column?: number; path?: string } = {},
): void {
  const problem = checkSectionName(name);
  if (problem === undefined) return;
  const at = where.file ? `${where.file}${where.line ? `:${where.line}:${where.column ?? 1}` : ''}: ` : '';
  throw new PromptError(
    PromptErrorCode.SectionName,
    `${at}invalid section name '${truncate(name)}': ${problem}; e.g. \`who_you_are\``,
    {
      details: {
        ...where,
        expected: 'a name matching ^[A-Za-z_][A-Za-z0-9_-]{0,63}$, not starting with "xml"',
        found: truncate(name),
      },
    },
  );
}
