import { describe, expect, test } from 'vitest';
import { SafeYamlError } from './errors.js';
import { parseYaml } from './parse-yaml.js';
import { readYaml } from './read-yaml.js';

const codes = (text: string, maxAliasCount = 100) => readYaml(text, { maxAliasCount }).issues.map((i) => i.code);

describe('readYaml: attacks are refused with a place, never executed or expanded', () => {
  test('duplicate keys, at any depth, with the path of the repeated key', () => {
    const r = readYaml('name: a\nname: b\n');
    expect(r.issues).toMatchObject([{ code: 'YAML_DUPLICATE_KEY', line: 2, column: 1, path: '/name' }]);
    expect(r.issues[0]!.message).toContain('"name"');
    expect(r.data).toBeUndefined();
    expect(readYaml('a:\n  - {x: 1, x: 2}\n').issues).toMatchObject([{ code: 'YAML_DUPLICATE_KEY', path: '/a/0/x' }]);
  });

  test('unknown and non-core tags, including !!binary and !!js/function; core tags pass', () => {
    expect(codes('a: !foo bar\n')).toEqual(['YAML_UNKNOWN_TAG']);
    expect(codes('a: !!binary aGk=\n')).toEqual(['YAML_UNKNOWN_TAG']);
    expect(codes('a: !!js/function "x"\n')).toContain('YAML_UNKNOWN_TAG');
    expect(readYaml('a: !!str 1\n')).toMatchObject({ issues: [], data: { a: '1' } });
  });

  test('prototype-polluting keys anywhere, and the data never carries them', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const r = readYaml(`outer:\n  inner:\n    ${key}:\n      polluted: true\n`);
      expect(r.issues).toMatchObject([{ code: 'YAML_FORBIDDEN_KEY', line: 3, path: `/outer/inner/${key}` }]);
      expect(r.data).toBeUndefined();
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a billion-laughs alias bomb is bounded and located at the detonating alias', () => {
    const lines = ['a0: &a0 [x,x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(',')}]`,
      );
    const r = readYaml(lines.join('\n'));
    expect(r.issues[0]).toMatchObject({ code: 'YAML_ALIAS_LIMIT', line: 4 });
    expect(r.data).toBeUndefined();
  });

  test('a self-referencing alias and too many aliases in total are refused', () => {
    expect(codes('a: &a [*a]\n')).toContain('YAML_ALIAS_LIMIT');
    const text = `x: &x 1\nl: [${Array(20).fill('*x').join(',')}]\n`;
    expect(codes(text, 10)).toEqual(['YAML_ALIAS_LIMIT']);
    expect(codes(text)).toEqual([]);
  });

  test('YAML warnings, several documents, collection keys and YAML 1.1 directives are issues', () => {
    expect(codes('a: b: c\n')).toEqual(['YAML_SYNTAX']);
    expect(codes('a: 1\n---\nb: 2\n')).toContain('YAML_SYNTAX');
    expect(codes('? [a]\n: 1\n')).toEqual(['YAML_COLLECTION_KEY']);
    expect(codes('%YAML 1.1\n---\na: yes\n')).toContain('YAML_SYNTAX');
  });

  test('YAML 1.2 core schema: yes/no and 0777 are not booleans or octals', () => {
    expect(readYaml('a: yes\nb: 0777\nc: 1.10\n').data).toEqual({ a: 'yes', b: 777, c: 1.1 });
  });
});

describe('size and nesting are bounded before and after parsing', () => {
  test('text over maxBytes is refused unparsed', () => {
    const r = readYaml(`a: ${'x'.repeat(100)}\n`, { maxBytes: 50 });
    expect(r.issues).toMatchObject([{ code: 'YAML_TOO_LARGE', found: '104 bytes' }]);
    expect(r.document).toBeUndefined();
    expect(readYaml(`a: ${'x'.repeat(100)}\n`, { maxBytes: 104 }).issues).toEqual([]);
  });

  test('64 levels are fine, 65 are YAML_TOO_DEEP with a place', () => {
    expect(readYaml(`x: ${'['.repeat(63)}${']'.repeat(63)}\n`).issues).toEqual([]);
    expect(readYaml(`x: ${'['.repeat(64)}${']'.repeat(64)}\n`).issues).toMatchObject([
      { code: 'YAML_TOO_DEEP', line: 1 },
    ]);
    expect(readYaml(`x: ${'['.repeat(8)}${']'.repeat(8)}\n`, { maxDepth: 8 }).issues).toMatchObject([
      { code: 'YAML_TOO_DEEP' },
    ]);
  });

  test('a megabyte of brackets is refused by the scan, before the parser recurses into it', () => {
    const r = readYaml(`x: ${'{a: '.repeat(200_000)}1${'}'.repeat(200_000)}\n`, { maxBytes: 2 << 20 });
    expect(r.issues).toMatchObject([{ code: 'YAML_TOO_DEEP', line: 1 }]);
    expect(r.document).toBeUndefined();
  });
});

describe('parseYaml', () => {
  test('returns the data, or throws the first issue located in the file', () => {
    expect(parseYaml('models:\n  a: {provider: x}\n')).toEqual({ models: { a: { provider: 'x' } } });
    let error: unknown;
    try {
      parseYaml('a: 1\nb: 2\na: 3\n', { file: 'models.yaml' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SafeYamlError);
    expect(error).toMatchObject({
      code: 'YAML_DUPLICATE_KEY',
      details: { file: 'models.yaml', line: 3, column: 1, path: '/a' },
    });
    expect((error as Error).message).toMatch(/^models\.yaml:3:1: duplicate key "a"/);
  });

  test('reads JSON exactly with the json schema', () => {
    expect(parseYaml('{"a": [1, true, null, "x"]}', { schema: 'json' })).toEqual({ a: [1, true, null, 'x'] });
  });
});
