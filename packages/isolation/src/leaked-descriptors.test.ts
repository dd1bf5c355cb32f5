import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { inheritableDescriptors } from './leaked-descriptors.js';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('descriptors leaked by the parent', () => {
  it('inheritableDescriptors lists only fds ≥ 3 without close-on-exec', () => {
    for (const fd of inheritableDescriptors()) expect(fd).toBeGreaterThanOrEqual(3);
  });

  it('do not reach the sandboxed command (a parent holding fds 300 and 1000 without CLOEXEC)', () => {
    // Node opens everything close-on-exec (and marks low inherited fds so at start-up), so the leak
    // is staged by a shell that opens high fds and execs a node process running this package
    // (bundled from source by esbuild, which tsup ships).
    const dir = makeTempDir('agentlang-iso-leak-');
    const bundle = join(dir, 'isolation.mjs');
    const built = spawnSync(
      join(pkg, 'node_modules/.bin/esbuild'),
      [join(pkg, 'src/index.ts'), '--bundle', '--platform=node', '--format=esm', `--outfile=${bundle}`],
      {
        encoding: 'utf8',
      },
    );
    expect(built.status, built.stderr).toBe(0);
    const runner = join(dir, 'runner.mjs');
    writeFileSync(
      runner,
      `import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { policyFromTrust, runSandboxed, createBwrapBackend } from './isolation.mjs';
const policy = policyFromTrust({ filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [] }, { workdir: ${JSON.stringify(dir)} });
let inside = '';
await runSandboxed(policy, { argv: ['/bin/sh', '-c', 'for f in /proc/self/fd/*; do echo "$f $(readlink $f)"; done'], env: {} }, { backend: createBwrapBackend({ bwrapPath: '/usr/bin/bwrap' }), stdio: ['ignore', 'pipe', 'inherit'], onStdout: (c) => { inside += c; } });
const bare = spawnSync('/usr/bin/bwrap', ['--unshare-all', '--ro-bind', '/usr', '/usr', '--symlink', 'usr/bin', '/bin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64', '--proc', '/proc', '--', '/bin/ls', '/proc/self/fd'], { encoding: 'utf8' }).stdout;
console.log(JSON.stringify({ parent: readdirSync('/proc/self/fd').map(Number), inside, bare: bare.trim().split(/\\s+/).map(Number) }));
`,
    );
    const run = spawnSync(
      '/usr/bin/bash',
      ['-c', `exec 300</etc/hostname; exec 1000</etc/hostname; exec ${process.execPath} ${runner}`],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const { parent, inside, bare } = JSON.parse(run.stdout) as { parent: number[]; inside: string; bare: number[] };
    expect(parent).toEqual(expect.arrayContaining([300, 1000])); // control: the parent really holds them
    expect(bare).toEqual(expect.arrayContaining([300, 1000])); // control: bare bwrap passes them through
    // Inside, the leaked numbers hold /dev/null (spawn maps them), never the parent's file.
    expect(inside).not.toContain('/etc/hostname');
    expect(inside).toContain('/proc/self/fd/300 /dev/null');
    expect(inside).toContain('/proc/self/fd/1000 /dev/null');
  });
});
