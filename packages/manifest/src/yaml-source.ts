import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit, YAMLWarning } from 'yaml';
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
}

/** Keys that could pollute prototypes when a document is turned into objects. */
/** True when any diagnostic is an error (a YAML source may carry warnings, e.g. a tolerated PyYAML spelling). */
export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean => diagnostics.some((d) => d.severity === 'error');

/** Keys that could pollute prototypes when a document is turned into objects. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/** Deepest nesting of mappings and sequences accepted (keeps every recursive step far from the stack limit). */
export const MAX_DEPTH = 64;

/** Most YAML-level problems reported per file. */
export const MAX_YAML_DIAGNOSTICS = 200;

/** Parsing limits. */
export interface YamlLimits {
  maxAliasCount: number;
}

/** Parses one YAML document with the security rules of this package; never throws on bad input. */
export function parseYamlSource(file: string, source: string, limits: YamlLimits): YamlSource {
  let lineCounter = new LineCounter();
  const diagnostics: Diagnostic[] = [];
  const parse = (input: string, counter: LineCounter) =>
    parseDocument(input, {
      lineCounter: counter,
      // yaml's own uniqueKeys check is quadratic in the number of keys (60k keys in 1 MiB took
      // minutes); duplicates are found below with one Set per mapping instead.
      uniqueKeys: false,
      prettyErrors: false,
      strict: true,
      merge: false,
      schema: 'core',
      version: '1.2',
      keepSourceTokens: false,
    });
  let text = source;
  let doc = parse(text, lineCounter);
  const tolerated: ShallowQuote[] = [];
  if (doc.errors.some((e) => e.code === 'MISSING_CHAR' && /closing .?quote/.test(e.message))) {
    // The one PyYAML leniency accepted (seed 003 prints its body_template this way): see reindentShallowQuotes.
    const attempt = reindentShallowQuotes(text);
    if (attempt.fixes.length) {
      const counter = new LineCounter();
      const again = parse(attempt.text, counter);
      if (!again.errors.length && !again.warnings.length) {
        text = attempt.text;
        doc = again;
        lineCounter = counter;
        tolerated.push(...attempt.fixes);
      }
    }
  }
  const pos = (offset: number) => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, column: p.col };
  };
  const push = (code: ManifestErrorCode, message: string, offset: number, extra: Partial<Diagnostic> = {}) => {
    // A hostile file can hold one problem per line; the first MAX_YAML_DIAGNOSTICS are enough.
    if (diagnostics.length >= MAX_YAML_DIAGNOSTICS) return;
    diagnostics.push({ severity: 'error', code, message, file, ...pos(offset), path: '', ...extra });
  };

  for (const e of [...doc.errors, ...doc.warnings]) {
    const code: ManifestErrorCode =
      e.code === 'DUPLICATE_KEY' ? 'MANIFEST_DUPLICATE_KEY' : e.code === 'TAG_RESOLVE_FAILED' ? 'MANIFEST_UNKNOWN_TAG' : 'MANIFEST_YAML_SYNTAX';
    let first = e.message.split('\n')[0] ?? e.message;
    if (code === 'MANIFEST_DUPLICATE_KEY') {
      const key = /^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0]?.trim();
      first = `duplicate key${key ? ` "${key}"` : ''}: a mapping may hold each key once`;
    }
    if (/^Missing closing .?quote/.test(first)) first += '; every line of a multi-line quoted value must be indented deeper than its key';
    push(code, `${first}${code === 'MANIFEST_YAML_SYNTAX' && e instanceof YAMLWarning ? ' (YAML warnings are errors in agent files)' : ''}`, e.pos[0]);
  }

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

  const yamlVersion = doc.directives?.yaml.version;
  if (yamlVersion && yamlVersion !== '1.2' && /^%YAML/m.test(text)) {
    push('MANIFEST_YAML_SYNTAX', `%YAML ${yamlVersion} is not accepted; agent files are YAML 1.2 (drop the directive)`, text.indexOf('%YAML'), {
      expected: 'YAML 1.2',
      found: `%YAML ${yamlVersion}`,
    });
  }

  const pathOf = (ancestors: readonly unknown[]): string => {
    const parts: string[] = [];
    for (let i = 0; i < ancestors.length; i++) {
      const a = ancestors[i];
      const next = ancestors[i + 1];
      if (isPair(a) && isScalar(a.key)) parts.push(escapePointer(String(a.key.value)));
      else if (isSeq(a) && next !== undefined) parts.push(String(a.items.indexOf(next as never)));
    }
    return parts.length ? `/${parts.join('/')}` : '';
  };

  // How many aliases an alias expands to, counting nested ones (memoised, so a bomb costs linear time).
  const weights = new Map<unknown, number>();
  const aliasWeight = (n: unknown): number => {
    if (isAlias(n)) return 1 + aliasWeight(n.resolve(doc));
    if (!isMap(n) && !isSeq(n)) return 0;
    const known = weights.get(n);
    if (known !== undefined) return known;
    weights.set(n, Number.POSITIVE_INFINITY); // a self-referencing alias is infinite
    let total = 0;
    for (const item of n.items as unknown[]) total += isPair(item) ? aliasWeight(item.key) + aliasWeight(item.value) : aliasWeight(item);
    weights.set(n, total);
    return total;
  };
  let bombReported = false;
  let aliasCount = 0;
  visit(doc, {
    Map(_key, map, ancestors) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (!seen.has(key)) {
          seen.add(key);
          continue;
        }
        push('MANIFEST_DUPLICATE_KEY', `duplicate key "${key}": a mapping may hold each key once`, pair.key.range?.[0] ?? 0, {
          path: `${pathOf([...ancestors, map])}/${escapePointer(key)}`,
          expected: 'each key once',
          found: `"${key}" again`,
        });
      }
    },
    Pair(_key, pair, ancestors) {
      const k = pair.key;
      if (k !== null && isNode(k) && !isScalar(k)) {
        push('MANIFEST_YAML_SYNTAX', 'a mapping key must be a plain string, not a collection', (k as Node).range?.[0] ?? 0, {
          path: pathOf(ancestors),
          expected: 'a string key',
          found: isMap(k) ? 'a mapping' : 'a sequence',
        });
      } else if (isScalar(k) && FORBIDDEN_KEYS.has(String(k.value))) {
        push('MANIFEST_FORBIDDEN_KEY', `the key "${String(k.value)}" is not allowed (prototype pollution); rename it`, k.range?.[0] ?? 0, {
          path: `${pathOf(ancestors)}/${String(k.value)}`,
          found: String(k.value),
        });
      }
    },
    Node(_key, node, ancestors) {
      if (isMap(node) || isSeq(node)) {
        const depth = ancestors.filter((a) => isMap(a) || isSeq(a)).length + 1;
        if (depth > MAX_DEPTH) {
          push('MANIFEST_TOO_LARGE', `collections are nested more than ${MAX_DEPTH} levels deep`, node.range?.[0] ?? 0, {
            path: pathOf(ancestors),
            expected: `at most ${MAX_DEPTH} levels of nesting`,
            found: 'deeper nesting',
          });
          return visit.BREAK;
        }
      }
      if (node.tag && !CORE_TAGS.has(node.tag)) {
        const already = diagnostics.some((d) => d.code === 'MANIFEST_UNKNOWN_TAG' && d.line === pos(node.range?.[0] ?? 0).line);
        if (!already) {
          push('MANIFEST_UNKNOWN_TAG', `the YAML tag ${node.tag} is not allowed; only plain values are accepted`, node.range?.[0] ?? 0, {
            expected: 'no tag',
            found: node.tag,
          });
        }
      }
    },
    Alias(_key, node) {
      aliasCount++;
      if (aliasCount === limits.maxAliasCount + 1) {
        push('MANIFEST_ALIAS_LIMIT', `more than ${limits.maxAliasCount} YAML aliases; aliases are bounded to stop alias bombs`, node.range?.[0] ?? 0, {
          expected: `at most ${limits.maxAliasCount} aliases`,
          found: 'more',
        });
      } else if (!bombReported && aliasWeight(node) > limits.maxAliasCount) {
        bombReported = true;
        push('MANIFEST_ALIAS_LIMIT', `alias *${node.source} expands to more than ${limits.maxAliasCount} aliases (an alias bomb); expansion is bounded`, node.range?.[0] ?? 0, {
          expected: `at most ${limits.maxAliasCount} alias expansions`,
          found: `*${node.source}`,
        });
      }
    },
  });

  let data: unknown;
  if (!diagnostics.some((d) => d.severity === 'error')) {
    try {
      data = doc.toJS({ maxAliasCount: limits.maxAliasCount });
    } catch (cause) {
      const msg = (cause as Error).message;
      const code: ManifestErrorCode = /alias/i.test(msg) ? 'MANIFEST_ALIAS_LIMIT' : 'MANIFEST_YAML_SYNTAX';
      push(code, code === 'MANIFEST_ALIAS_LIMIT' ? `alias expansion exceeds the bound of ${limits.maxAliasCount}: ${msg}` : msg, 0);
    }
  }

  // Mapping key → pair, built on first use, so locating many diagnostics stays linear.
  const keyIndex = new WeakMap<object, Map<string, { key: unknown; value: unknown }>>();
  const find = (path: readonly (string | number)[]): { node?: unknown; key?: unknown; depth: number; ancestor: unknown } => {
    let node: unknown = doc.contents;
    let key: unknown;
    let ancestor: unknown = node;
    let depth = 0;
    for (const seg of path) {
      while (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        let index = keyIndex.get(node);
        if (!index) {
          index = new Map();
          for (const p of node.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
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
    sourceOf(path) {
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

/** Escapes one JSON-pointer segment. */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
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
