import { PromptError, PromptErrorCode, truncate } from './errors.js';
import { isFenceClosing, isFenceOpening, unescapeMarkdownContent } from './markdown-escape.js';
import { COMPILE_TARGETS } from './compile.js';
import type { CompileTarget, PromptSection } from './types.js';

const MD_HEADING = /^## ([A-Za-z_][A-Za-z0-9_-]*)$/;
const XML_OPEN = /^<([A-Za-z_][A-Za-z0-9_-]*)>$/;

function bad(message: string, line: number, found: string): never {
  throw new PromptError(PromptErrorCode.Compiled, `line ${line}: ${message}`, {
    details: { line, column: 1, found: truncate(found) },
  });
}

function parseMarkdown(lines: string[]): PromptSection[] {
  const sections: PromptSection[] = [];
  let current: { name: string; lines: string[] } | undefined;
  let fence: ReturnType<typeof isFenceOpening>;
  const flush = () => {
    if (current) sections.push({ name: current.name, content: unescapeMarkdownContent(current.lines.join('\n')) });
  };
  lines.forEach((line, i) => {
    const heading = fence ? null : MD_HEADING.exec(line);
    if (heading && (current === undefined || lines[i - 1] === '')) {
      if (current) current.lines.pop(); // the blank separator line
      flush();
      current = { name: heading[1]!, lines: [] };
      return;
    }
    if (!current) bad("expected a section heading '## <name>'", i + 1, line);
    if (fence) {
      if (isFenceClosing(line, fence)) fence = undefined;
    } else {
      fence = isFenceOpening(line);
    }
    current.lines.push(line);
  });
  flush();
  return sections;
}

function parseXml(lines: string[]): PromptSection[] {
  const sections: PromptSection[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = XML_OPEN.exec(lines[i]!);
    if (!open) bad("expected an opening tag '<name>' on its own line", i + 1, lines[i]!);
    const name = open[1]!;
    const close = lines.indexOf(`</${name}>`, i + 1);
    if (close < 0) bad(`section '${name}' is never closed by '</${name}>'`, i + 1, lines[i]!);
    sections.push({ name, content: lines.slice(i + 1, close).join('\n') });
    i = close + 1;
    if (i < lines.length) {
      if (lines[i] !== '') bad('expected a blank line between sections', i + 1, lines[i]!);
      i++;
    }
  }
  return sections;
}

/**
 * Reads compiled prompt text back into sections (the inverse of `compilePrompt` without
 * variables); throws `PROMPT_COMPILED` when the text is not in the target's compiled form.
 */
export function parseCompiled(text: string, target: CompileTarget): PromptSection[] {
  if (!COMPILE_TARGETS.includes(target)) {
    throw new PromptError(
      PromptErrorCode.Target,
      `unknown compile target '${String(target)}'; expected one of: ${COMPILE_TARGETS.join(', ')}`,
      {
        details: {
          found: String(target),
        },
      },
    );
  }
  const lines = text.replace(/\n$/, '').split('\n');
  return target === 'markdown' ? parseMarkdown(lines) : parseXml(lines);
}
