import type { Diagnostic } from './diagnostic.js';
import { type Locator, sourceLocator, validateAgainstSchema } from './validate-schema.js';
import { hasErrors, parseYamlSource } from './yaml-source.js';

/** A parsed SKILL.md: its frontmatter data (when valid enough to use) and every problem found. */
export interface ParsedSkill {
  data?: Record<string, unknown>;
  locator?: Locator;
  diagnostics: Diagnostic[];
}

/**
 * Parses the YAML frontmatter of a SKILL.md (between a first line `---` and the next `---`),
 * validates it against the skill-frontmatter schema, and checks that its name matches the
 * directory it was referenced by.
 */
export function parseSkill(rel: string, text: string, expectedName: string, maxAliasCount: number): ParsedSkill {
  const lines = text.split(/\r?\n/);
  const end = lines[0]?.trim() === '---' ? lines.findIndex((l, i) => i > 0 && l.trim() === '---') : -1;
  if (end < 0) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'MANIFEST_SKILL',
          message: `${rel} has no YAML frontmatter; start the file with --- name/description/allowed-tools --- lines`,
          file: rel,
          line: 1,
          column: 1,
          path: '',
          expected: 'a first line "---", the frontmatter, then a line "---"',
          found: JSON.stringify((lines[0] ?? '').slice(0, 40)),
        },
      ],
    };
  }
  // Keep line numbers: the opening --- becomes an empty line.
  const source = parseYamlSource(rel, ['', ...lines.slice(1, end)].join('\n'), { maxAliasCount });
  if (hasErrors(source.diagnostics)) return { diagnostics: source.diagnostics };
  const locator = sourceLocator(source);
  const data = source.data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'MANIFEST_SKILL',
          message: `${rel} frontmatter must be a mapping`,
          file: rel,
          line: 2,
          column: 1,
          path: '',
          expected: 'name, description, allowed-tools',
        },
      ],
    };
  }
  const diagnostics = [...source.diagnostics, ...validateAgainstSchema('skill-frontmatter', data, locator)];
  const name = (data as Record<string, unknown>).name;
  if (typeof name === 'string' && name !== expectedName) {
    diagnostics.push({
      severity: 'error',
      code: 'MANIFEST_SKILL',
      message: `${rel} is named "${name}" but is referenced as "${expectedName}"; the frontmatter name must match its directory`,
      file: rel,
      ...source.locate(['name']),
      path: '/name',
      expected: JSON.stringify(expectedName),
      found: JSON.stringify(name),
    });
  }
  return { data: data as Record<string, unknown>, locator, diagnostics };
}
