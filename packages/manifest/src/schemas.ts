import { SCHEMA_OBJECTS } from './generated/schemas.js';

/** The file kinds this package has a JSON Schema for. */
export type SchemaKind = 'agent' | 'agentspec' | 'subagent' | 'prompt' | 'ux' | 'skill-frontmatter';

/** Every schema kind. */
export const SCHEMA_KINDS: readonly SchemaKind[] = [
  'agent',
  'agentspec',
  'subagent',
  'prompt',
  'ux',
  'skill-frontmatter',
];

/** Returns the JSON Schema (draft-07) for one file kind: the same object as `schemas/<kind>.schema.json`. */
export function getSchema(kind: SchemaKind): Record<string, unknown> {
  const schema = SCHEMA_OBJECTS[kind];
  if (!schema) throw new TypeError(`unknown schema kind "${kind}"; expected one of ${SCHEMA_KINDS.join(', ')}`);
  return structuredClone(schema);
}
