import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { findOnPath } from '@agentlang/utils';
import { IsolationError } from './errors.js';
import { DEFAULT_MAX_PROCESSES, DEFAULT_MEMORY_BYTES } from './host-settings.js';
import { policyFromTrust } from './mapping.js';
import { selectBackend } from './select-backend.js';
import { capture } from './test-support.js';

const SYSTEM_PATH = '/usr/bin:/bin';

/** A stand-in noether-sandbox that records its argv, environment and policy file, then runs the command. */
function standInNoether(): { bin: string; record: string } {
  const bin = makeTempDir('agentlang-noether-bin-');
  const record = makeTempDir('agentlang-noether-rec-');
  const script = join(bin, 'noether-sandbox');
  writeFileSync(
    script,
    `#!/bin/sh
rec=${record}
printf '%s\\n' "$@" > "$rec/args"
cp "$2" "$rec/policy.json"
stat -c %a "$2" > "$rec/mode"
echo "$2" > "$rec/path"
env > "$rec/env"
id -u > "$rec/uid"
while [ "$1" != "--" ]; do shift; done
shift
exec "$@"
`,
  );
  chmodSync(script, 0o755);
  return { bin, record };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof IsolationError ? error.code : String(error);
  }
  return undefined;
}

const trust = { filesystem: 'none', network: 'none', exec: 'full', scope: [] } as const;

