/** The file kinds this package has a JSON Schema for. */
export type SchemaKind = 'agent' | 'agentspec' | 'subagent' | 'prompt' | 'ux' | 'skill-frontmatter';

/** Every schema kind. */
export const SCHEMA_KINDS: readonly SchemaKind[] = ['agent', 'agentspec', 'subagent', 'prompt', 'ux', 'skill-frontmatter'];

/** Returns the JSON Schema (draft 2020-12) for one file kind, as published in `schemas/<kind>.schema.json`. */
export function getSchema(kind: SchemaKind): Record<string, unknown> {
  throw new Error(`not implemented: ${kind}`);
}
