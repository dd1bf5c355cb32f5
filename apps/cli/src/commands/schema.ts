import { getSchema, SCHEMA_KINDS, type SchemaKind } from '@agentlang/manifest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CommandResult, ContextOf } from '../command.js';
import { CliError, CliErrorCode } from '../errors.js';
import type { SCHEMA } from './index.js';

/** `agentlang schema [kind] [--out DIR]`: prints one JSON Schema, or writes them as `<kind>.schema.json`. */
export async function run(ctx: ContextOf<typeof SCHEMA>): Promise<CommandResult> {
  const [kind] = ctx.positionals;
  if (kind !== undefined && !SCHEMA_KINDS.includes(kind as SchemaKind)) {
    throw new CliError(
      CliErrorCode.Argument,
      `unknown schema kind '${kind}'; expected one of: ${SCHEMA_KINDS.join(', ')}`,
      { details: { argument: 'kind', value: kind.slice(0, 40), choices: [...SCHEMA_KINDS] } },
    );
  }
  const kinds = kind === undefined ? [...SCHEMA_KINDS] : [kind as SchemaKind];
  const { out } = ctx.values;
  if (out !== undefined) {
    const dir = resolve(ctx.cwd, out);
    await mkdir(dir, { recursive: true });
    const written: string[] = [];
    for (const k of kinds) {
      const path = join(dir, `${k}.schema.json`);
      await writeFile(path, `${JSON.stringify(getSchema(k), null, 2)}\n`);
      written.push(relative(ctx.cwd, path) || path);
    }
    return { text: written.map((p) => `Wrote ${p}`).join('\n'), data: { written } };
  }
  if (kind === undefined) {
    return {
      text: [
        `Schemas: ${SCHEMA_KINDS.join(', ')}`,
        'Print one:  agentlang schema agent',
        'Write all:  agentlang schema --out schemas/',
      ].join('\n'),
      data: { kinds: SCHEMA_KINDS },
    };
  }
  const schema = getSchema(kind as SchemaKind);
  return { text: JSON.stringify(schema, null, 2), data: schema };
}
