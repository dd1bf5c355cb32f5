import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPlainYaml } from './plain-yaml.js';
import { FORBIDDEN_KEYS, readWithYaml, readYaml } from './read-yaml.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const plain = (text: string) => readPlainYaml(text, 64, FORBIDDEN_KEYS);

/** The property that matters: where the plain reader answers, `yaml` reads the text without an issue, to the same data. */
function agrees(text: string): boolean {
  const fast = plain(text);
  if (fast === undefined) return false;
  const full = readWithYaml(text);
  expect(full.issues, text).toEqual([]);
  expect(fast.data, text).toStrictEqual(full.data);
  return true;
}

describe('the plain-subset YAML reader answers as `yaml` does, or not at all', () => {
  it('on every YAML file and SKILL.md front matter in the repository; the example agents take the fast path', () => {
    const files = spawnSync('git', ['ls-files', '*.yaml', '*.yml', '*SKILL.md'], { cwd: root, encoding: 'utf8' })
      .stdout.split('\n')
      .filter((f) => f !== '' && f !== 'pnpm-lock.yaml');
    expect(files.length).toBeGreaterThan(50);
    const fast: string[] = [];
    for (const file of files) {
      let text = readFileSync(join(root, file), 'utf8');
      if (file.endsWith('.md')) text = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? '';
      if (agrees(text)) fast.push(file);
    }
    for (const file of [
      'examples/research-assistant/agent.yaml',
      'examples/research-assistant/ux.yaml',
      'examples/research-assistant/specialists/academic-researcher.yaml',
      'examples/research-assistant/prompt.yaml',
    ])
      expect(fast).toContain(file);
    expect(fast.length).toBeGreaterThan(files.length / 2);
  });

  it('reads each construct of the subset', () => {
    const cases: Array<[string, unknown]> = [
      ['a: 1\nb: -2\nc: 1.5\nd: .5\ne: +3\nf: 007\n', { a: 1, b: -2, c: 1.5, d: 0.5, e: 3, f: 7 }],
      [
        'a: true\nb: False\nc: NULL\nd: ~\ne:\nf: yes\ng: on\n',
        { a: true, b: false, c: null, d: null, e: null, f: 'yes', g: 'on' },
      ],
      ['a: x # note\nb: x#y\nc: http://h:1/p\n# whole line\n', { a: 'x', b: 'x#y', c: 'http://h:1/p' }],
      ['a: "q\\n\\"\\u00e9\\x41"\nb: \'it\'\'s\'\n"c d": 1\n', { a: 'q\n"\u00e9A', b: "it's", 'c d': 1 }],
      ['a:\n- 1\n- x\nb:\n  - c: 1\n    d: 2\n  -   e: 3\n', { a: [1, 'x'], b: [{ c: 1, d: 2 }, { e: 3 }] }],
      ['a: |\n  one\n    two\n\n  three\nb: 1\n', { a: 'one\n  two\n\nthree\n', b: 1 }],
      ['a: |-\n  one\n\n\nb: >\n  one\n  two\n\n  three\n', { a: 'one', b: 'one two\nthree\n' }],
      ['a: [1, b, "c", [d]]\nb: { x: 1, y: [] , z: {} }\n', { a: [1, 'b', 'c', ['d']], b: { x: 1, y: [], z: {} } }],
      ['- a\n- - b\n', undefined],
      ['- 1\n-\n  a: 2\n', [1, { a: 2 }]],
      ['a: -x\nb: ?y\nc: :z\n', { a: '-x', b: '?y', c: ':z' }],
    ];
    for (const [text, data] of cases) {
      const fast = plain(text);
      if (data === undefined) expect(fast, text).toBeUndefined();
      else {
        expect(fast?.data, text).toStrictEqual(data);
        agrees(text);
      }
    }
  });

  it('gives up on what it does not read, and on every issue (then `yaml` reports it)', () => {
    for (const text of [
      '',
      '# only a comment\n',
      'a: 1\na: 2\n',
      '__proto__: 1\n',
      'a: &x 1\nb: *x\n',
      'a: !tag 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: b\n  c\n',
      'a: "open\n  close"\n',
      'a: 0x1F\nb: 1e3\nc: .inf\n',
      '1: one\n',
      'a:\tb\n',
      'a: 1\r\nb: 2\r\n',
      '? complex\n: key\n',
      'a: |+\n  keep\n\n',
      'a: |2\n  x\n',
      'a: >\n  x\n    more\n',
      'a: [1, 2,]\n',
      'a: [1:]\n',
      'a: {a: 1:}\n',
      'a: [1,\n  2]\n',
      'a: 99999999999999999999\n',
      'a: |\n  no final newline',
      'scalar\n',
    ]) {
      expect(plain(text), JSON.stringify(text)).toBeUndefined();
      // And readYaml still reads it as `yaml` does.
      expect(readYaml(text)).toMatchObject({ data: readWithYaml(text).data, issues: readWithYaml(text).issues });
    }
    const deep = `${Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`;
    expect(plain(deep)).toBeUndefined();
  });

  it('on generated documents: tricky scalars, indentations and styles, and random edits of them', () => {
    const scalars = [
      'x',
      'a b',
      '1',
      '-1',
      '+1',
      '1.',
      '.5',
      '-.5',
      '007',
      '-0',
      '1e3',
      '0x1',
      '0o7',
      '.inf',
      '.NaN',
      'true',
      'True',
      'TRUE',
      'tRue',
      'yes',
      'no',
      '~',
      'null',
      'Null',
      'nULL',
      '',
      ' ',
      'a: b',
      'a:b',
      'a #b',
      'a#b',
      "'q'",
      "'it''s'",
      '"d\\n"',
      '"u\\u00e9"',
      '"bad\\q"',
      '[a, b]',
      '[]',
      '{}',
      '{a: 1}',
      '{ a: [1, {b: c}] }',
      '[a: 1]',
      '- x',
      '-x',
      '|',
      '>',
      '|-',
      '>-',
      '&a x',
      '*a',
      '!t x',
      '@x',
      '`x',
      '%x',
      '?x',
      '? x',
      ':x',
      ': x',
      'x:',
      'http://h:80/p',
      'é',
      'a\u00a0b',
      '__proto__',
      'constructor',
      '#c',
      'x # c',
    ];
    const keys = ['a', 'b', 'a b', '"q"', "'s'", '1', 'true', '-k', '__proto__', 'k:', 'x#y', 'é'];
    type Tree = string | { map: Array<[string, Tree]> } | { seq: Tree[] };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
      t: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...scalars),
        fc.record({ map: fc.array(fc.tuple(fc.constantFrom(...keys), tie('t')), { maxLength: 4 }) }),
        fc.record({ seq: fc.array(tie('t'), { maxLength: 4 }) }),
      ),
    })).t;
    const style = fc.record({
      step: fc.constantFrom(1, 2, 4),
      seqAtKey: fc.boolean(),
      blockText: fc.constantFrom('|', '|-', '>', '>-'),
    });
    const render = (t: Tree, indent: number, s: { step: number; seqAtKey: boolean; blockText: string }): string[] => {
      const pad = ' '.repeat(indent);
      if (typeof t === 'string') return [`${pad}${t}`];
      const lines: string[] = [];
      const child = (prefix: string, v: Tree, at: number) => {
        if (typeof v === 'string') {
          if (v.includes(' ') && !v.includes(':') && v.length > 3) {
            lines.push(`${prefix} ${s.blockText}`, ...v.split(' ').map((w) => `${' '.repeat(at + s.step)}${w}`));
          } else lines.push(`${prefix} ${v}`.trimEnd());
        } else {
          lines.push(prefix);
          const under = 'seq' in v && s.seqAtKey && 'map' in t ? at : at + s.step;
          lines.push(...render(v, under, s));
        }
      };
      if ('map' in t) for (const [k, v] of t.map) child(`${pad}${k}:`, v, indent);
      else for (const v of t.seq) child(`${pad}-`, v, indent);
      return lines;
    };
    let engaged = 0;
    const edit = fc.option(fc.tuple(fc.nat(), fc.constantFrom('', ' ', '\n', ':', '#', '-', '"', "'", '  ', '\n  ')));
    fc.assert(
      fc.property(tree, style, edit, fc.boolean(), (t, s, e, newline) => {
        let text = render(t, 0, s).join('\n') + (newline ? '\n' : '');
        if (e) {
          const at = e[0] % (text.length + 1);
          text = text.slice(0, at) + e[1] + text.slice(at + (e[1] === '' ? 1 : 0));
        }
        if (agrees(text)) engaged++;
      }),
      {
        numRuns: Number(process.env.FUZZ_RUNS ?? 3000),
        seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 42,
      },
    );
    // The generator must reach the fast path often, or the property above checks nothing.
    if (process.env.FUZZ_RUNS) console.log(`fast path taken on ${engaged} documents`);
    expect(engaged).toBeGreaterThan(200);
  });
});
