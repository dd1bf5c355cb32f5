import { join } from 'node:path';
import { describeErrorCodeDocs, errorCodeReport, makeTempDir, writeTree } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';

// Fails when README.md's error-code table and the LOCK_* codes in src/ disagree.
describeErrorCodeDocs(join(import.meta.dirname, '..'), 'LOCK');

describe('errorCodeReport (the checker itself)', () => {
  it('sees a code thrown but undocumented, a row for an undefined code, and ignores comments', () => {
    const dir = writeTree(makeTempDir(), {
      'src/errors.ts': "export const Codes = { A: 'LOCK_A', LOCK_B: 'b' } as const;\n// 'LOCK_IN_COMMENT'\n",
      'src/use.ts': "throw new Error('LOCK_A'); const x = `LOCK_C`; /* 'LOCK_D' */\n",
      'README.md': '# x\n\n## Error codes\n\n| code | meaning |\n|---|---|\n| `LOCK_A` | a |\n| `LOCK_Z` | |\n\n## Other\n\n| `LOCK_B` | not in the error section |\n',
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