describe('selectBackend', () => {
  it('defaults to bwrap', () => {
    expect(selectBackend({ env: { PATH: SYSTEM_PATH } }).name).toBe('bwrap');
  });

  it('never takes bwrap (or noether-sandbox) from a relative PATH entry, where an agent could have planted one', async () => {
    // The attack: the agent's workdir gets bin/bwrap and bin/noether-sandbox; PATH holds a relative entry that reaches them.
    const workdir = makeTempDir('agentlang-planted-');
    const marker = join(workdir, 'planted-ran');
    mkdirSync(join(workdir, 'bin'));
    for (const name of ['bwrap', 'noether-sandbox']) {
      writeFileSync(join(workdir, 'bin', name), `#!/bin/sh\necho ${name} > ${marker}\n`, { mode: 0o755 });
    }
    const rel = relative(process.cwd(), join(workdir, 'bin'));
    expect(isAbsolute(rel)).toBe(false);
    const backend = selectBackend({ env: { PATH: `${rel}:${SYSTEM_PATH}` } });
    const r = await capture(backend, policyFromTrust(trust, { workdir }), { argv: ['/bin/true'] });
    expect(r.exitCode).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(findOnPath('bwrap', `${rel}:${SYSTEM_PATH}`)).toBe('/usr/bin/bwrap');
    expect(findOnPath('noether-sandbox', `${rel}:.:`)).toBeUndefined();
    expect(codeOf(() => selectBackend({ env: { PATH: rel } }))).toBe('SANDBOX_UNAVAILABLE');
    // Control: the planted file is a working executable under its absolute directory.
    expect(findOnPath('bwrap', join(workdir, 'bin'))).toBe(join(workdir, 'bin', 'bwrap'));
  });

  it('refuses to run without bubblewrap, saying how to install it and which flag skips isolation', () => {
    let error: unknown;
    try {
      selectBackend({ env: { PATH: '/nonexistent' } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IsolationError);
    expect((error as IsolationError).code).toBe('SANDBOX_UNAVAILABLE');
    expect((error as IsolationError).message).toContain('apt-get install bubblewrap');
    expect((error as IsolationError).message).toContain('brew install bubblewrap');
    expect((error as IsolationError).message).toContain('nixpkgs#bubblewrap');
    expect((error as IsolationError).message).toContain('--unsafe-no-isolation');
  });

  it('gives no isolation only with unsafeNoIsolation, and refuses AGENTLANG_ISOLATION_BACKEND=none without it', () => {
    expect(selectBackend({ env: { PATH: '/nonexistent' }, unsafeNoIsolation: true }).name).toBe('none');
    expect(codeOf(() => selectBackend({ env: { PATH: SYSTEM_PATH, AGENTLANG_ISOLATION_BACKEND: 'none' } }))).toBe(
      'SANDBOX_UNAVAILABLE',
    );
    expect(codeOf(() => selectBackend({ env: { PATH: SYSTEM_PATH, AGENTLANG_ISOLATION_BACKEND: 'docker' } }))).toBe(
      'SANDBOX_UNKNOWN_BACKEND',
    );
  });

  it('noether: runs noether-sandbox --policy-file <0600 json> --isolate=bwrap --require-isolation -- argv', async () => {
    const { bin, record } = standInNoether();
    const workdir = makeTempDir();
    const backend = selectBackend({ env: { PATH: `${bin}:${SYSTEM_PATH}`, AGENTLANG_ISOLATION_BACKEND: 'noether' } });
    expect(backend.name).toBe('noether');
    const policy = policyFromTrust(trust, { workdir, timeoutMs: 20_000, setEnv: { MODE: 'demo' } });
    const r = await capture(backend, policy, {
      argv: ['/bin/echo', '[test-echo] demo@0.1.0'],
      secrets: { API_KEY: 'sekrit-value' },
    });
    expect(r).toMatchObject({ exitCode: 0, backend: 'noether' });
    expect(r.stdout).toBe('[test-echo] demo@0.1.0\n');
    const args = readFileSync(join(record, 'args'), 'utf8').trim().split('\n');
    const policyPath = readFileSync(join(record, 'path'), 'utf8').trim();
    expect(args).toEqual([
      '--policy-file',
      policyPath,
      '--isolate=bwrap',
      '--require-isolation',
      '--',
      '/bin/echo',
      '[test-echo] demo@0.1.0',
    ]);
    expect(readFileSync(join(record, 'mode'), 'utf8').trim()).toBe('600');
    expect(existsSync(policyPath)).toBe(false); // cleaned up after the run
    const wire = JSON.parse(readFileSync(join(record, 'policy.json'), 'utf8'));
    expect(wire).toEqual({
      version: 1,
      source: 'agentlang.isolation/v1',
      filesystem: { mode: 'none', read_only: [], read_write: [workdir] },
      workdir,
      network: 'none',
      exec: 'full',
      env: { PATH: expect.any(String), HOME: workdir, TMPDIR: '/tmp', LANG: 'C.UTF-8', MODE: 'demo' },
      env_passthrough: ['API_KEY'],
      limits: { timeout_ms: 20_000, memory_bytes: DEFAULT_MEMORY_BYTES, max_processes: DEFAULT_MAX_PROCESSES },
    });
    // The secret reaches noether through its environment only: not argv, not the policy file.
    expect(readFileSync(join(record, 'env'), 'utf8')).toContain('API_KEY=sekrit-value');
    expect(readFileSync(join(record, 'args'), 'utf8')).not.toContain('sekrit');
    expect(readFileSync(join(record, 'policy.json'), 'utf8')).not.toContain('sekrit');
    // Never host root (run as root, noether-sandbox is started as the unprivileged sandbox user), and no relative PATH entry.
    expect(readFileSync(join(record, 'uid'), 'utf8').trim()).not.toBe('0');
    const path = /^PATH=(.*)$/m.exec(readFileSync(join(record, 'env'), 'utf8'))?.[1] ?? '';
    expect(path.split(':').every((entry) => entry.startsWith('/'))).toBe(true);
  });

  it('noether: falls back to bwrap with a debug log when noether-sandbox is not on PATH', async () => {
    const lines: string[] = [];
    const backend = selectBackend({
      env: { PATH: SYSTEM_PATH, AGENTLANG_ISOLATION_BACKEND: 'noether', AGENTLANG_DEBUG: '1' },
      log: (l) => lines.push(l),
    });
    expect(backend.name).toBe('bwrap');
    expect(lines).toEqual(['isolation: noether-sandbox not found on PATH; falling back to the bwrap backend']);
    const quiet: string[] = [];
    selectBackend({ env: { PATH: SYSTEM_PATH, AGENTLANG_ISOLATION_BACKEND: 'noether' }, log: (l) => quiet.push(l) });
    expect(quiet).toEqual([]); // debug only
    const r = await capture(backend, policyFromTrust(trust, { workdir: makeTempDir() }), {
      argv: ['/bin/echo', 'via bwrap'],
    });
    expect(r).toMatchObject({ exitCode: 0, backend: 'bwrap', stdout: 'via bwrap\n' });
  });

  it('noether: falls back to bwrap for filesystem: full, which noether cannot express', async () => {
    const { bin, record } = standInNoether();
    const lines: string[] = [];
    const backend = selectBackend({
      env: { PATH: `${bin}:${SYSTEM_PATH}`, AGENTLANG_ISOLATION_BACKEND: 'noether' },
      log: (l) => lines.push(l),
      verbose: true,
    });
    expect(backend.name).toBe('noether');
    const policy = policyFromTrust({ ...trust, filesystem: 'full' }, { workdir: makeTempDir() });
    const prepared = backend.prepare(policy, { argv: ['/bin/true'], env: {} });
    expect(prepared.backend).toBe('bwrap');
    expect(prepared.argv[0]).toBe('/usr/bin/bwrap');
    await prepared.cleanup();
    const r = await capture(backend, policy, { argv: ['/bin/echo', 'full'] });
    expect(r).toMatchObject({ exitCode: 0, backend: 'bwrap', stdout: 'full\n' });
    expect(existsSync(join(record, 'args'))).toBe(false); // the stand-in never ran
    expect(lines[0]).toBe(
      'isolation: noether-sandbox cannot express filesystem: full (host passthrough); falling back to the bwrap backend',
    );
  });

  it('noether without bwrap: a policy noether cannot express is an error, not a silent downgrade', () => {
    const { bin } = standInNoether();
    const backend = selectBackend({ env: { PATH: bin, AGENTLANG_ISOLATION_BACKEND: 'noether' } });
    const policy = policyFromTrust({ ...trust, filesystem: 'full' }, { workdir: makeTempDir() });
    expect(codeOf(() => backend.prepare(policy, { argv: ['/bin/true'], env: {} }))).toBe('SANDBOX_UNAVAILABLE');
  });
});
