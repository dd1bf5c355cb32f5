import { describe, expect, it } from 'vitest';
import { looksLikePrompt, PromptError, parsePrompt, safeParsePrompt } from '@agentlang/promptlang';

const SPEC = `# prompt.yaml
version: 2
role: user
sections:
  - name: mindset
    content: |
      You are genuinely trying to discover something that doesn't exist yet.
      When you derive something, ask: "Have I seen this before?"

  - name: who_you_are
    content: |
      You're the person who checks their own work obsessively.
`;

function errorOf(text: string): PromptError {
  try {
    parsePrompt(text, { file: 'prompt.yaml' });
  } catch (error) {
    expect(error).toBeInstanceOf(PromptError);
    return error as PromptError;
  }
  throw new Error('expected parsePrompt to throw');
}

describe('parsePrompt', () => {
  it('reads the spec example: version, role, sections with trailing line breaks removed', () => {
    expect(parsePrompt(SPEC)).toEqual({
      version: 2,
      role: 'user',
      sections: [
        {
          name: 'mindset',
          content:
            'You are genuinely trying to discover something that doesn\'t exist yet.\nWhen you derive something, ask: "Have I seen this before?"',
        },
        { name: 'who_you_are', content: "You're the person who checks their own work obsessively." },
      ],
    });
  });

  it('normalises CRLF line breaks', () => {
    const doc = parsePrompt('version: 2\r\nsections:\r\n  - name: a\r\n    content: "x\\r\\ny\\n"\r\n');
    expect(doc.sections[0]!.content).toBe('x\ny');
  });

  // Each invalid case asserts its code and the reported line:column.
  const cases: Array<[string, string, string, number, number]> = [
    ['not YAML', 'version: 2\nsections: [\n', 'PROMPT_YAML', 3, 1],
    ['duplicate key', 'version: 2\nversion: 2\nsections: []\n', 'PROMPT_DUPLICATE_KEY', 2, 1],
    ['unknown tag (a YAML warning)', 'version: 2\nsections: !js/function x\n', 'PROMPT_YAML', 2, 11],
    ['__proto__ key', 'version: 2\n__proto__: {}\nsections: []\n', 'PROMPT_FORBIDDEN_KEY', 2, 1],
    ['a core-schema tag outside the safe set', 'version: 2\nsections: !!binary aGk=\n', 'PROMPT_YAML', 2, 20],
    ['nesting past 64 levels', `version: 2\nsections: ${'['.repeat(70)}${']'.repeat(70)}\n`, 'PROMPT_YAML', 2, 74],
    ['unknown top-level key', 'version: 2\nsection: []\n', 'PROMPT_SCHEMA', 2, 1],
    ['unknown section key', 'version: 2\nsections:\n  - name: a\n    contents: x\n', 'PROMPT_SCHEMA', 4, 5],
    ['missing content', 'version: 2\nsections:\n  - name: a\n', 'PROMPT_SCHEMA', 3, 5],
    ['content not a string', 'version: 2\nsections:\n  - name: a\n    content: [1]\n', 'PROMPT_SCHEMA', 4, 14],
    ['empty content', 'version: 2\nsections:\n  - name: a\n    content: "  "\n', 'PROMPT_SCHEMA', 4, 14],
    ['no sections', 'version: 2\nsections: []\n', 'PROMPT_SCHEMA', 2, 11],
    ['missing version', 'sections:\n  - name: a\n    content: x\n', 'PROMPT_SCHEMA', 1, 1],
    ['unsupported version', 'version: 3\nsections:\n  - name: a\n    content: x\n', 'PROMPT_VERSION', 1, 10],
    ['version as a string', 'version: "2"\nsections:\n  - name: a\n    content: x\n', 'PROMPT_VERSION', 1, 10],
    ['role not a string', 'version: 2\nrole: 1\nsections:\n  - name: a\n    content: x\n', 'PROMPT_SCHEMA', 2, 7],
    ['unknown role', 'version: 2\nrole: narrator\nsections:\n  - name: a\n    content: x\n', 'PROMPT_SCHEMA', 2, 7],
    ['name with a dot', 'version: 2\nsections:\n  - name: a.b\n    content: x\n', 'PROMPT_SECTION_NAME', 3, 11],
    [
      'name with a space',
      'version: 2\nsections:\n  - name: who you are\n    content: x\n',
      'PROMPT_SECTION_NAME',
      3,
      11,
    ],
    [
      'name starting with xml',
      'version: 2\nsections:\n  - name: xmlstuff\n    content: x\n',
      'PROMPT_SECTION_NAME',
      3,
      11,
    ],
    ['name with markup', 'version: 2\nsections:\n  - name: "a>b"\n    content: x\n', 'PROMPT_SECTION_NAME', 3, 11],
    [
      'duplicate section (any case)',
      'version: 2\nsections:\n  - name: a\n    content: x\n  - name: A\n    content: y\n',
      'PROMPT_DUPLICATE_SECTION',
      5,
      11,
    ],
    ['top level is a list', '- 1\n', 'PROMPT_SCHEMA', 1, 1],
  ];
  for (const [label, text, code, line, column] of cases) {
    it(`rejects ${label} with ${code} at ${line}:${column}`, () => {
      const error = errorOf(text);
      expect(error.code).toBe(code);
      expect(error.details).toMatchObject({ file: 'prompt.yaml', line, column });
      expect(error.message).toContain(`prompt.yaml:${line}:${column}`);
    });
  }

  it('names the nearest known key', () => {
    expect(errorOf('version: 2\nsection: []\n').message).toContain("did you mean 'sections'?");
  });

  it('places an unknown key, an empty one included (the data reads it as an empty string)', () => {
    expect(errorOf('version: 2\nsections: []\ncolour: red\n').details).toMatchObject({ line: 3, column: 1 });
    const empty = errorOf('version: 2\n: user\nsections:\n  - name: a\n    content: x\n');
    expect(empty.code).toBe('PROMPT_SCHEMA');
    expect(empty.details).toMatchObject({ line: 2 });
  });

  it('bounds alias expansion (billion laughs)', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'version: 2',
      'sections: [{ name: a, content: x }]',
    ].join('\n');
    expect(errorOf(bomb).code).toBe('PROMPT_YAML');
  });

  it('does not pollute prototypes', () => {
    errorOf('version: 2\nsections:\n  - name: a\n    content: x\n    constructor: 1\n');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('safeParsePrompt', () => {
  it('returns data or the typed error instead of throwing', () => {
    const ok = safeParsePrompt(SPEC);
    expect(ok.success && ok.data.sections.length).toBe(2);
    const bad = safeParsePrompt('version: 9\nsections: []\n', { file: 'p.yaml' });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.code).toBe('PROMPT_VERSION');
  });
});

describe('looksLikePrompt', () => {
  it('tells a prompt from a manifest by content', () => {
    expect(looksLikePrompt(SPEC)).toBe(true);
    expect(looksLikePrompt('name: demo\nversion: 0.1.0\n')).toBe(false);
    expect(looksLikePrompt('apiVersion: agent/v1\nname: demo\n')).toBe(false);
    expect(looksLikePrompt('name: x\nsections: []\n')).toBe(false);
    expect(looksLikePrompt('[not, a, mapping]')).toBe(false);
    expect(looksLikePrompt('sections: [\n')).toBe(false);
  });
});
