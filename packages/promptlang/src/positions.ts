import type { PromptSection } from './types.js';

/** Where a section came from, kept beside (not inside) the document so it stays plain data. */
export interface SectionSource {
  file?: string;
  /** Path in the document, e.g. `sections[1]`. */
  path: string;
  line?: number;
  column?: number;
  /** Line and column of the first character of the content's first line, when exactly known. */
  contentLine?: number;
  contentColumn?: number;
  /** True when content lines map one to one onto file lines (a `|` literal block). */
  contentLinesExact: boolean;
}

const sources = new WeakMap<PromptSection, SectionSource | (() => SectionSource)>();

/** Records where a parsed section came from: the source, or how to work it out when first asked for. */
export function setSectionSource(section: PromptSection, source: SectionSource | (() => SectionSource)): void {
  sources.set(section, source);
}

/** Where a section came from, if it was produced by `parsePrompt`. */
export function getSectionSource(section: PromptSection): SectionSource | undefined {
  const source = sources.get(section);
  if (typeof source !== 'function') return source;
  const known = source();
  sources.set(section, known);
  return known;
}

/**
 * Location of a character inside a section's content: exact for literal blocks, otherwise the
 * start of the content node, otherwise just the document path.
 */
export function locateInSection(
  section: PromptSection,
  index: number,
  fallbackPath: string,
  file?: string,
): { file?: string; line?: number; column?: number; path: string } {
  const source = getSectionSource(section);
  const path = `${source?.path ?? fallbackPath}.content`;
  const where = { file: file ?? source?.file, path };
  if (!source || source.contentLine === undefined) return where;
  if (!source.contentLinesExact) return { ...where, line: source.contentLine, column: source.contentColumn };
  const before = section.content.slice(0, index);
  const lineIndex = before.split('\n').length - 1;
  const columnInLine = index - (before.lastIndexOf('\n') + 1);
  return {
    ...where,
    line: source.contentLine + lineIndex,
    column: (source.contentColumn ?? 1) + columnInLine,
  };
}
