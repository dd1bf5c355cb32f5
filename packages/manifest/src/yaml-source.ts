import { readYaml, type YamlIssue, type SafeYamlErrorCode } from '@agentlang/safe-yaml';
import { isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import type { ManifestErrorCode } from './errors.js';

/** A YAML file parsed safely, with a way to find the source position of any document path. */
export interface YamlSource {
  file: string;
  text: string;
  /** The document as plain data; `undefined` when parsing failed. */
  data: unknown;
  /** Problems found while parsing (all errors: YAML warnings are errors here). */
  diagnostics: Diagnostic[];
  /** 1-based line/column of the node at `path` (or of its key with `key: true`), falling back to the nearest ancestor. */
  locate(path: readonly (string | number)[], options?: { key?: boolean }): { line: number; column: number };
  /** Source text of the node at `path`, when it exists. */
  sourceOf(path: readonly (string | number)[]): string | undefined;
  /** Whether the document holds a value at `path` (read from the data when there is any: no parse for it). */
  has(path: readonly (string | number)[]): boolean;
}

/** The value at `path` in plain data, or undefined. */
function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let at = data;
  for (const seg of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, seg)) return undefined;
    at = (at as Record<string | number, unknown>)[seg];
  }
  return at;
}

/** True when any diagnostic is an error (a YAML source may carry warnings, e.g. a tolerated PyYAML spelling). */
export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');

/** Most YAML-level problems reported per file. */
export const MAX_YAML_DIAGNOSTICS = 200;

/** Parsing limits. */
export interface YamlLimits {
  maxAliasCount: number;
}

/** Each reader issue as this package's error code. */
const CODES: Record<SafeYamlErrorCode, ManifestErrorCode> = {
  YAML_SYNTAX: 'MANIFEST_YAML_SYNTAX',
  YAML_COLLECTION_KEY: 'MANIFEST_YAML_SYNTAX',
  YAML_DUPLICATE_KEY: 'MANIFEST_DUPLICATE_KEY',
  YAML_UNKNOWN_TAG: 'MANIFEST_UNKNOWN_TAG',
  YAML_FORBIDDEN_KEY: 'MANIFEST_FORBIDDEN_KEY',
  YAML_ALIAS_LIMIT: 'MANIFEST_ALIAS_LIMIT',
  YAML_TOO_DEEP: 'MANIFEST_TOO_LARGE',
  YAML_TOO_LARGE: 'MANIFEST_TOO_LARGE',
};

const isQuoteError = (i: YamlIssue): boolean => i.yamlCode === 'MISSING_CHAR' && /closing .?quote/.test(i.message);

/** Parses one YAML document with @agentlang/safe-yaml's rules (warnings are errors) and one PyYAML leniency; never throws on bad input. */
export function parseYamlSource(file: string, source: string, limits: YamlLimits): YamlSource {
  const read = (input: string) =>
    readYaml(input, {
      maxAliasCount: limits.maxAliasCount,
      maxIssues: MAX_YAML_DIAGNOSTICS,
      maxBytes: Number.POSITIVE_INFINITY,
    });
  let text = source;
  let reading = read(text);
  const tolerated: ShallowQuote[] = [];
  if (reading.issues.some(isQuoteError)) {
    // The one PyYAML leniency accepted (seed 003 prints its body_template this way): see reindentShallowQuotes.
    const attempt = reindentShallowQuotes(text);
    if (attempt.fixes.length) {
      const again = read(attempt.text);
      if (!again.issues.some((i) => i.yamlCode !== undefined)) {
        text = attempt.text;
        reading = again;
        tolerated.push(...attempt.fixes);
      }
    }
  }
  // The parsed document and its line index are asked for only to place a diagnostic: a plain file
  // that is valid never has `yaml` parse it (@agentlang/safe-yaml reads it faster without).
  const final = reading;
  const { data } = final;
  const pos = (offset: number) => {
    const p = final.lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, column: p.col };
  };
  const diagnostics: Diagnostic[] = reading.issues.map((i) => {
    const code = CODES[i.code];
    let message = i.message;
    if (isQuoteError(i)) message += '; every line of a multi-line quoted value must be indented deeper than its key';
    if (code === 'MANIFEST_YAML_SYNTAX' && i.warning) message += ' (YAML warnings are errors in agent files)';
    return {
      severity: 'error',
      code,
      message,
      file,
      line: i.line,
      column: i.column,
      path: i.path,
      ...(i.expected !== undefined ? { expected: i.expected } : {}),
      ...(i.found !== undefined ? { found: i.found } : {}),
    };
  });
  for (const f of tolerated) {
    diagnostics.push({
      severity: 'warning',
      code: 'MANIFEST_YAML_SYNTAX',
      message: `line ${f.line} continues the quoted value of "${f.key}" (line ${f.keyLine}) at indentation ${f.indent}, not deeper than the key: YAML 1.2 refuses this and PyYAML accepts it; it is read as PyYAML reads it. Portable spelling: indent line ${f.line} by at least ${f.keyIndent + 1} spaces, or write the value as a block scalar (${f.key}: |)`,
      file,
      line: f.line,
      column: 1,
      path: '',
      expected: `indentation of at least ${f.keyIndent + 1} spaces`,
      found: `${f.indent} spaces`,
    });
  }

  // Mapping key → pair, built on first use, so locating many diagnostics stays linear.
  const keyIndex = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();
  const find = (
    path: readonly (string | number)[],
  ): { node?: unknown; key?: unknown; depth: number; ancestor: unknown } => {
    const doc = final.document;
    let node: unknown = doc?.contents;
    let key: unknown;
    let ancestor: unknown = node;
    let depth = 0;
    for (const seg of path) {
      while (isAlias(node) && doc) node = node.resolve(doc);
      if (isMap(node)) {
        let index = keyIndex.get(node);
        if (!index) {
          index = new Map();
          for (const p of node.items)
            if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
          keyIndex.set(node, index);
        }
        const pair = index.get(String(seg));
        if (!pair) return { depth, ancestor: node };
        key = pair.key;
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return { depth, ancestor: node };
        key = undefined;
        node = item;
      } else {
        return { depth, ancestor: node };
      }
      ancestor = node;
      depth++;
    }
    return { node, key, depth, ancestor };
  };
  const offsetOf = (n: unknown): number => (isNode(n) && n.range ? n.range[0] : 0);

  return {
    file,
    text,
    data,
    diagnostics,
    locate(path, options = {}) {
      const hit = find(path);
      if (hit.node !== undefined) return pos(offsetOf(options.key && hit.key ? hit.key : hit.node));
      return pos(offsetOf(hit.ancestor));
    },
    has(path) {
      return data !== undefined ? valueAt(data, path) !== undefined : find(path).node !== undefined;
    },
    sourceOf(path) {
      if (data !== undefined && valueAt(data, path) === undefined) return undefined;
      const hit = find(path);
      if (hit.node === undefined || !isNode(hit.node) || !hit.node.range) return undefined;
      return text.slice(hit.node.range[0], hit.node.range[1]).trim();
    },
  };
}

