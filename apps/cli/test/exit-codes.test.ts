import { readFileSync } from 'node:fs';
import { runCli } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { CliErrorCode } from '../src/errors.js';
import { EXIT_CODES, exitCodeFor } from '../src/exit-codes.js';
import { VERSION } from '../src/version.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

describe('exit codes', () => {
  it('pins the documented table (changing a number breaks scripts: update README and this test together)', () => {
    expect(EXIT_CODES).toEqual({
      OK: 0,
      INTERNAL: 1,
      USAGE: 2,
      MANIFEST: 10,
      PROMPT: 10,
      RESOLVE: 11,
      LOCK: 12,
      SANDBOX: 14,
      RUNNER: 15,
      CONTAINER: 16,
      REGISTRY: 17,
    });
  });

  it('maps an error code to its family', () => {
    expect(exitCodeFor('MANIFEST_SCHEMA')).toBe(10);
    expect(exitCodeFor('PROMPT_UNKNOWN_VARIABLE')).toBe(10);
    expect(exitCodeFor('LOCK_DRIFT')).toBe(12);
    expect(exitCodeFor('CONTAINER_DIGEST_MISMATCH')).toBe(16);
    expect(exitCodeFor('USAGE_EXISTS')).toBe(2);
    expect(exitCodeFor('SOMETHING_ELSE')).toBe(1);
    expect(exitCodeFor('OK_BUT_AN_ERROR')).toBe(1);
  });

  it("exits 2 (USAGE) for every code of the CLI's own errors", () => {
    for (const code of Object.values(CliErrorCode)) expect(exitCodeFor(code), code).toBe(2);
  });

  it('documents every family in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [family, code] of Object.entries(EXIT_CODES)) {
      expect(readme).toMatch(new RegExp(`\\|\\s*${code}\\s*\\|[^\\n]*${family}`));
    }
  });
});

describe('--version', () => {
  it('matches apps/cli/package.json', () => {
    expect(VERSION).toBe(pkg.version);
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
    expect(JSON.parse(runCli(['--version', '--json']).stdout)).toEqual({ version: pkg.version });
  });
});
