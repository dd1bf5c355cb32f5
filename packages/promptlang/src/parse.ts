import { readYaml, type SafeYamlErrorCode, safeYamlErrorOf } from '@agentlang/safe-yaml';
import { nearestWord } from '@agentlang/utils';
import { isMap, isPair, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import { PromptError, PromptErrorCode, type PromptErrorDetails, truncate } from './errors.js';
import { setSectionSource } from './positions.js';
import { assertSectionName } from './section-name.js';
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

interface Ctx {
  file?: string;
  text: string;
  lines: LineCounter;
}

function where(ctx: Ctx, node: Node | null | undefined, path: string): PromptErrorDetails {
  const details: PromptErrorDetails = { path };
  if (ctx.file !== undefined) details.file = ctx.file;
  const offset = node?.range?.[0];
  if (offset !== undefined) {
    const pos = ctx.lines.linePos(offset);
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
function readSafely(ctx: Ctx): { doc: Document.Parsed; value: unknown } {
  const reading = readYaml(ctx.text, { maxAliasCount: MAX_ALIAS_COUNT });
  ctx.lines = reading.lineCounter;
  const problem = reading.issues[0];
  if (!problem) return { doc: reading.document!, value: reading.data };
  const code = CODES[problem.code];
  const details: PromptErrorDetails = { path: '', line: problem.line, column: problem.column };
  if (ctx.file !== undefined) details.file = ctx.file;
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
  fail(code, message, details, safeYamlErrorOf(reading.issues, ctx.file));
}

function checkKeys(ctx: Ctx, node: Node, known: readonly string[], path: string): void {
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    if (known.includes(key)) continue;
    const near = nearestWord(key, known);
    fail(
      PromptErrorCode.Schema,
      `unknown key '${key}' at ${path || 'the top level'}${near ? `; did you mean '${near}'?` : ''} (known keys: ${known.join(', ')})`,
      { ...where(ctx, pair.key, path ? `${path}.${key}` : key), expected: known.join(' | '), found: key },
    );
  }
}

function normaliseContent(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
}

function parseSection(ctx: Ctx, doc: Document.Parsed, value: unknown, index: number): PromptSection {
  const path = `sections[${index}]`;
  const node = doc.getIn(['sections', index], true) as Node | undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(PromptErrorCode.Schema, `${path} must be a mapping with 'name' and 'content', found ${describe(value)}`, {
      ...where(ctx, node, path),
      expected: '{ name: string, content: string }',
      found: describe(value),
    });
  }
  if (node) checkKeys(ctx, node, SECTION_KEYS, path);
  const record = value as Record<string, unknown>;
  const nameNode = doc.getIn(['sections', index, 'name'], true) as Node | undefined;
  const contentNode = doc.getIn(['sections', index, 'content'], true) as Node | undefined;
  for (const key of SECTION_KEYS) {
    if (record[key] === undefined) {
      fail(PromptErrorCode.Schema, `${path} is missing '${key}'`, {
        ...where(ctx, node, `${path}.${key}`),
        expected: `${key}: <string>`,
      });
    }
    if (typeof record[key] !== 'string') {
      const valueNode = key === 'name' ? nameNode : contentNode;
      fail(
        PromptErrorCode.Schema,
        `${path}.${key} must be a string, found ${describe(record[key])}; quote it or use a '|' block`,
        {
          ...where(ctx, valueNode, `${path}.${key}`),
          expected: 'a string',
          found: describe(record[key]),
        },
      );
    }
  }
  const name = record.name as string;
  assertSectionName(name, where(ctx, nameNode, `${path}.name`));
  const content = normaliseContent(record.content as string);
  if (content.trim().length === 0) {
    fail(
      PromptErrorCode.Schema,
      `${path}.content ('${name}') is empty; write the section's text or remove the section`,
      {
        ...where(ctx, contentNode, `${path}.content`),
        expected: 'non-empty text',
        found: JSON.stringify(record.content),
      },
    );
  }
  const section: PromptSection = { name, content };
  const nodePos = where(ctx, node, path);
  const literal = isScalar(contentNode) && contentNode.type === 'BLOCK_LITERAL' && contentNode.range !== undefined;
  let contentLine: number | undefined;
  let contentColumn: number | undefined;
  if (literal && contentNode.range) {
    // The header (`|`) sits on the key's line; content starts on the next line at the block's indent.
    const header = ctx.lines.linePos(contentNode.range[0]);
    contentLine = header.line + 1;
    const following = ctx.text.split('\n').slice(header.line);
    const firstText = following.find((line) => line.trim().length > 0) ?? '';
    contentColumn = firstText.length - firstText.trimStart().length + 1;
  } else if (contentNode?.range) {
    const pos = ctx.lines.linePos(contentNode.range[0]);
    contentLine = pos.line;
    contentColumn = pos.col;
  }
  setSectionSource(section, {
    ...(ctx.file !== undefined ? { file: ctx.file } : {}),
    path,
    ...(nodePos.line !== undefined ? { line: nodePos.line, column: nodePos.column } : {}),
    ...(contentLine !== undefined ? { contentLine } : {}),
    ...(contentColumn !== undefined ? { contentColumn } : {}),
    contentLinesExact: literal,
  });
  return section;
}

/**
 * Parses the text of a `prompt.yaml` (PromptLang format version 2) into a {@link PromptDocument};
 * throws {@link PromptError} (`PROMPT_*`) with file, line, column and document path.
 */
export function parsePrompt(text: string, options: ParseOptions = {}): PromptDocument {
  const ctx: Ctx = { text, lines: new LineCounter(), ...(options.file !== undefined ? { file: options.file } : {}) };
  const { doc, value } = readSafely(ctx);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(PromptErrorCode.Schema, `a prompt file is a mapping with 'version' and 'sections', found ${describe(value)}`, {
      ...where(ctx, doc.contents, ''),
      expected: 'version: 2\nsections:\n  - name: …\n    content: …',
      found: describe(value),
    });
  }
  if (doc.contents) checkKeys(ctx, doc.contents, TOP_KEYS, '');
  const record = value as Record<string, unknown>;
  const versionNode = doc.get('version', true) as Node | undefined;
  if (record.version === undefined) {
    fail(PromptErrorCode.Schema, "missing 'version'; add `version: 2` at the top", {
      ...where(ctx, doc.contents, 'version'),
      expected: 'version: 2',
    });
  }
  if (typeof record.version !== 'number' || !SUPPORTED_PROMPT_VERSIONS.includes(record.version)) {
    fail(
      PromptErrorCode.Version,
      `unsupported PromptLang version ${describe(record.version)}; supported: ${SUPPORTED_PROMPT_VERSIONS.join(', ')} (write \`version: 2\`)`,
      {
        ...where(ctx, versionNode, 'version'),
        expected: SUPPORTED_PROMPT_VERSIONS.join(' | '),
        found: describe(record.version),
      },
    );
  }
  if (record.role !== undefined && (typeof record.role !== 'string' || !PROMPT_ROLES.includes(record.role))) {
    fail(PromptErrorCode.Schema, `'role' must be one of ${PROMPT_ROLES.join(', ')}, found ${describe(record.role)}`, {
      ...where(ctx, doc.get('role', true) as Node, 'role'),
      expected: PROMPT_ROLES.join(' | '),
      found: describe(record.role),
    });
  }
  const sectionsNode = doc.get('sections', true) as Node | undefined;
  if (!Array.isArray(record.sections) || record.sections.length === 0 || !isSeq(sectionsNode)) {
    fail(
      PromptErrorCode.Schema,
      `'sections' must be a non-empty list of { name, content }, found ${record.sections === undefined ? 'nothing' : describe(record.sections)}`,
      { ...where(ctx, sectionsNode ?? doc.contents, 'sections'), expected: 'sections:\n  - name: …\n    content: …' },
    );
  }
  const sections: PromptSection[] = [];
  const seen = new Map<string, number>();
  (record.sections as unknown[]).forEach((item, index) => {
    const section = parseSection(ctx, doc, item, index);
    const first = seen.get(section.name.toLowerCase());
    if (first !== undefined) {
      fail(
        PromptErrorCode.DuplicateSection,
        `section '${section.name}' (sections[${index}]) repeats the name of sections[${first}]; names are unique (case-insensitively, since XML readers and headings blur case)`,
        {
          ...where(ctx, doc.getIn(['sections', index, 'name'], true) as Node, `sections[${index}].name`),
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
