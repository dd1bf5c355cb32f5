import {
  type Document,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  YAMLWarning,
} from 'yaml';
import { SafeYamlErrorCode } from './errors.js';
import { findExcessiveNesting } from './nesting.js';
import { readPlainYaml } from './plain-yaml.js';

/** One reason a YAML text was refused, with its place. */
export interface YamlIssue {
  code: SafeYamlErrorCode;
  /** One line, without the place (`duplicate key "name": a mapping may hold each key once`). */
  message: string;
  /** Character offset, and the 1-based line and column it falls on. */
  offset: number;
  line: number;
  column: number;
  /** JSON pointer of the node in the document (`/tools/0/name`), or '' when unknown. */
  path: string;
  expected?: string;
  found?: string;
  /** The `yaml` library's own code (`MISSING_CHAR`, `BAD_INDENT`, …) for parser errors and warnings. */
  yamlCode?: string;
  /** True when the parser reported this as a warning (still an issue: warnings are errors). */
  warning?: boolean;
}

/** Bounds and rules of {@link readYaml}. */
export interface ReadYamlOptions {
  /** Largest text accepted, in UTF-8 bytes (default 1 MiB). */
  maxBytes?: number;
  /** Deepest nesting of mappings and sequences (default 64); far deeper text is refused before the parser sees it. */
  maxDepth?: number;
  /** Most aliases, counting what nested aliases expand to (default 100). */
  maxAliasCount?: number;
  /** Most issues reported (default 200): a hostile file can hold one problem per line. */
  maxIssues?: number;
  /** `core` (YAML 1.2 core schema, default) or `json` (JSON read exactly). */
  schema?: 'core' | 'json';
}

/** What {@link readYaml} found: the data when there are no issues, and the parsed document to locate nodes in. */
export interface YamlReading {
  /** The document as plain data; `undefined` when any issue was found. */
  data: unknown;
  issues: YamlIssue[];
  /** The parsed document (undefined when the text was refused before parsing: too large or far too deep). */
  document: Document.Parsed | undefined;
  lineCounter: LineCounter;
}

/** Keys that could pollute prototypes when a document is turned into objects. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const DEFAULT_MAX_YAML_BYTES = 1 << 20;
export const DEFAULT_MAX_YAML_DEPTH = 64;
export const DEFAULT_MAX_ALIAS_COUNT = 100;

const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Escapes one JSON-pointer segment. */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * Reads one YAML document safely and never throws on bad input: the size is checked first, then
 * nesting (a linear scan, before the parser — parsers recurse per level), then the YAML 1.2 parse
 * in strict mode (warnings count), then every mapping for duplicate, collection and
 * prototype-polluting keys, every node for non-core tags and depth, and every alias for what it
 * expands to (memoised, so a bomb costs linear time). `data` is set only when nothing was found.
 */
export function readYaml(text: string, options: ReadYamlOptions = {}): YamlReading {
  // The plain subset most agent files are written in is read without `yaml` (src/plain-yaml.ts, for
  // start-up time); its answer is `yaml`'s, and the parsed document is made only if someone asks.
  if (
    (options.schema ?? 'core') === 'core' &&
    Buffer.byteLength(text, 'utf8') <= (options.maxBytes ?? DEFAULT_MAX_YAML_BYTES)
  ) {
    const plain = readPlainYaml(text, options.maxDepth ?? DEFAULT_MAX_YAML_DEPTH, FORBIDDEN_KEYS);
    if (plain) {
      let full: YamlReading | undefined;
      return {
        data: plain.data,
        issues: [],
        get document() {
          full ??= readWithYaml(text, options);
          return full.document;
        },
        get lineCounter() {
          full ??= readWithYaml(text, options);
          return full.lineCounter;
        },
      };
    }
  }
  return readWithYaml(text, options);
}

