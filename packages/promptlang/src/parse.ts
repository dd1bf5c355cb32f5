import { readYaml, type SafeYamlErrorCode, safeYamlErrorOf, type YamlReading } from '@agentlang/safe-yaml';
import { nearestWord } from '@agentlang/utils';
import { isMap, isScalar, type Node } from 'yaml';
import { PromptError, PromptErrorCode, type PromptErrorDetails, truncate } from './errors.js';
import { setSectionSource } from './positions.js';
import { assertSectionName, checkSectionName } from './section-name.js';
import {
  type ParseOptions,
  PROMPT_ROLES,
  type PromptDocument,
  type PromptSection,
  SUPPORTED_PROMPT_VERSIONS,
} from './types.js';

const TOP_KEYS = ['version', 'role', 'sections'] as const;
const SECTION_KEYS = ['name', 'content'] as const;
/** Bound on alias expansion, so a "billion laughs" document fails fast instead of eating memory. */
const MAX_ALIAS_COUNT = 100;

// The prompt is checked on its data; the parsed YAML document (`reading.document`, which
// @agentlang/safe-yaml makes only on first use) is asked for only to place an error or when a
// section's source position is first read, so a valid plain prompt is never parsed by `yaml`.
interface Ctx {
  file?: string;
  text: string;
  reading: YamlReading;
}

/** The node at `segments` (the whole document for none); undefined when there is none. */
function nodeAt(ctx: Ctx, segments: readonly (string | number)[]): Node | undefined {
  const doc = ctx.reading.document;
  if (!doc) return undefined;
  return (segments.length === 0 ? doc.contents : doc.getIn(segments, true)) as Node | undefined;
}

/** The key node of `key` in the mapping at `segments` (an empty key reads as `''`, as in the data), else the mapping. */
function keyNodeAt(ctx: Ctx, segments: readonly (string | number)[], key: string): Node | undefined {
  const map = nodeAt(ctx, segments);
  if (!isMap(map)) return map;
  for (const pair of map.items)
    if (isScalar(pair.key) && String(pair.key.value ?? '') === key && pair.key.range) return pair.key;
  return map;
}

function where(ctx: Ctx, node: Node | null | undefined, path: string): PromptErrorDetails {
  const details: PromptErrorDetails = { path };
  if (ctx.file !== undefined) details.file = ctx.file;
  const offset = node?.range?.[0];
  if (offset !== undefined) {
    const pos = ctx.reading.lineCounter.linePos(offset);
    details.line = pos.line;
    details.column = pos.col;
  }
  return details;
}

