/**
 * Markdown escaping of section content. Inside a `## name` section, a level-1 or level-2 ATX
 * heading (`# x`, `## x`) or a setext underline (`===`, `---` under a text line) would start a
 * new section or outrank the current one. Such a line gets one more leading backslash (a
 * CommonMark escape, so the reader sees the literal text); a line that already starts with
 * backslashes before such a marker gets one more too, which keeps the escape reversible.
 * Lines inside fenced code blocks are code, not headings, and are left alone.
 */

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const ATX = /^( {0,3})(\\*)(#{1,2})(?:[ \t]|$)/;
const SETEXT = /^( {0,3})(\\*)(?:=+|-+)[ \t]*$/;
const ATX_ESCAPED = /^( {0,3})\\(\\*#{1,2}(?:[ \t]|$))/;
const SETEXT_ESCAPED = /^( {0,3})\\(\\*(?:=+|-+)[ \t]*)$/;

interface Fence {
  char: string;
  length: number;
}

/** Returns the fence a line opens, if any (CommonMark: backtick fences' info string holds no backtick). */
function opensFence(line: string): Fence | undefined {
  const m = FENCE_OPEN.exec(line);
  if (!m) return undefined;
  const marker = m[2]!;
  if (marker[0] === '`' && m[3]!.includes('`')) return undefined;
  return { char: marker[0]!, length: marker.length };
}

function closesFence(line: string, fence: Fence): boolean {
  const m = /^ {0,3}(`+|~+)[ \t]*$/.exec(line);
  return m !== null && m[1]![0] === fence.char && m[1]!.length >= fence.length;
}

/** The outcome of scanning one section's content. */
export interface MarkdownScan {
  /** The content with structural lines escaped. */
  text: string;
  /** Index (in the input) of a fence left open at the end, which would swallow later sections. */
  unclosedFenceAt?: number;
}

/** Escapes lines of `content` that would act as level-1/2 headings in the compiled markdown. */
export function escapeMarkdownContent(content: string): MarkdownScan {
  const out: string[] = [];
  let fence: Fence | undefined;
  let fenceAt = 0;
  let offset = 0;
  let previousBlank = true;
  for (const line of content.split('\n')) {
    let emitted = line;
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
    } else {
      const opened = opensFence(line);
      if (opened) {
        fence = opened;
        fenceAt = offset;
      } else {
        const atx = ATX.exec(line);
        const setext = SETEXT.exec(line);
        if (atx) emitted = `${atx[1]}\\${line.slice(atx[1]!.length)}`;
        else if (setext && (setext[2]!.length > 0 || !previousBlank))
          emitted = `${setext[1]}\\${line.slice(setext[1]!.length)}`;
      }
    }
    out.push(emitted);
    previousBlank = line.trim().length === 0;
    offset += line.length + 1;
  }
  const scan: MarkdownScan = { text: out.join('\n') };
  if (fence) scan.unclosedFenceAt = fenceAt;
  return scan;
}

/** Reverses {@link escapeMarkdownContent} on the content of one compiled section. */
export function unescapeMarkdownContent(text: string): string {
  const out: string[] = [];
  let fence: Fence | undefined;
  for (const line of text.split('\n')) {
    if (fence) {
      if (closesFence(line, fence)) fence = undefined;
      out.push(line);
      continue;
    }
    const opened = opensFence(line);
    if (opened) {
      fence = opened;
      out.push(line);
      continue;
    }
    out.push(line.replace(ATX_ESCAPED, '$1$2').replace(SETEXT_ESCAPED, '$1$2'));
  }
  return out.join('\n');
}

/** The code fence a markdown line opens, if it opens one. */
export function isFenceOpening(line: string): Fence | undefined {
  return opensFence(line);
}

/** Whether `line` closes `fence`. */
export function isFenceClosing(line: string, fence: Fence): boolean {
  return closesFence(line, fence);
}
