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
      expect(readFileSync(`${pkg}${rel}`, 'utf8'), `${rel} is stale: run node scripts/compile-schemas.mjs`).toBe(
        content,
      );
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
    const generated = readFileSync(`${pkg}src/generated/validators.js`, 'utf8');
    expect(generated).not.toMatch(/\.compile\(|require\(/);
    // error collection stays linear (see compile-schemas.mjs)
    expect(generated).not.toMatch(/vErrors\.concat/);
  });

  test('getSchema returns a copy and rejects unknown kinds', () => {
    const a = getSchema('agent');
    a.title = 'changed';
    expect(getSchema('agent').title).not.toBe('changed');
    expect(() => getSchema('nope' as never)).toThrow(TypeError);
  });
});

describe('the precompiled validators accept exactly what the published schemas accept', () => {
  const docs: Array<[string, string]> = [
    ['agent', '../../examples/research-assistant/agent.yaml'],
    ['agent', '../../examples/inbox-assistant/agent.yaml'],
    ['agent', '../../examples/security-scanner/agent.yaml'],
    ['agent', '../../examples/research-crew/agent.yaml'],
    ['agent', '../../examples/research-agent/agent.yaml'],
    ['subagent', '../../examples/research-assistant/specialists/market-analyst.yaml'],
    ['agentspec', '../../examples/demo.agent'],
    ['ux', '../../examples/inbox-assistant/ux.yaml'],
    ['prompt', '../../examples/research-assistant/prompt.yaml'],
    ['agent', 'test/fixtures/invalid/MANIFEST_SCHEMA/agent.yaml'],
    ['agent', 'test/fixtures/invalid/MANIFEST_UNKNOWN_KEY/agent.yaml'],
    ['agent', 'test/fixtures/invalid/MANIFEST_VERSION_TYPE/agent.yaml'],
    ['subagent', 'test/fixtures/valid/partial-subagent/specialist.yaml'],
    ['agent', 'test/fixtures/valid/partial-subagent/specialist.yaml'],
  ];
  test.each(docs)('%s: %s', async (kind, rel) => {
    const { parse } = await import('yaml');
    const { validateAgainstSchema } = await import('./validate-schema.js');
    const data = parse(readFileSync(`${pkg}${rel}`, 'utf8'));
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    const published = ajv.compile(getSchema(kind as never));
    const at = { file: () => rel, locate: () => ({ line: 1, column: 1 }), sourceOf: () => undefined, has: () => false };
    const precompiled = validateAgainstSchema(kind as never, data, at);
    expect(precompiled.length === 0).toBe(published(data));
    expect(precompiled.length).toBe(published.errors?.length ?? 0);
  });
});