function fail(code: PromptErrorCode, message: string, details: PromptErrorDetails, cause?: unknown): never {
  const at = `${details.file ?? '<prompt>'}${details.line ? `:${details.line}:${details.column ?? 1}` : ''}`;
  throw new PromptError(code, `${at}: ${message}`, {
    details: details,
    ...(cause === undefined ? undefined : { cause }),
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${truncate(JSON.stringify(value) ?? String(value), 40)}`;
}

/** Each safe-yaml issue as this package's error code. */
const CODES: Record<SafeYamlErrorCode, PromptErrorCode> = {
  YAML_SYNTAX: PromptErrorCode.Yaml,
  YAML_UNKNOWN_TAG: PromptErrorCode.Yaml,
  YAML_ALIAS_LIMIT: PromptErrorCode.Yaml,
  YAML_TOO_DEEP: PromptErrorCode.Yaml,
  YAML_TOO_LARGE: PromptErrorCode.Yaml,
  YAML_DUPLICATE_KEY: PromptErrorCode.DuplicateKey,
  YAML_FORBIDDEN_KEY: PromptErrorCode.ForbiddenKey,
  YAML_COLLECTION_KEY: PromptErrorCode.Schema,
};

/** Reads the text with @agentlang/safe-yaml and fails on its first issue, in this package's codes. */
function readSafely(text: string, file: string | undefined): { reading: YamlReading; value: unknown } {
  const reading = readYaml(text, { maxAliasCount: MAX_ALIAS_COUNT });
  const problem = reading.issues[0];
  if (!problem) return { reading, value: reading.data };
  const code = CODES[problem.code];
  const details: PromptErrorDetails = { path: '', line: problem.line, column: problem.column };
  if (file !== undefined) details.file = file;
  if (problem.expected !== undefined) details.expected = problem.expected;
  if (problem.found !== undefined) details.found = problem.found;
  const message =
    code === PromptErrorCode.DuplicateKey
      ? `${problem.message} — remove or rename the repeated key`
      : code === PromptErrorCode.ForbiddenKey
        ? `the key '${problem.found}' is not allowed (it could alter object prototypes); rename it`
        : code === PromptErrorCode.Schema
          ? 'mapping keys must be plain strings, not collections'
          : `invalid YAML: ${problem.message}${problem.warning ? ' (YAML warnings are errors in prompt.yaml)' : ''}`;
  fail(code, message, details, safeYamlErrorOf(reading.issues, file));
}

function checkKeys(
  ctx: Ctx,
  record: Record<string, unknown>,
  segments: readonly (string | number)[],
  known: readonly string[],
  path: string,
): void {
  for (const key of Object.keys(record)) {
    if (known.includes(key)) continue;
    const near = nearestWord(key, known);
    fail(
      PromptErrorCode.Schema,
      `unknown key '${key}' at ${path || 'the top level'}${near ? `; did you mean '${near}'?` : ''} (known keys: ${known.join(', ')})`,
      {
        ...where(ctx, keyNodeAt(ctx, segments, key), path ? `${path}.${key}` : key),
        expected: known.join(' | '),
        found: key,
      },
    );
  }
}

function normaliseContent(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
}

function parseSection(ctx: Ctx, value: unknown, index: number): PromptSection {
  const path = `sections[${index}]`;
  const at = ['sections', index] as const;
  const node = () => nodeAt(ctx, at);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(PromptErrorCode.Schema, `${path} must be a mapping with 'name' and 'content', found ${describe(value)}`, {
      ...where(ctx, node(), path),
      expected: '{ name: string, content: string }',
      found: describe(value),
    });
  }
  const record = value as Record<string, unknown>;
  checkKeys(ctx, record, at, SECTION_KEYS, path);
  const nameNode = () => nodeAt(ctx, [...at, 'name']);
  const contentNode = () => nodeAt(ctx, [...at, 'content']);
  for (const key of SECTION_KEYS) {
    if (record[key] === undefined) {
      fail(PromptErrorCode.Schema, `${path} is missing '${key}'`, {
        ...where(ctx, node(), `${path}.${key}`),
        expected: `${key}: <string>`,
      });
    }
    if (typeof record[key] !== 'string') {
      const valueNode = key === 'name' ? nameNode : contentNode;
      fail(
        PromptErrorCode.Schema,
        `${path}.${key} must be a string, found ${describe(record[key])}; quote it or use a '|' block`,
        {
          ...where(ctx, valueNode(), `${path}.${key}`),
          expected: 'a string',
          found: describe(record[key]),
        },
      );
    }
  }
  const name = record.name as string;
  if (checkSectionName(name) !== undefined) assertSectionName(name, where(ctx, nameNode(), `${path}.name`));
  const content = normaliseContent(record.content as string);
  if (content.trim().length === 0) {
    fail(
      PromptErrorCode.Schema,
      `${path}.content ('${name}') is empty; write the section's text or remove the section`,
      {
        ...where(ctx, contentNode(), `${path}.content`),
        expected: 'non-empty text',
        found: JSON.stringify(record.content),
      },
    );
  }
  const section: PromptSection = { name, content };
  // Where the section came from, worked out from the parsed document when first asked for.
  setSectionSource(section, () => {
    const nodePos = where(ctx, node(), path);
    const content = contentNode();
    const literal = isScalar(content) && content.type === 'BLOCK_LITERAL' && content.range !== undefined;
    let contentLine: number | undefined;
    let contentColumn: number | undefined;
    if (literal && content.range) {
      // The header (`|`) sits on the key's line; content starts on the next line at the block's indent.
      const header = ctx.reading.lineCounter.linePos(content.range[0]);
      contentLine = header.line + 1;
      const following = ctx.text.split('\n').slice(header.line);
      const firstText = following.find((line) => line.trim().length > 0) ?? '';
      contentColumn = firstText.length - firstText.trimStart().length + 1;
    } else if (content?.range) {
      const pos = ctx.reading.lineCounter.linePos(content.range[0]);
      contentLine = pos.line;
      contentColumn = pos.col;
    }
    return {
      ...(ctx.file !== undefined ? { file: ctx.file } : {}),
      path,
      ...(nodePos.line !== undefined ? { line: nodePos.line, column: nodePos.column } : {}),
      ...(contentLine !== undefined ? { contentLine } : {}),
      ...(contentColumn !== undefined ? { contentColumn } : {}),
      contentLinesExact: literal,
    };
  });
  return section;
}

