import { rmSync } from 'node:fs';
import { makeTempDir, runCli } from '@agentlang/test-helpers';
import { afterAll, describe, expect, it } from 'vitest';

// Issue 10 item 6: every numeric flag of the registry verbs is checked before anything starts;
// a bad value exits 2 (USAGE) with the flag, the value and the expected form. Before this,
// `registry serve --max-upload-mib abc` started a server whose upload limit was NaN (none).

describe('registry verbs refuse malformed numeric flags (exit 2)', () => {
  const dir = makeTempDir('agentlang-cli-flags-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A short timeout: an unchecked flag would start the server and never exit.
  const run = (args: string[]) =>
    runCli(args, { cwd: dir, env: { AGENTLANG_API_KEYS: 'alice:alice-key' }, timeoutMs: 20_000 });

  it.each([
    [
      ['registry', 'serve', '--bind', '127.0.0.1:0', '--max-upload-mib', 'abc'],
      "--max-upload-mib 'abc' is not valid; expected a whole number from 1 to 1048576 (e.g. --max-upload-mib 1)",
    ],
    [['registry', 'serve', '--bind', '127.0.0.1:0', '--max-upload-mib', '0'], "--max-upload-mib '0' is not valid"],
    [['registry', 'serve', '--bind', '127.0.0.1:0', '--max-upload-mib', '1.5'], "--max-upload-mib '1.5' is not valid"],
    [
      ['registry', 'serve', '--bind', '127.0.0.1:0', '--parse-concurrency', 'two'],
      "--parse-concurrency 'two' is not valid; expected a whole number from 1 to 64",
    ],
    [
      ['registry', 'serve', '--bind', '127.0.0.1:0', '--parse-heap-mib', '4'],
      "--parse-heap-mib '4' is not valid; expected a whole number from 16 to 16384",
    ],
    [
      ['registry', 'serve', '--bind', '127.0.0.1:99999'],
      "--bind '127.0.0.1:99999' is not host:port; expected e.g. 127.0.0.1:8765",
    ],
    [['registry', 'serve', '--bind', 'localhost'], "--bind 'localhost' is not host:port"],
    [
      ['pull', 'alice/demo@0.1.0', '--registry', 'http://127.0.0.1:9', '--max-size-mib', 'lots'],
      "--max-size-mib 'lots' is not valid; expected a whole number from 1 to 1048576",
    ],
    [['pull', 'oci://127.0.0.1:9/agents/demo:0.1.0', '--max-size-mib=-5'], "--max-size-mib '-5' is not valid"],
  ])('%j', (args, message) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('--json reports the flag, the value and the bounds', () => {
    const r = run(['registry', 'serve', '--bind', '127.0.0.1:0', '--max-upload-mib', 'abc', '--json']);
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({
      error: { code: 'USAGE_FLAG', details: { flag: 'max-upload-mib', value: 'abc', min: 1, max: 1048576 } },
    });
  });
});
