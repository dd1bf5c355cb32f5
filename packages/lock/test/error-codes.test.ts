import { join } from 'node:path';
import {
  describeErrorCodeDocs,
  errorCodeReport,
  errorModuleDeviations,
  makeTempDir,
  writeTree,
} from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

// Fails when README.md's error-code table and the LOCK_* codes in src/ disagree.
describeErrorCodeDocs(join(import.meta.dirname, '..'), 'LOCK');

describe('errorCodeReport (the checker itself)', () => {
  it('sees a code thrown but undocumented, a row for an undefined code, and ignores comments', () => {
    const dir = writeTree(makeTempDir(), {
      'src/errors.ts': "export const Codes = { A: 'LOCK_A', LOCK_B: 'b' } as const;\n// 'LOCK_IN_COMMENT'\n",
      'src/use.ts': "throw new Error('LOCK_A'); const x = `LOCK_C`; /* 'LOCK_D' */\n",
      'README.md':
        '# x\n\n## Error codes\n\n| code | meaning |\n|---|---|\n| `LOCK_A` | a |\n| `LOCK_Z` | |\n\n## Other\n\n| `LOCK_B` | not in the error section |\n',
    });
    const report = errorCodeReport(dir, 'LOCK');
    expect(report.defined).toEqual(['LOCK_A', 'LOCK_B']);
    expect([...report.used.keys()].sort()).toEqual(['LOCK_A', 'LOCK_C']);
    expect(report.rows).toEqual([
      { codes: ['LOCK_A'], description: 'a' },
      { codes: ['LOCK_Z'], description: '' },
    ]);
  });
});

describe('errorModuleDeviations (the shape checker itself)', () => {
  const good = [
    '/** Every error code `x` throws. */',
    'export const LockErrorCode = {',
    '  /** The lock drifted. */',
    "  Drift: 'LOCK_DRIFT',",
    '} as const;',
    '/** One of the codes. */',
    'export type LockErrorCode = (typeof LockErrorCode)[keyof typeof LockErrorCode];',
    '/** The one error class. */',
    'export class LockError extends Error {',
    '  readonly code: LockErrorCode;',
    '  readonly details: Record<string, unknown>;',
    '  constructor(code: LockErrorCode, message: string, options: { details?: Record<string, unknown>; cause?: unknown } = {}) {',
    '    super(message);',
    '    this.code = code;',
    '    this.details = options.details ?? {};',
    '  }',
    '}',
  ].join('\n');
  const deviations = (source: string): string[] =>
    errorModuleDeviations(join(writeTree(makeTempDir(), { 'errors.ts': source }), 'errors.ts'), 'LOCK');

  it('accepts the one shape', () => {
    expect(deviations(good)).toEqual([]);
  });

  it.each([
    ['a code without a doc line', good.replace('  /** The lock drifted. */\n', ''), 'LockErrorCode.Drift: no doc line'],
    [
      'a table without `as const`',
      good.replace('} as const;', '};'),
      'LockErrorCode: not an object literal `as const`',
    ],
    ['an UPPER_CASE key', good.replace('Drift:', 'DRIFT:'), 'LockErrorCode.DRIFT: key is not PascalCase'],
    [
      'a table mapping codes to descriptions',
      good.replace("Drift: 'LOCK_DRIFT'", "LOCK_DRIFT: 'the lock drifted'"),
      'LockErrorCode.LOCK_DRIFT: the lock drifted does not start with LOCK_',
    ],
    [
      'a type that is not the values of the table',
      good.replace('(typeof LockErrorCode)[keyof typeof LockErrorCode]', "'LOCK_DRIFT'"),
      'no `export type LockErrorCode = (typeof LockErrorCode)[keyof typeof LockErrorCode]`',
    ],
    [
      'a second error class',
      `${good}\nclass OtherError extends Error {}`,
      'expected one class extending Error, found 2: LockError, OtherError',
    ],
    [
      'a constructor with a positional details argument',
      good.replace(
        'options: { details?: Record<string, unknown>; cause?: unknown } = {}',
        'details: Record<string, unknown> = {}, options: { cause?: unknown } = {}',
      ),
      'LockError: constructor is not (code: LockErrorCode, message: string, options: { details?; cause? } = {})',
    ],
    ['a class without a doc comment', good.replace('/** The one error class. */\n', ''), 'LockError: no doc comment'],
  ])('refuses %s', (_, source, problem) => {
    expect(deviations(source)).toContain(problem);
  });
});