/**
 * Parses the text of a `prompt.yaml` (PromptLang format version 2) into a {@link PromptDocument};
 * throws {@link PromptError} (`PROMPT_*`) with file, line, column and document path.
 */
export function parsePrompt(text: string, options: ParseOptions = {}): PromptDocument {
  const { reading, value } = readSafely(text, options.file);
  const ctx: Ctx = { text, reading, ...(options.file !== undefined ? { file: options.file } : {}) };
  const top = () => nodeAt(ctx, []);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(PromptErrorCode.Schema, `a prompt file is a mapping with 'version' and 'sections', found ${describe(value)}`, {
      ...where(ctx, top(), ''),
      expected: 'version: 2\nsections:\n  - name: …\n    content: …',
      found: describe(value),
    });
  }
  const record = value as Record<string, unknown>;
  checkKeys(ctx, record, [], TOP_KEYS, '');
  if (record.version === undefined) {
    fail(PromptErrorCode.Schema, "missing 'version'; add `version: 2` at the top", {
      ...where(ctx, top(), 'version'),
      expected: 'version: 2',
    });
  }
  if (typeof record.version !== 'number' || !SUPPORTED_PROMPT_VERSIONS.includes(record.version)) {
    fail(
      PromptErrorCode.Version,
      `unsupported PromptLang version ${describe(record.version)}; supported: ${SUPPORTED_PROMPT_VERSIONS.join(', ')} (write \`version: 2\`)`,
      {
        ...where(ctx, nodeAt(ctx, ['version']), 'version'),
        expected: SUPPORTED_PROMPT_VERSIONS.join(' | '),
        found: describe(record.version),
      },
    );
  }
  if (record.role !== undefined && (typeof record.role !== 'string' || !PROMPT_ROLES.includes(record.role))) {
    fail(PromptErrorCode.Schema, `'role' must be one of ${PROMPT_ROLES.join(', ')}, found ${describe(record.role)}`, {
      ...where(ctx, nodeAt(ctx, ['role']), 'role'),
      expected: PROMPT_ROLES.join(' | '),
      found: describe(record.role),
    });
  }
  if (!Array.isArray(record.sections) || record.sections.length === 0) {
    fail(
      PromptErrorCode.Schema,
      `'sections' must be a non-empty list of { name, content }, found ${record.sections === undefined ? 'nothing' : describe(record.sections)}`,
      {
        ...where(ctx, nodeAt(ctx, ['sections']) ?? top(), 'sections'),
        expected: 'sections:\n  - name: …\n    content: …',
      },
    );
  }
  const sections: PromptSection[] = [];
  const seen = new Map<string, number>();
  (record.sections as unknown[]).forEach((item, index) => {
    const section = parseSection(ctx, item, index);
    const first = seen.get(section.name.toLowerCase());
    if (first !== undefined) {
      fail(
        PromptErrorCode.DuplicateSection,
        `section '${section.name}' (sections[${index}]) repeats the name of sections[${first}]; names are unique (case-insensitively, since XML readers and headings blur case)`,
        {
          ...where(ctx, nodeAt(ctx, ['sections', index, 'name']), `sections[${index}].name`),
          found: section.name,
        },
      );
    }
    seen.set(section.name.toLowerCase(), index);
    sections.push(section);
  });
  const result: PromptDocument = { version: record.version as number, sections };
  if (record.role !== undefined) result.role = record.role as string;
  return result;
}

/** Like {@link parsePrompt} but returns `{ success, data | error }` instead of throwing a PromptError. */
export function safeParsePrompt(
  text: string,
  options: ParseOptions = {},
): { success: true; data: PromptDocument } | { success: false; error: PromptError } {
  try {
    return { success: true, data: parsePrompt(text, options) };
  } catch (error) {
    if (error instanceof PromptError) return { success: false, error };
    throw error;
  }
}
