/** Where a text nests deeper than allowed. */
export interface NestingExcess {
  /** 1-based line and column of the character that went past the limit. */
  line: number;
  column: number;
  depth: number;
}

/** Deepest nesting accepted in an uploaded YAML or JSON document (real manifests stay under 15). */
export const MAX_NESTING_DEPTH = 64;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

function isBlank(code: number | undefined): boolean {
  return code === undefined || code === SPACE || code === TAB || code === LF || code === CR;
}

/**
 * Finds the first point where a YAML (or JSON, a subset) text nests deeper than `maxDepth`, in one
 * linear pass and without parsing: flow collections (`[`, `{` outside quotes and comments), block
 * indicators run on one line (`- - - x`) and indentation (two columns a level) all count. It is a
 * bound, not a parser: YAML parsers recurse per level (1 MiB of `[` took 5 s and 1 GB in `yaml`),
 * so the registry refuses such input before any parser sees it. Block scalars (`|`, `>`) are
 * skipped, so a prompt's prose never counts. Hand-written: no library offers a depth bound that
 * runs before building the tree.
 */
export function findExcessiveNesting(text: string, maxDepth = MAX_NESTING_DEPTH): NestingExcess | undefined {
  const n = text.length;
  let i = 0;
  let line = 1;
  let flow = 0;
  // Inside a block scalar: lines more indented than `blockParent` (or blank) are its content.
  let blockParent = -1;
  while (i < n) {
    // Start of a line: indentation.
    const lineStart = i;
    while (i < n && text.charCodeAt(i) === SPACE) i++;
    const indent = i - lineStart;
    const first = text.charCodeAt(i);
    if (blockParent >= 0) {
      if (i >= n || first === LF || first === CR || indent > blockParent) {
        while (i < n && text.charCodeAt(i) !== LF) i++;
        i++;
        line++;
        continue;
      }
      blockParent = -1;
    }
    let depth = flow + (flow === 0 ? Math.floor(indent / 2) : 0);
    if (depth > maxDepth) return { line, column: indent + 1, depth };
    // Block indicators at the start of a line (`- `, `? `, `: `), each one level deeper.
    let atValueStart = true;
    while (i < n && flow === 0) {
      const c = text.charCodeAt(i);
      if ((c === 0x2d || c === 0x3f || c === 0x3a) && isBlank(text.charCodeAt(i + 1))) {
        depth++;
        if (depth > maxDepth) return { line, column: i - lineStart + 1, depth };
        i++;
        while (i < n && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
        continue;
      }
      break;
    }
    let lastSignificant = -1;
    // The rest of the line (flow collections may continue over several lines).
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === LF) break;
      if (c === 0x23 /* # */ && (i === lineStart || isBlank(text.charCodeAt(i - 1)))) {
        while (i < n && text.charCodeAt(i) !== LF) i++;
        break;
      }
      if ((c === 0x22 /* " */ || c === 0x27) /* ' */ && atValueStart) {
        // A quoted scalar (only where a scalar may start; `don't` is plain text).
        const quote = c;
        i++;
        while (i < n) {
          const q = text.charCodeAt(i);
          if (q === LF) line++;
          if (quote === 0x22 && q === 0x5c /* \ */) {
            i += 2;
            continue;
          }
          if (q === quote) {
            if (quote === 0x27 && text.charCodeAt(i + 1) === 0x27) {
              i += 2;
              continue;
            }
            break;
          }
          i++;
        }
        i++;
        atValueStart = false;
        lastSignificant = quote;
        continue;
      }
      if ((c === 0x5b /* [ */ || c === 0x7b) /* { */ && (flow > 0 || atValueStart)) {
        flow++;
        const total = flow + (flow === 1 ? Math.floor(indent / 2) : 0);
        if (flow > maxDepth || total > maxDepth)
          return { line, column: i - lineStart + 1, depth: Math.max(flow, total) };
        i++;
        atValueStart = true;
        lastSignificant = c;
        continue;
      }
      if ((c === 0x5d /* ] */ || c === 0x7d) /* } */ && flow > 0) {
        flow--;
        i++;
        atValueStart = false;
        lastSignificant = c;
        continue;
      }
      if (c === 0x2c /* , */ && flow > 0) atValueStart = true;
      else if (c === 0x3a /* : */ && isBlank(text.charCodeAt(i + 1))) atValueStart = true;
      else if (c !== SPACE && c !== TAB && c !== CR) {
        atValueStart = false;
        lastSignificant = c;
      }
      i++;
    }
    // A block scalar header (`key: |`, `- >-`, `|2+`) ends the line: its content lines follow.
    if (flow === 0 && lastSignificant >= 0) {
      let j = i - 1;
      while (j > lineStart && isBlank(text.charCodeAt(j))) j--;
      while (j > lineStart && /[0-9+-]/.test(text[j]!)) j--;
      const h = text.charCodeAt(j);
      if ((h === 0x7c /* | */ || h === 0x3e) /* > */ && (j === lineStart || isBlank(text.charCodeAt(j - 1))))
        blockParent = indent;
    }
    i++;
    line++;
  }
  return undefined;
}
