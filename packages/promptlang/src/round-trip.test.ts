import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePrompt,
  type CompileTarget,
  parseCompiled,
  parsePrompt,
  type PromptDocument,
  PromptError,
  safeParsePrompt,
} from '@agentlang/promptlang';

const nameArb = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwyzABC_'.split('')),
    fc.array(fc.constantFrom(...'abcxyz019_-'.split('')), { maxLength: 12 }),
  )
  .map(([head, tail]) => head + tail.join(''));

// Lines built from the pieces that break prompts: headings, setext underlines, fences,
// backslashes, tags, template braces, leading spaces.
const lineArb = fc
  .array(
    fc.constantFrom(
      '#',
      '## ',
      '# ',
      '=',
      '---',
      '-',
      '```',
      '~~~',
      '\\',
      ' ',
      '   ',
      '<',
      '</',
      '>',
      '/',
      'a',
      'b',
      'word',
      '{{x}}',
      '\t',
      'mindset',
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

const contentArb = fc
  .array(lineArb, { minLength: 1, maxLength: 8 })
  .map((lines) => lines.join('\n').replace(/\s+$/, ''))
  .filter((text) => text.trim().length > 0);

/**
 * Two spellings of the same document: JSON (valid YAML 1.2, every string double-quoted) and
 * block literals with an explicit indentation indicator (`|2-`), as people write prompt.yaml.
 * (yaml's own stringify mangles some whitespace-only lines, so it is not used here.)
 */
function toYamlTexts(doc: PromptDocument): string[] {
  const literal = [
    `version: ${doc.version}`,
    'sections:',
    ...doc.sections.flatMap((s) => [
      `  - name: ${JSON.stringify(s.name)}`,
      '    content: |2-',
      ...s.content.split('\n').map((line) => (line.length > 0 ? `      ${line}` : '')),
    ]),
  ].join('\n');
  return [JSON.stringify(doc, null, 2), `${literal}\n`];
}

const docArb: fc.Arbitrary<PromptDocument> = fc
  .uniqueArray(fc.record({ name: nameArb, content: contentArb }), {
    minLength: 1,
    maxLength: 5,
    selector: (s) => s.name.toLowerCase(),
  })
  .filter((sections) => sections.every((s) => !/^xml/i.test(s.name)))
  .map((sections) => ({ version: 2, sections }));

/** Level-1/2 ATX headings outside code fences, found independently of the package's scanner. */
function topHeadings(markdown: string): string[] {
  const found: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length && /^ {0,3}[`~]+[ \t]*$/.test(line))
        fence = undefined;
      continue;
    }
    if (marker && !(marker[0] === '`' && line.slice(line.indexOf(marker) + marker.length).includes('`'))) {
      fence = marker;
      continue;
    }
    if (/^ {0,3}#{1,2}([ \t]|$)/.test(line)) found.push(line);
  }
  return found;
}

function compileOrUnsafe(doc: PromptDocument, target: CompileTarget): string | undefined {
  try {
    return compilePrompt(doc, { target });
  } catch (error) {
    // Rejection is allowed only as the documented typed error for unsafe content.
    expect(error).toBeInstanceOf(PromptError);
    expect((error as PromptError).code).toBe('PROMPT_UNSAFE_CONTENT');
    return undefined;
  }
}

describe('round trip: parse → compile → parse', () => {
  for (const target of ['markdown', 'xml'] as const) {
    it(`prompt.yaml → ${target} → sections gives back the same sections`, () => {
      fc.assert(
        fc.property(docArb, (doc) => {
          const [json, literal] = toYamlTexts(doc) as [string, string];
          expect(parsePrompt(literal)).toEqual(doc);
          const parsed = parsePrompt(json);
          expect(parsed).toEqual(doc);
          const text = compileOrUnsafe(parsed, target);
          if (text === undefined) return;
          expect(parseCompiled(text, target)).toEqual(doc.sections);
          expect(compilePrompt({ version: 2, sections: parseCompiled(text, target) }, { target })).toBe(text);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('markdown output has exactly one top-level heading per section, whatever the content', () => {
    fc.assert(
      fc.property(docArb, (doc) => {
        const text = compileOrUnsafe(doc, 'markdown');
        if (text === undefined) return;
        expect(topHeadings(text)).toEqual(doc.sections.map((s) => `## ${s.name}`));
      }),
      { numRuns: 400 },
    );
  });

  it('mutated prompt files never raise anything but PromptError, each with a code and a location', () => {
    const base =
      'version: 2\nrole: user\nsections:\n  - name: mindset\n    content: |\n      Think {{time}}.\n  - name: tools\n    content: "a: b"\n';
    const mutation = fc.record({
      at: fc.nat({ max: base.length }),
      drop: fc.nat({ max: 4 }),
      insert: fc.array(
        fc.constantFrom(
          ':',
          '-',
          ' ',
          '\n',
          '&a ',
          '*a',
          '!!str ',
          '!x ',
          '{',
          '[',
          '"',
          "'",
          '|',
          '>',
          '#',
          '__proto__: 1\n',
          'version: 3',
          '\t',
          'name: x',
        ),
        {
          maxLength: 3,
        },
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let text = base;
        for (const m of mutations) {
          const at = Math.min(m.at, text.length);
          text = text.slice(0, at) + m.insert.join('') + text.slice(at + m.drop);
        }
        const result = safeParsePrompt(text, { file: 'prompt.yaml' });
        if (result.success) {
          for (const target of ['markdown', 'xml'] as const) {
            try {
              compilePrompt(result.data, { target });
            } catch (error) {
              expect(error).toBeInstanceOf(PromptError);
            }
          }
          return;
        }
        expect(result.error.code).toMatch(/^PROMPT_[A-Z_]+$/);
        expect(result.error.details.file).toBe('prompt.yaml');
        expect(result.error.details.line).toBeGreaterThan(0);
        expect(result.error.details.column).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('random text never raises anything but PromptError, and every rejection has a code and a location', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const result = safeParsePrompt(`version: 2\nsections:\n  - name: a\n    content: ${text}\n${text}`, {
          file: 'p.yaml',
        });
        if (!result.success) {
          expect(result.error.code).toMatch(/^PROMPT_[A-Z_]+$/);
          expect(result.error.details.file).toBe('p.yaml');
          expect(result.error.details.line).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
