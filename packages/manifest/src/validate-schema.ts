import { nearestWord } from '@agentlang/utils';
import type { Diagnostic } from './diagnostic.js';
import type { ManifestErrorCode } from './errors.js';
import { SCHEMA_OBJECTS } from './generated/schemas.js';
import {
  validateAgent,
  validateAgentspec,
  validatePrompt,
  validateSkillFrontmatter,
  validateSubagent,
  validateUx,
  type ValidatorError,
} from './generated/validators.js';
import { listNames } from './checks.js';
import type { SchemaKind } from './schemas.js';
import { splitPointer, type YamlSource } from './yaml-source.js';

const VALIDATORS = {
  agent: validateAgent,
  agentspec: validateAgentspec,
  subagent: validateSubagent,
  prompt: validatePrompt,
  ux: validateUx,
  'skill-frontmatter': validateSkillFrontmatter,
} as const;

type JsonSchema = Record<string, unknown>;

/** Most schema problems reported per document. */
export const MAX_SCHEMA_DIAGNOSTICS = 200;

/** Where a diagnostic's position comes from: a YAML source, or a fixed place (merged documents). */
export interface Locator {
  file(path: readonly (string | number)[]): string;
  locate(path: readonly (string | number)[], options?: { key?: boolean }): { line: number; column: number };
  sourceOf(path: readonly (string | number)[]): string | undefined;
  /** Whether the document holds a value at `path` (cheaper than `sourceOf`: no parse where the data answers). */
  has(path: readonly (string | number)[]): boolean;
}

/** A locator over one YAML source. */
export function sourceLocator(source: YamlSource, offset: (string | number)[] = []): Locator {
  return {
    file: () => source.file,
    locate: (path, options) => source.locate([...offset, ...path], options),
    sourceOf: (path) => source.sourceOf([...offset, ...path]),
    has: (path) => source.has([...offset, ...path]),
  };
}

function resolveRef(root: JsonSchema, schema: JsonSchema | undefined): JsonSchema | undefined {
  let s = schema;
  for (let i = 0; s && typeof s.$ref === 'string' && i < 10; i++) {
    const name = /^#\/\$defs\/(.+)$/.exec(s.$ref as string)?.[1];
    s = name ? ((root.$defs as Record<string, JsonSchema>)[name] ?? undefined) : undefined;
  }
  return s;
}

/** The sub-schema that describes the value at `path` (following properties, additionalProperties, items). */
export function schemaAt(kind: SchemaKind, path: readonly (string | number)[]): JsonSchema | undefined {
  const root = SCHEMA_OBJECTS[kind] as JsonSchema;
  let s = resolveRef(root, root);
  for (const seg of path) {
    if (!s) return undefined;
    const props = s.properties as Record<string, JsonSchema> | undefined;
    if (typeof seg === 'string' && props && seg in props) s = resolveRef(root, props[seg]);
    else if (typeof seg === 'number' && s.items) s = resolveRef(root, s.items as JsonSchema);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object')
      s = resolveRef(root, s.additionalProperties as JsonSchema);
    else return undefined;
  }
  return s;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return `${typeof value} ${String(value)}`;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a sequence',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  null: 'null',
};

/**
 * Validates `data` against the precompiled validator for `kind` and turns every ajv error into a
 * diagnostic with position, expected and found. Unknown keys become warnings naming the nearest
 * known key. `skip` lists pointers already reported (e.g. non-string versions) to avoid duplicates.
 */
export function validateAgainstSchema(
  kind: SchemaKind,
  data: unknown,
  at: Locator,
  skip: ReadonlySet<string> = new Set(),
): Diagnostic[] {
  const validate = VALIDATORS[kind];
  if (validate(data)) return [];
  const out: Diagnostic[] = [];
  const all = (validate.errors ?? []) as ValidatorError[];
  // A hostile file can produce one error per key; report the first MAX_SCHEMA_DIAGNOSTICS.
  const errors = all.slice(0, MAX_SCHEMA_DIAGNOSTICS);
  for (const e of errors) {
    if (skip.has(e.instancePath)) continue;
    const path = splitPointer(e.instancePath);
    const value = valueAt(data, path);
    let code: ManifestErrorCode = 'MANIFEST_SCHEMA';
    let severity: Diagnostic['severity'] = 'error';
    let message: string;
    let expected: string | undefined;
    let found: string | undefined;
    let diagPath = e.instancePath;
    let loc = at.locate(path);
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(e.params.additionalProperty);
        const keyPath = [...path, key];
        const known = Object.keys((schemaAt(kind, path)?.properties as object | undefined) ?? {});
        const near = nearestWord(key, known);
        code = 'MANIFEST_UNKNOWN_KEY';
        severity = 'warning';
        message = `unknown key "${key}"${near ? `; did you mean "${near}"?` : ''}`;
        expected = near ? `"${near}"` : known.length ? `one of ${listNames(known)}` : undefined;
        found = `"${key}"`;
        diagPath = `${e.instancePath}/${key}`;
        loc = at.locate(keyPath, { key: true });
        break;
      }
      case 'required': {
        const missing = String(e.params.missingProperty);
        message = `missing required key "${missing}"`;
        expected = `a "${missing}" key`;
        found = value && typeof value === 'object' ? `keys ${listNames(Object.keys(value))}` : describe(value);
        break;
      }
      case 'type': {
        const types = String(e.params.type).split(',');
        expected = types.map((t) => TYPE_NAMES[t] ?? t).join(' or ');
        found = at.sourceOf(path) ?? describe(value);
        message = `expected ${expected}`;
        break;
      }
      case 'enum':
      case 'const': {
        const allowed = (e.params.allowedValues as unknown[] | undefined) ?? [e.params.allowedValue];
        const near = typeof value === 'string' ? nearestWord(value, allowed.map(String)) : undefined;
        expected = `one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
        found = describe(value);
        message = `${found} is not allowed here${near ? `; did you mean "${near}"?` : ''}`;
        break;
      }
      case 'pattern':
        expected = `a string matching ${String(e.params.pattern)}`;
        found = describe(value);
        message = `${found} has the wrong form`;
        if (path[path.length - 1] === 'name') message += ' (names are lower-case letters, digits, ".", "_" and "-")';
        break;
      default:
        expected = `a value that ${e.message ?? 'matches the schema'}`;
        found = describe(value);
        message = `value ${e.message ?? 'does not match the schema'}`;
    }
    out.push({ severity, code, message, file: at.file(path), ...loc, path: diagPath, expected, found });
  }
  if (all.length > errors.length) {
    const onlyUnknownKeys = all.slice(errors.length).every((e) => e.keyword === 'additionalProperties');
    out.push({
      severity: onlyUnknownKeys ? 'warning' : 'error',
      code: onlyUnknownKeys ? 'MANIFEST_UNKNOWN_KEY' : 'MANIFEST_SCHEMA',
      message: `${all.length - errors.length} more schema problems not listed; fix the ones above first`,
      file: at.file([]),
      ...at.locate([]),
      path: '',
    });
  }
  return out;
}
