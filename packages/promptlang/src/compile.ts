import { PromptError, PromptErrorCode, truncate } from './errors.js';
import { escapeMarkdownContent } from './markdown-escape.js';
import { locateInSection } from './positions.js';
import { renderWith } from './template.js';
import type { CompileOptions, CompileTarget, PromptDocument, PromptSection } from './types.js';
import { assertCompilable } from './validate-document.js';

/** The compile targets, in the order the spec introduces them. */
export const COMPILE_TARGETS: readonly CompileTarget[] = ['markdown', 'xml'];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

function at(where: { file?: string; line?: number; column?: number }): string {
  return where.line !== undefined ? `${where.file ?? '<prompt>'}:${where.line}:${where.column ?? 1}: ` : '';
}

function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
}

function toMarkdown(section: PromptSection, content: string, index: number, rendered: boolean, file?: string): string {
  const scan = escapeMarkdownContent(content);
  if (scan.unclosedFenceAt !== undefined) {
    const where = locateInSection(section, rendered ? 0 : scan.unclosedFenceAt, `sections[${index}]`, file);
    throw new PromptError(
      PromptErrorCode.UnsafeContent,
      `${at(where)}section '${section.name}' ${rendered ? '(after rendering variables) ' : ''}opens a code fence it never closes; in markdown it would swallow every later section — close the fence inside the section`,
      {
        details: {
          ...where,
          expected: 'every ``` or ~~~ fence closed within its section',
          found: truncate(content.slice(scan.unclosedFenceAt)),
        },
      },
    );
  }
  return `## ${section.name}\n${scan.text}`;
}

function toXml(
  section: PromptSection,
  content: string,
  index: number,
  names: string[],
  rendered: boolean,
  file?: string,
): string {
  // A tag named like any section (open, close or self-closing, any case) would end this section
  // early or fake another one, in the reader's eyes and in parseCompiled; reject, never pass through.
  const pattern = new RegExp(`</?(${names.map(escapeRegExp).join('|')})(?=[\\s/>])`, 'i');
  const match = pattern.exec(content);
  if (match) {
    // After rendering, offsets no longer match the file: point at the section's content instead.
    const where = locateInSection(section, rendered ? 0 : match.index, `sections[${index}]`, file);
    const closing = match[0].startsWith('</');
    throw new PromptError(
      PromptErrorCode.UnsafeContent,
      `${at(where)}section '${section.name}' contains${rendered ? ' (after rendering variables)' : ''} ${closing ? 'a closing' : 'an opening'} tag '${match[0]}>' named like section '${match[1]}'; in XML output it would ${closing ? 'close' : 'open'} a section early — reword it (e.g. write '&lt;${closing ? '/' : ''}${match[1]}&gt;') or rename a section`,
      {
        details: {
          ...where,
          expected: `no <${match[1]}> or </${match[1]}> tag inside section content`,
          found: truncate(content.slice(match.index, match.index + 40)),
        },
      },
    );
  }
  return `<${section.name}>\n${content}\n</${section.name}>`;
}

/**
 * Compiles a prompt to markdown (`## name` then the content) or XML tags (`<name>`, the
 * content, `</name>`), sections separated by one blank line, ending with a newline. With
 * `variables`, templates are rendered first, so a variable's value is escaped or rejected like
 * any other content.
 */
export function compilePrompt(doc: PromptDocument, options: CompileOptions): string {
  if (!COMPILE_TARGETS.includes(options.target)) {
    throw new PromptError(
      PromptErrorCode.Target,
      `unknown compile target '${String(options.target)}'; expected one of: ${COMPILE_TARGETS.join(', ')}`,
      { details: { expected: COMPILE_TARGETS.join(' | '), found: String(options.target) } },
    );
  }
  assertCompilable(doc, options.file);
  const names = doc.sections.map((s) => s.name);
  const parts = doc.sections.map((section, index) => {
    const rendered =
      options.variables === undefined
        ? section.content
        : renderWith(section.content, options.variables, (i) =>
            locateInSection(section, i, `sections[${index}]`, options.file),
          );
    const content = normalise(rendered);
    return options.target === 'markdown'
      ? toMarkdown(section, content, index, options.variables !== undefined, options.file)
      : toXml(section, content, index, names, options.variables !== undefined, options.file);
  });
  return `${parts.join('\n\n')}\n`;
}
