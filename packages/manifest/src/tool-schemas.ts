import type { Reporter } from './checks.js';
import { validateToolSchema } from './generated/validators.js';

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : {});

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const k of path) v = Array.isArray(v) ? v[k as number] : obj(v)[k];
  return v;
}

/**
 * A tool's declared `input_schema` / `output_schema` is the agent's contract for that tool: it is
 * carried into the plan and the lock for a runtime to enforce, so it must itself be a JSON Schema
 * (draft-07 meta-schema, the dialect MCP tool schemas are written in).
 */
export function checkToolSchemas(raw: Raw, r: Reporter): void {
  const tools = Array.isArray(raw.tools) ? raw.tools : [];
  tools.forEach((tool, i) => {
    for (const key of ['input_schema', 'output_schema'] as const) {
      const schema = obj(tool)[key];
      if (schema === undefined || validateToolSchema(schema)) continue;
      const e = validateToolSchema.errors?.[0];
      const inner = e
        ? e.instancePath
            .split('/')
            .slice(1)
            .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~')))
        : [];
      r.add(
        'MANIFEST_TOOL_SCHEMA',
        ['tools', i, key, ...inner],
        `tool "${String(obj(tool).name)}" declares a ${key} that is not a JSON Schema: ${e?.instancePath || key} ${e?.message ?? 'is invalid'}`,
        {
          expected:
            e?.params && 'allowedValues' in e.params
              ? `one of ${(e.params.allowedValues as unknown[]).join(', ')}`
              : 'a JSON Schema (draft-07), e.g. { type: object, properties: { q: { type: string } } }',
          found: (JSON.stringify(valueAt(schema, inner)) ?? 'undefined').slice(0, 80),
        },
      );
    }
  });
}