/** {@link readYaml} with the `yaml` library: every text, every issue, the parsed document. */
export function readWithYaml(text: string, options: ReadYamlOptions = {}): YamlReading {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_YAML_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_YAML_DEPTH;
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const maxIssues = options.maxIssues ?? 200;
  const lineCounter = new LineCounter();
  const issues: YamlIssue[] = [];
  const refuse = (issue: Omit<YamlIssue, 'path'> & { path?: string }): YamlReading => ({
    data: undefined,
    issues: [{ path: '', ...issue }],
    document: undefined,
    lineCounter,
  });

  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    return refuse({
      code: SafeYamlErrorCode.TooLarge,
      message: `the text is ${bytes} bytes; at most ${maxBytes} are accepted`,
      offset: 0,
      line: 1,
      column: 1,
      expected: `at most ${maxBytes} bytes`,
      found: `${bytes} bytes`,
    });
  }
  // The scan counts indentation as well as brackets, so it gets twice the exact bound checked on the tree below:
  // enough to keep the parser's recursion shallow without refusing deep-but-legal indentation.
  const excess = findExcessiveNesting(text, 2 * maxDepth);
  if (excess) {
    return refuse({
      code: SafeYamlErrorCode.TooDeep,
      message: `collections are nested more than ${maxDepth} levels deep`,
      offset: 0,
      line: excess.line,
      column: excess.column,
      expected: `at most ${maxDepth} levels of nesting`,
      found: 'deeper nesting',
    });
  }

  const doc = parseDocument(text, {
    lineCounter,
    // yaml's own uniqueKeys check is quadratic in the number of keys (60k keys in 1 MiB took
    // minutes); duplicates are found below with one Set per mapping instead.
    uniqueKeys: false,
    prettyErrors: false,
    strict: true,
    merge: false,
    schema: options.schema ?? 'core',
    version: '1.2',
    keepSourceTokens: false,
  });
  const pos = (offset: number) => {
    const p = lineCounter.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, column: p.col };
  };
  const push = (code: SafeYamlErrorCode, message: string, offset: number, extra: Partial<YamlIssue> = {}) => {
    if (issues.length >= maxIssues) return;
    issues.push({ code, message, offset, ...pos(offset), path: '', ...extra });
  };

  for (const e of [...doc.errors, ...doc.warnings]) {
    const code =
      e.code === 'DUPLICATE_KEY'
        ? SafeYamlErrorCode.DuplicateKey
        : e.code === 'TAG_RESOLVE_FAILED'
          ? SafeYamlErrorCode.UnknownTag
          : SafeYamlErrorCode.Syntax;
    let first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    if (code === SafeYamlErrorCode.DuplicateKey) {
      const key = /^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0]?.trim();
      first = `duplicate key${key ? ` "${key}"` : ''}: a mapping may hold each key once`;
    }
    push(code, first, e.pos[0], { yamlCode: e.code, ...(e instanceof YAMLWarning ? { warning: true } : {}) });
  }

  const yamlVersion = doc.directives?.yaml.version;
  if (yamlVersion && yamlVersion !== '1.2' && /^%YAML/m.test(text)) {
    push(
      SafeYamlErrorCode.Syntax,
      `%YAML ${yamlVersion} is not accepted; only YAML 1.2 is read (drop the directive)`,
      text.indexOf('%YAML'),
      {
        expected: 'YAML 1.2',
        found: `%YAML ${yamlVersion}`,
      },
    );
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
    for (const item of n.items as unknown[])
      total += isPair(item) ? aliasWeight(item.key) + aliasWeight(item.value) : aliasWeight(item);
    weights.set(n, total);
    return total;
  };
  let bombReported = false;
  let aliasCount = 0;
  const taggedLines = new Set<number>();
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
        push(
          SafeYamlErrorCode.DuplicateKey,
          `duplicate key "${key}": a mapping may hold each key once`,
          pair.key.range?.[0] ?? 0,
          {
            path: `${pathOf([...ancestors, map])}/${escapePointer(key)}`,
            expected: 'each key once',
            found: `"${key}" again`,
          },
        );
      }
    },
    Pair(_key, pair, ancestors) {
      const k = pair.key;
      if (k !== null && isNode(k) && !isScalar(k)) {
        push(
          SafeYamlErrorCode.CollectionKey,
          'a mapping key must be a plain string, not a collection',
          (k as Node).range?.[0] ?? 0,
          {
            path: pathOf(ancestors),
            expected: 'a string key',
            found: isMap(k) ? 'a mapping' : 'a sequence',
          },
        );
      } else if (isScalar(k) && FORBIDDEN_KEYS.has(String(k.value))) {
        push(
          SafeYamlErrorCode.ForbiddenKey,
          `the key "${String(k.value)}" is not allowed (prototype pollution); rename it`,
          k.range?.[0] ?? 0,
          {
            path: `${pathOf(ancestors)}/${String(k.value)}`,
            found: String(k.value),
          },
        );
      }
    },
    Node(_key, node, ancestors) {
      if (isMap(node) || isSeq(node)) {
        const depth = ancestors.filter((a) => isMap(a) || isSeq(a)).length + 1;
        if (depth > maxDepth) {
          push(
            SafeYamlErrorCode.TooDeep,
            `collections are nested more than ${maxDepth} levels deep`,
            node.range?.[0] ?? 0,
            {
              path: pathOf(ancestors),
              expected: `at most ${maxDepth} levels of nesting`,
              found: 'deeper nesting',
            },
          );
          return visit.BREAK;
        }
      }
      if (node.tag && !CORE_TAGS.has(node.tag)) {
        const offset = node.range?.[0] ?? 0;
        const { line } = pos(offset);
        // The parser may have reported the same tag already (TAG_RESOLVE_FAILED): one issue per line.
        const already =
          taggedLines.has(line) || issues.some((i) => i.code === SafeYamlErrorCode.UnknownTag && i.line === line);
        taggedLines.add(line);
        if (!already)
          push(
            SafeYamlErrorCode.UnknownTag,
            `the YAML tag ${node.tag} is not allowed; only plain values are accepted`,
            offset,
            { expected: 'no tag', found: node.tag },
          );
      }
    },
    Alias(_key, node) {
      aliasCount++;
      if (aliasCount === maxAliasCount + 1) {
        push(
          SafeYamlErrorCode.AliasLimit,
          `more than ${maxAliasCount} YAML aliases; aliases are bounded to stop alias bombs`,
          node.range?.[0] ?? 0,
          {
            expected: `at most ${maxAliasCount} aliases`,
            found: 'more',
          },
        );
      } else if (!bombReported && aliasWeight(node) > maxAliasCount) {
        bombReported = true;
        push(
          SafeYamlErrorCode.AliasLimit,
          `alias *${node.source} expands to more than ${maxAliasCount} aliases (an alias bomb); expansion is bounded`,
          node.range?.[0] ?? 0,
          {
            expected: `at most ${maxAliasCount} alias expansions`,
            found: `*${node.source}`,
          },
        );
      }
    },
  });

  let data: unknown;
  if (issues.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount });
    } catch (cause) {
      const message = (cause as Error).message;
      const alias = /alias/i.test(message);
      push(
        alias ? SafeYamlErrorCode.AliasLimit : SafeYamlErrorCode.Syntax,
        alias ? `alias expansion exceeds the bound of ${maxAliasCount}: ${message}` : message,
        0,
      );
    }
  }
  return { data, issues, document: doc, lineCounter };
}
