import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/commands/index.js';

// The README is the CLI's manual: every verb of the COMMANDS registry needs a
// "## `agentlang <verb> …`" section, and that section must mention every long option the verb accepts.
const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** The body of each level-2 section whose heading starts with `agentlang <verb>`, keyed by verb. */
function verbSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = text.split(/^(?=## )/m);
  for (const part of parts) {
    const match = /^## `agentlang ([a-z][a-z-]*)[ `]/.exec(part);
    if (match?.[1]) sections.set(match[1], `${sections.get(match[1]) ?? ''}${part}`);
  }
  return sections;
}

/** Whether `--flag` occurs in `text` as a whole flag (not the prefix of a longer one). */
function mentions(text: string, flag: string): boolean {
  return new RegExp(`--${flag.replace(/[-]/g, '\\-')}(?![a-z0-9-])`).test(text);
}

const sections = verbSections(readme);

describe('apps/cli/README.md documents every verb', () => {
  it('the registry is not empty and section parsing finds the documented verbs', () => {
    expect(COMMANDS.length).toBeGreaterThan(10);
    expect(sections.has('validate')).toBe(true);
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    '%s has a "## `agentlang <verb> …`" section naming each long option',
    (name, spec) => {
      const section = sections.get(name);
      expect(section, `README.md has no "## \`agentlang ${name} …\`" section`).toBeDefined();
      const missing = Object.keys(spec.options).filter((option) => !mentions(section ?? '', option));
      expect(
        missing.map((o) => `--${o}`),
        `options of \`agentlang ${name}\` not mentioned in its README section`,
      ).toEqual([]);
    },
  );

  it('documents no verb the registry lacks', () => {
    const known = new Set(COMMANDS.map((c) => c.name));
    expect([...sections.keys()].filter((verb) => !known.has(verb))).toEqual([]);
  });

  it('the flag matcher does not take --out-dir for --out', () => {
    expect(mentions('use --out-dir D', 'out')).toBe(false);
    expect(mentions('use --out D', 'out')).toBe(true);
  });
});
