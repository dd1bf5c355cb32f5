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
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && pattern.test(node.text))
      found.add(node.text);
    if (withKeys && ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && pattern.test(node.name.text))
      found.add(node.name.text);
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
    const codes = [...(cells[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)]
      .map((m) => m[1] as string)
      .filter((c) => pattern.test(c));
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
    for (const code of codesIn(path, pattern, false))
      used.set(code, [...(used.get(code) ?? []), relative(packageDir, path)]);
  }
  const { rows, hasSection } = readmeRows(readFileSync(join(packageDir, 'README.md'), 'utf8'), pattern);
  return { defined, used, rows, hasSection };
}

function hasDoc(node: ts.Node, file: ts.SourceFile): boolean {
  return (ts.getLeadingCommentRanges(file.text, node.getFullStart()) ?? []).some((r) =>
    file.text.startsWith('/**', r.pos),
  );
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function extendsError(node: ts.ClassDeclaration): boolean {
  return (node.heritageClauses ?? []).some(
    (h) => h.token === ts.SyntaxKind.ExtendsKeyword && h.types.some((t) => t.expression.getText() === 'Error'),
  );
}

/**
 * How the error module at `errorsPath` deviates from the one shape every package uses (empty when it
 * does not): one documented `export const XErrorCode = { PascalName: 'PREFIX_CODE', … } as const` with a
 * doc line on every code, `export type XErrorCode = (typeof XErrorCode)[keyof typeof XErrorCode]`
 * (a union may follow, for relayed codes), and one documented `class XError extends Error` whose
 * constructor is `(code: XErrorCode, message: string, options: { details?; cause? } = {})` with
 * readonly `code` and `details`.
 */
export function errorModuleDeviations(errorsPath: string, prefix: string): string[] {
  const file = ts.createSourceFile(
    errorsPath,
    readFileSync(errorsPath, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  const problems: string[] = [];
  const tables = file.statements
    .filter(ts.isVariableStatement)
    .filter(isExported)
    .flatMap((statement) =>
      statement.declarationList.declarations
        .filter((d) => ts.isIdentifier(d.name) && d.name.text.endsWith('ErrorCode'))
        .map((d) => ({ statement, declaration: d })),
    );
  const classes = file.statements.filter(ts.isClassDeclaration).filter(extendsError);
  if (tables.length !== 1) return [`expected one exported const table named XErrorCode, found ${tables.length}`];
  const { statement, declaration } = tables[0]!;
  const name = (declaration.name as ts.Identifier).text;
  if (!hasDoc(statement, file)) problems.push(`${name}: no doc comment`);
  const init = declaration.initializer;
  const literal = init && ts.isAsExpression(init) && init.type.getText(file) === 'const' ? init.expression : undefined;
  if (literal === undefined || !ts.isObjectLiteralExpression(literal))
    problems.push(`${name}: not an object literal \`as const\``);
  else {
    for (const property of literal.properties) {
      const key = property.name?.getText(file) ?? property.getText(file);
      if (!ts.isPropertyAssignment(property) || !ts.isStringLiteral(property.initializer))
        problems.push(`${name}.${key}: not a string code`);
      else if (!new RegExp(`^${prefix}_[A-Z0-9_]+$`).test(property.initializer.text))
        problems.push(`${name}.${key}: ${property.initializer.text} does not start with ${prefix}_`);
      if (!/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$/.test(key)) problems.push(`${name}.${key}: key is not PascalCase`);
      if (!hasDoc(property, file)) problems.push(`${name}.${key}: no doc line`);
    }
  }
  const alias = file.statements.filter(ts.isTypeAliasDeclaration).find((t) => t.name.text === name);
  const valueType = `(typeof ${name})[keyof typeof ${name}]`;
  const first = alias && (ts.isUnionTypeNode(alias.type) ? alias.type.types[0] : alias.type);
  if (!alias || !isExported(alias) || first?.getText(file) !== valueType)
    problems.push(`no \`export type ${name} = ${valueType}\``);
  else if (!hasDoc(alias, file)) problems.push(`type ${name}: no doc comment`);
  const className = name.replace(/Code$/, '');
  if (classes.length !== 1)
    problems.push(
      `expected one class extending Error, found ${classes.length}: ${classes.map((c) => c.name?.text).join(', ')}`,
    );
  const errorClass = classes.find((c) => c.name?.text === className);
  if (!errorClass) return [...problems, `no class ${className} extends Error`];
  if (!isExported(errorClass)) problems.push(`${className}: not exported`);
  if (!hasDoc(errorClass, file)) problems.push(`${className}: no doc comment`);
  for (const field of ['code', 'details']) {
    const member = errorClass.members.find(
      (m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && m.name.getText(file) === field,
    );
    if (!member || !(ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.ReadonlyKeyword))
      problems.push(`${className}: no readonly ${field}`);
  }
  const constructors = errorClass.members.filter(ts.isConstructorDeclaration);
  const params = constructors[0]?.parameters ?? [];
  const [code, message, options] = params;
  const optionsType = options?.type;
  const optionKeys =
    optionsType && ts.isTypeLiteralNode(optionsType)
      ? optionsType.members.map((m) => `${m.name?.getText(file)}${m.questionToken ? '?' : ''}`).sort()
      : [];
  if (
    constructors.length !== 1 ||
    params.length !== 3 ||
    code?.type?.getText(file) !== name ||
    message?.type?.getText(file) !== 'string' ||
    optionKeys.join(',') !== 'cause?,details?' ||
    options?.initializer?.getText(file).replace(/\s/g, '') !== '{}'
  ) {
    problems.push(
      `${className}: constructor is not (code: ${name}, message: string, options: { details?; cause? } = {})`,
    );
  }
  return problems;
}

/**
 * Registers tests that fail when the package's README error-code table and its source disagree:
 * a code the source defines or uses is missing from the table, the table lists a code the source
 * never defines, or a row has no description; and when the error module deviates from the one
 * shape (see {@link errorModuleDeviations}).
 */
export function describeErrorCodeDocs(packageDir: string, prefix: string, errorsFile = 'src/errors.ts'): void {
  describe(`README error-code table of ${relative(join(packageDir, '..', '..'), packageDir)} (${prefix}_*)`, () => {
    const report = errorCodeReport(packageDir, prefix, errorsFile);
    const documented = new Set(report.rows.flatMap((row) => row.codes));

    it(`${errorsFile} has the one error shape (XErrorCode table, XErrorCode type, one XError class)`, () => {
      expect(errorModuleDeviations(join(packageDir, errorsFile), prefix)).toEqual([]);
    });

    it('the README has an error-code section and the source defines codes', () => {
      expect(report.hasSection, 'README.md needs a "## Error codes" section with a | code | meaning | table').toBe(
        true,
      );
      expect(report.defined.length).toBeGreaterThan(0);
    });

    it('every code the source uses is defined in the error module', () => {
      const undefinedCodes = [...report.used]
        .filter(([code]) => !report.defined.includes(code))
        .map(([code, files]) => `${code} (${files.join(', ')})`);
      expect(undefinedCodes, `codes used in src but not defined in ${errorsFile}`).toEqual([]);
    });

    it('every code the source defines or uses has a row in the README table', () => {
      const all = new Set([...report.defined, ...report.used.keys()]);
      expect(
        [...all].filter((code) => !documented.has(code)).sort(),
        'codes missing from the README error-code table',
      ).toEqual([]);
    });

    it('the README table lists no code the source never defines', () => {
      expect(
        [...documented].filter((code) => !report.defined.includes(code)).sort(),
        'README rows for codes the source does not define',
      ).toEqual([]);
    });

    it('every row describes its code(s) and no code has two rows', () => {
      expect(
        report.rows.filter((row) => row.description.replace(/[|\s]/g, '') === '').map((row) => row.codes.join(', ')),
      ).toEqual([]);
      const seen = report.rows.flatMap((row) => row.codes);
      expect(seen.filter((code, i) => seen.indexOf(code) !== i)).toEqual([]);
    });
  });
}
