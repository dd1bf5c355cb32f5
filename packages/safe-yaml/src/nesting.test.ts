import { describe, expect, it } from 'vitest';
import { findExcessiveNesting } from './nesting.js';

describe('findExcessiveNesting', () => {
  it('finds 1 MiB of `[` at the 65th bracket, in linear time', () => {
    expect(findExcessiveNesting('['.repeat(1 << 20))).toEqual({ line: 1, column: 65, depth: 65 });
    expect(findExcessiveNesting('{"a":'.repeat(100))?.column).toBe(5 * 64 + 1);
  });

  it('counts block indicators on one line and indentation', () => {
    expect(findExcessiveNesting(`${'- '.repeat(70)}x\n`)?.depth).toBe(65);
    expect(findExcessiveNesting(`${' '.repeat(140)}x: 1\n`)).toMatchObject({ line: 1, depth: 70 });
    expect(findExcessiveNesting(`${'- '.repeat(20)}x\n`)).toBeUndefined();
  });

  it('accepts real manifests: quotes, comments, block scalars and prose with unbalanced brackets', () => {
    const yaml = [
      'name: demo # a [comment',
      "description: 'it''s [fine'",
      'note: "[not a \\" flow"',
      "title: don't [stop",
      'prompt: |',
      ...Array.from({ length: 200 }, (_, i) => `  line ${i}: the range [0, 1) and {open`),
      'tools: [a, [b, {c: d}], e]',
      'list:',
      '  - { x: [1, 2] }',
    ].join('\n');
    expect(findExcessiveNesting(yaml)).toBeUndefined();
    expect(findExcessiveNesting(JSON.stringify({ a: [{ b: { c: [1, 2, { d: 'x[{' }] } }] }))).toBeUndefined();
  });

  it('honours a lower limit', () => {
    expect(findExcessiveNesting('[[[1]]]', 2)).toEqual({ line: 1, column: 3, depth: 3 });
    expect(findExcessiveNesting('[[1]]', 2)).toBeUndefined();
  });
});
