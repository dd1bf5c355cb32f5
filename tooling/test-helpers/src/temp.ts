import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

// Registered when a test file imports the helpers (collection time): a hook registered from
// inside a running test is silently dropped, which is how earlier runs left hundreds of dirs.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * Creates a temporary directory that is removed after the current test file. It is usable as a
 * sandbox workdir whoever runs the tests: 0755, and when running as root owned by 65534 (nobody),
 * the unprivileged uid a root caller's sandbox runs as (mkdtemp's 0700 root directory would be
 * unreachable to it), so the same tests pass as root and as a regular user.
 */
export function makeTempDir(prefix = 'agentlang-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) chownSync(dir, 65534, 65534);
  made.push(dir);
  return dir;
}

/** Writes a tree of files (`{ 'a/b.yaml': 'text' }`) under `dir` and returns `dir`. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}
