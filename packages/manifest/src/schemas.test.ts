import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { getSchema, SCHEMA_KINDS } from './schemas.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));

describe('JSON Schemas', () => {
  test('the committed schemas and precompiled validators are what scripts/compile-schemas.mjs generates', async () => {
    const { generate } = (await import(`${pkg}scripts/compile-schemas.mjs`)) as { generate(): Record<string, string> };
    for (const [rel, content] of Object.entries(generate())) {
      expect(readFileSync(`${pkg}${rel}`, 'utf8'), `${rel} is stale: run node scripts/compile-schemas.mjs`).toBe(content);
    }
  });

  test.each(SCHEMA_KINDS)('%s: the published file equals getSchema and compiles under ajv strict mode', (kind) => {
    const file = JSON.parse(readFileSync(`${pkg}schemas/${kind}.schema.json`, 'utf8'));
    expect(getSchema(kind)).toEqual(file);
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(file)).not.toThrow();
  });

  test('the runtime path never compiles a schema (no ajv import outside generated code)', () => {
    for (const file of ['load.ts', 'validate-schema.ts', 'schemas.ts', 'index.ts']) {
      expect(readFileSync(`${pkg}src/${file}`, 'utf8')).not.toMatch(/from 'ajv'/);
    }
    expect(readFileSync(`${pkg}src/generated/validators.js`, 'utf8')).not.toMatch(/\.compile\(|require\(/);
  });

  test('getSchema returns a copy and rejects unknown kinds', () => {
    const a = getSchema('agent');
    a.title = 'changed';
    expect(getSchema('agent').title).not.toBe('changed');
    expect(() => getSchema('nope' as never)).toThrow(TypeError);
  });
});
