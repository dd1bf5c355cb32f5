import { PromptError, PromptErrorCode } from './errors.js';
import { getSectionSource } from './positions.js';
import { assertSectionName, checkSectionName } from './section-name.js';
import type { PromptDocument } from './types.js';

/**
 * Checks a document built in code (not only by `parsePrompt`) before compiling: at least one
 * section, valid and unique names, non-empty string content.
 */
export function assertCompilable(doc: PromptDocument, file?: string): void {
  if (!Array.isArray(doc.sections) || doc.sections.length === 0) {
    throw new PromptError(PromptErrorCode.Schema, 'a prompt needs at least one section to compile', {
      details: {
        ...(file !== undefined ? { file } : {}),
        path: 'sections',
      },
    });
  }
  const seen = new Map<string, number>();
  doc.sections.forEach((section, i) => {
    // The section's source (its file) is worked out only for an error: on a parsed prompt it may cost a parse.
    const where = () => {
      const named = file ?? getSectionSource(section)?.file;
      return { ...(named ? { file: named } : {}), path: `sections[${i}].name` };
    };
    if (typeof section.name !== 'string') {
      throw new PromptError(PromptErrorCode.Schema, `sections[${i}].name must be a string`, { details: where() });
    }
    if (checkSectionName(section.name) !== undefined) assertSectionName(section.name, where());
    if (typeof section.content !== 'string' || section.content.trim().length === 0) {
      throw new PromptError(
        PromptErrorCode.Schema,
        `sections[${i}].content ('${section.name}') must be non-empty text`,
        {
          details: {
            ...where(),
            path: `sections[${i}].content`,
          },
        },
      );
    }
    const first = seen.get(section.name.toLowerCase());
    if (first !== undefined) {
      throw new PromptError(
        PromptErrorCode.DuplicateSection,
        `section '${section.name}' (sections[${i}]) repeats the name of sections[${first}]`,
        { details: where() },
      );
    }
    seen.set(section.name.toLowerCase(), i);
  });
}