/** A continuation line of a quoted scalar that is not indented deeper than its key. */
interface ShallowQuote {
  key: string;
  keyLine: number;
  keyIndent: number;
  line: number;
  indent: number;
}

/** Index just past the closing quote of a quoted scalar whose body starts at `from`, or -1 if the line does not close it. */
function closingQuote(line: string, quote: string, from: number): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quote === '"' && c === '\\') i++;
    else if (c === quote) {
      if (quote === "'" && line[i + 1] === "'") i++;
      else return i + 1;
    }
  }
  return -1;
}

/**
 * Finds quoted scalars (`key: '…` or `key: "…` opened on a block-mapping line) whose continuation
 * lines sit at or left of the key's column, which YAML 1.2 forbids and PyYAML reads anyway, and
 * indents those lines past the key. Inside a quoted scalar, leading white space of a continuation
 * line is folded away, so this changes no value: it turns the text into the YAML 1.2 spelling of
 * what PyYAML reads. Hand-written because no YAML library offers this leniency; it is narrow: only
 * a scalar that opens after `key:`, outside block scalars, and that a later line closes, and it is
 * used only when the file fails to parse without it and parses cleanly with it.
 */
export function reindentShallowQuotes(text: string): { text: string; fixes: ShallowQuote[] } {
  const lines = text.split('\n');
  const fixes: ShallowQuote[] = [];
  let blockIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      if (line.trim() === '' || indent > blockIndent) continue;
      blockIndent = -1;
    }
    const m = /^( *)(- +)?([^\s#'"?:,[\]{}][^#]*?):[ \t]+(['"])(.*)$/.exec(line);
    if (!m) {
      const block = /^( *)(- +)?[^#]*?:[ \t]*[|>][-+0-9]*[ \t]*(#.*)?$/.exec(line);
      if (block) blockIndent = block[1]!.length + (block[2]?.length ?? 0);
      continue;
    }
    const keyIndent = m[1]!.length + (m[2]?.length ?? 0);
    const quote = m[4]!;
    if (closingQuote(m[5]!, quote, 0) >= 0) continue;
    const shallow: number[] = [];
    let end = -1;
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      const ind = l.length - l.trimStart().length;
      if (l.trim() !== '' && ind <= keyIndent) shallow.push(j);
      if (closingQuote(l, quote, 0) >= 0) {
        end = j;
        break;
      }
    }
    if (end < 0) break;
    for (const j of shallow) {
      const l = lines[j]!;
      const ind = l.length - l.trimStart().length;
      fixes.push({ key: m[3]!.trim(), keyLine: i + 1, keyIndent, line: j + 1, indent: ind });
      lines[j] = ' '.repeat(keyIndent + 2 - ind) + l;
    }
    i = end;
  }
  return { text: lines.join('\n'), fixes };
}

/** Splits a JSON pointer into segments (numbers for all-digit segments). */
export function splitPointer(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((s) => (/^(0|[1-9]\d*)$/.test(s) ? Number(s) : s));
}
