import { describe, expect, test } from 'vitest';
import { parseYamlSource } from './yaml-source.js';

const parse = (text: string, maxAliasCount = 100) => parseYamlSource('agent.yaml', text, { maxAliasCount });
const codes = (text: string) => parse(text).diagnostics.map((d) => d.code);

describe('safe YAML: attacks are rejected with a location, never executed or expanded', () => {
  test('duplicate keys', () => {
    const d = parse('name: a\nname: b\n').diagnostics;
    expect(d).toMatchObject([{ code: 'MANIFEST_DUPLICATE_KEY', line: 2, column: 1 }]);
    expect(d[0]!.message).toContain('"name"');
  });

  test('unknown and non-core tags, including !!binary and !!js/function', () => {
    expect(codes('a: !foo bar\n')).toEqual(['MANIFEST_UNKNOWN_TAG']);
    expect(codes('a: !!binary aGk=\n')).toEqual(['MANIFEST_UNKNOWN_TAG']);
    expect(codes('a: !!js/function "x"\n')).toContain('MANIFEST_UNKNOWN_TAG');
    expect(codes('a: !!str 1\n')).toEqual([]);
  });

  test('prototype-polluting keys anywhere, and the data never carries them', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const r = parse(`outer:\n  inner:\n    ${key}:\n      polluted: true\n`);
      expect(r.diagnostics).toMatchObject([{ code: 'MANIFEST_FORBIDDEN_KEY', line: 3, path: `/outer/inner/${key}` }]);
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
    const started = performance.now();
    const r = parse(lines.join('\n'));
    expect(performance.now() - started).toBeLessThan(5000);
    expect(r.diagnostics[0]).toMatchObject({ code: 'MANIFEST_ALIAS_LIMIT', line: 4 });
    expect(r.data).toBeUndefined();
  });

  test('a self-referencing alias is rejected, not looped on', () => {
    expect(codes('a: &a [*a]\n')).toContain('MANIFEST_ALIAS_LIMIT');
  });

  test('too many aliases in total are rejected', () => {
    const text = `x: &x 1\nl: [${Array(20).fill('*x').join(',')}]\n`;
    expect(parse(text, 10).diagnostics.map((d) => d.code)).toEqual(['MANIFEST_ALIAS_LIMIT']);
  });

  test('YAML warnings, multiple documents, collection keys and YAML 1.1 directives are errors', () => {
    expect(codes('a: b: c\n')).toEqual(['MANIFEST_YAML_SYNTAX']);
    expect(codes('a: 1\n---\nb: 2\n')).toContain('MANIFEST_YAML_SYNTAX');
    expect(codes('? [a]\n: 1\n')).toEqual(['MANIFEST_YAML_SYNTAX']);
    expect(codes('%YAML 1.1\n---\na: yes\n')).toContain('MANIFEST_YAML_SYNTAX');
  });

  test('YAML 1.2 core schema: yes/no and 0777 are not booleans or octals', () => {
    expect(parse('a: yes\nb: 0777\nc: 1.10\n').data).toEqual({ a: 'yes', b: 777, c: 1.1 });
  });

  test('locate and sourceOf find nodes and keys by path, falling back to the nearest ancestor', () => {
    const r = parse('name: x\ntools:\n  - name: a\n    version: 1.10\n');
    expect(r.locate(['tools', 0, 'version'])).toEqual({ line: 4, column: 14 });
    expect(r.locate(['tools', 0, 'version'], { key: true })).toEqual({ line: 4, column: 5 });
    expect(r.sourceOf(['tools', 0, 'version'])).toBe('1.10');
    expect(r.locate(['tools', 0, 'missing'])).toEqual({ line: 3, column: 5 });
    expect(r.sourceOf(['nope'])).toBeUndefined();
  });
});

describe('nesting depth is bounded', () => {
  test('64 levels are fine, 65 are MANIFEST_TOO_LARGE with a location', () => {
    expect(parse(`x: ${'['.repeat(63)}${']'.repeat(63)}\n`).diagnostics).toEqual([]);
    expect(parse(`x: ${'['.repeat(64)}${']'.repeat(64)}\n`).diagnostics).toMatchObject([
      { code: 'MANIFEST_TOO_LARGE', line: 1 },
    ]);
  });

  test('thousands of levels are rejected without a stack overflow', () => {
    const r = parse(`x: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`);
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.data).toBeUndefined();
  });
});
