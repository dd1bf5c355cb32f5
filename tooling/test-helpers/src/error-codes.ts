import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** One row of a README's error-code table: the codes in its first cell and the rest of the row. */
export interface ErrorCodeRow {
  codes: string[];
  description: string;
}

/** What a package's source and README say about its error codes (see {@link errorCodeReport}). */
export interface ErrorCodeReport {
  /** Codes defined by the error module: string literals and property names shaped `PREFIX_*`. */
  defined: string[];
  /** Every `PREFIX_*` string literal in the package's non-test sources, with the files using it. */
  used: Map<string, string[]>;
  /** Rows of the README's `## Error codes` (or `## Errors`) table; empty when there is no such section. */
  rows: ErrorCodeRow[];
  /** Whether the README has an error-code section at all. */
  hasSection: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Code-shaped string literals (and, when `withKeys`, property names) in one TypeScript file; comments are ignored. */
function codesIn(path: string, pattern: RegExp, withKeys: boolean): Set<string> {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && pattern.test(node.text)) found.add(node.text);
    if (withKeys && ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && pattern.test(node.name.text)) found.add(node.name.text);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The rows of the first table in the README's `## Error codes` / `## Errors` section. */
function readmeRows(readme: string, pattern: RegExp): { rows: ErrorCodeRow[]; hasSection: boolean } {
  const section = readme.split(/^(?=## )/m).find((part) => /^## (Error codes|Errors)\b/.test(part));
  if (section === undefined) return { rows: [], hasSection: false };
  const rows: ErrorCodeRow[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('|') || /^\|[\s:|-]+\|?$/.test(line)) continue;
    const cells = line.split('|').slice(1, -1);
    const codes = [...(cells[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string).filter((c) => pattern.test(c));
    if (codes.length > 0) rows.push({ codes, description: cells.slice(1).join('|').trim() });
  }
  return { rows, hasSection: true };
}

/**
 * Reads the error codes of the package at `packageDir`: those its error module (`src/errors.ts`)
 * defines, the `PREFIX_*` string literals its sources use, and the rows of its README's table.
 */
export function errorCodeReport(packageDir: string, prefix: string, errorsFile = 'src/errors.ts'): ErrorCodeReport {
  const pattern = new RegExp(`^${prefix}_[A-Z0-9_]+$`);
  const defined = [...codesIn(join(packageDir, errorsFile), pattern, true)].sort();
  const used = new Map<string, string[]>();
  for (const path of sourceFiles(join(packageDir, 'src'))) {
    for (const code of codesIn(path, pattern, false)) used.set(code, [...(used.get(code) ?? []), relative(packageDir, path)]);
  }
  const { rows, hasSection } = readmeRows(readFileSync(join(packageDir, 'README.md'), 'utf8'), pattern);
  return { defined, used, rows, hasSection };
}

/**
 * Registers tests that fail when the package's README error-code table and its source disagree:
 * a code the source defines or uses is missing from the table, the table lists a code the source
 * never defines, or a row has no description.
 */
export function describeErrorCodeDocs(packageDir: string, prefix: string, errorsFile = 'src/errors.ts'): void {
  describe(`README error-code table of ${relative(join(packageDir, '..', '..'), packageDir)} (${prefix}_*)`, () => {
    const report = errorCodeReport(packageDir, prefix, errorsFile);
    const documented = new Set(report.rows.flatMap((row) => row.codes));

    it('the README has an error-code section and the source defines codes', () => {
      expect(report.hasSection, 'README.md needs a "## Error codes" section with a | code | meaning | table').toBe(true);
      expect(report.defined.length).toBeGreaterThan(0);
    });

    it('every code the source uses is defined in the error module', () => {
      const undefinedCodes = [...report.used].filter(([code]) => !report.defined.includes(code)).map(([code, files]) => `${code} (${files.join(', ')})`);
      expect(undefinedCodes, `codes used in src but not defined in ${errorsFile}`).toEqual([]);
    });

    it('every code the source defines or uses has a row in the README table', () => {
      const all = new Set([...report.defined, ...report.used.keys()]);
      expect([...all].filter((code) => !documented.has(code)).sort(), 'codes missing from the README error-code table').toEqual([]);
    });

    it('the README table lists no code the source never defines', () => {
      expect([...documented].filter((code) => !report.defined.includes(code)).sort(), 'README rows for codes the source does not define').toEqual([]);
    });

    it('every row describes its code(s) and no code has two rows', () => {
      expect(report.rows.filter((row) => row.description.replace(/[|\s]/g, '') === '').map((row) => row.codes.join(', '))).toEqual([]);
      const seen = report.rows.flatMap((row) => row.codes);
      expect(seen.filter((code, i) => seen.indexOf(code) !== i)).toEqual([]);
    });
  });
}
