import { chmodSync, copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { describe, expect, it } from 'vitest';
import { assertReachable, buildPrelude, createBwrapBackend, pathBinds, sandboxIdentity } from './bwrap-backend.js';
import { IsolationError } from './errors.js';
import { policyFromTrust } from './mapping.js';
import { capture } from './test-support.js';

const backend = createBwrapBackend({ bwrapPath: '/usr/bin/bwrap' });
const trust = { filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [] } as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof IsolationError ? error.code : String(error);
  }
  return undefined;
}

describe('the bwrap argv', () => {
  it('carries the hardened profile', async () => {
    const workdir = makeTempDir();
    const prepared = backend.prepare(policyFromTrust(trust, { workdir }), { argv: ['/bin/echo', 'hi'], env: {} });
    try {
      const argv = prepared.argv;
      expect(argv[0]).toBe('/usr/bin/bwrap');
      for (const flag of [
        '--unshare-all',
        '--unshare-user',
        '--disable-userns',
        '--new-session',
        '--die-with-parent',
        '--clearenv',
        '--seccomp',
      ]) {
        expect(argv, flag).toContain(flag);
      }
      expect(argv.join(' ')).toContain('--cap-drop ALL');
      expect(argv.join(' ')).toContain(
        '--proc /proc --ro-bind-try /proc/sys /proc/sys --ro-bind-try /proc/sysrq-trigger /proc/sysrq-trigger',
      );
      expect(argv.join(' ')).toContain('--dev /dev --tmpfs /tmp');
      expect(argv.join(' ')).toContain(`--bind ${workdir} ${workdir}`);
      expect(argv.join(' ')).toContain('--remount-ro /');
      expect(argv).not.toContain('--share-net');
      expect(argv.join(' ')).not.toContain('resolv.conf'); // network files only when the network is allowed
      // The default limits go through the prelude: RLIMIT_DATA 2 GiB, 512 tasks.
      expect(argv.slice(-7)).toEqual([
        '--',
        '/bin/sh',
        '-c',
        expect.stringContaining('ulimit -d 2097152'),
        'agentlang-sandbox',
        '/bin/echo',
        'hi',
      ]);
      expect(argv.at(-4)).toContain('ulimit -u 512 2>/dev/null || ulimit -p 512');
      // Descriptors 3.. are the passwd/group data and the seccomp program.
      expect(prepared.spawnOptions.stdio.length).toBeGreaterThan(3);
      expect(prepared.spawnOptions.detached).toBe(true);
      // bwrap gets no environment at all: its initial environment is the sandbox's /proc/1/environ.
      expect(prepared.spawnOptions.env).toEqual({});
    } finally {
      await prepared.cleanup();
    }
  });

  it('shares the network and binds resolver/TLS files only under network: allowed', async () => {
    const prepared = backend.prepare(policyFromTrust({ ...trust, network: 'allowed' }, { workdir: makeTempDir() }), {
      argv: ['/bin/true'],
      env: {},
    });
    expect(prepared.argv).toContain('--share-net');
    expect(prepared.argv.join(' ')).toContain('--ro-bind-try /etc/resolv.conf /etc/resolv.conf');
    expect(prepared.argv.join(' ')).toContain('--ro-bind-try /etc/ssl /etc/ssl');
    await prepared.cleanup();
  });

  it('redacts sensitive-looking environment values in redactedArgv and never puts secrets on argv', async () => {
    const prepared = backend.prepare(
      policyFromTrust(trust, { workdir: makeTempDir(), setEnv: { GITHUB_TOKEN: 'ghp_notreally', COLOR: 'blue' } }),
      {
        argv: ['/bin/true'],
        env: {},
        secrets: { API_KEY: 'sk-very-secret' },
      },
    );
    expect(prepared.argv.join(' ')).not.toContain('sk-very-secret');
    expect(prepared.redactedArgv.join(' ')).not.toContain('sk-very-secret');
    expect(prepared.redactedArgv.join(' ')).not.toContain('ghp_notreally');
    expect(prepared.redactedArgv.join(' ')).toContain('--setenv GITHUB_TOKEN <redacted>');
    expect(prepared.redactedArgv.join(' ')).toContain('--setenv COLOR blue');
    expect(prepared.argv.join(' ')).toContain('/run/agentlang/secrets/API_KEY');
    await prepared.cleanup();
  });

  it('leaves nothing on disk once prepared (descriptors only), and cleanup is idempotent', async () => {
    const ours = (n: string) => n.startsWith(`agentlang-sandbox-${process.pid}-`);
    const prepared = backend.prepare(policyFromTrust(trust, { workdir: makeTempDir() }), {
      argv: ['/bin/true'],
      env: {},
      secrets: { K: 'v' },
    });
    expect(readdirSync('/dev/shm').filter(ours)).toEqual([]);
    await prepared.cleanup();
    await prepared.cleanup();
  });

  it('binds parents before children so a nested grant keeps its own mode', () => {
    const p = policyFromTrust(
      { ...trust, filesystem: 'read-only', scope: ['/srv/a/b/c', '/srv'] },
      { workdir: '/srv/a' },
    );
    expect(pathBinds(p)).toEqual([
      '--ro-bind',
      '/srv',
      '/srv',
      '--ro-bind',
      '/srv/a',
      '/srv/a',
      '--ro-bind',
      '/srv/a/b/c',
      '/srv/a/b/c',
    ]);
    const q = policyFromTrust(
      { ...trust, filesystem: 'scoped', scope: ['/srv'] },
      { workdir: '/srv/a', readOnly: ['/srv/a/ro'] },
    );
    expect(pathBinds(q)).toEqual([
      '--bind',
      '/srv',
      '/srv',
      '--bind',
      '/srv/a',
      '/srv/a',
      '--ro-bind',
      '/srv/a/ro',
      '/srv/a/ro',
    ]);
  });

  it('builds a fork-free prelude', () => {
    const prelude = buildPrelude(['API_KEY'], { memoryKiB: 1024, nproc: 5 });
    expect(prelude).toContain('ulimit -d 1024');
    expect(prelude).toContain('ulimit -u 5 2>/dev/null || ulimit -p 5');
    expect(prelude).toContain('< /run/agentlang/secrets/API_KEY');
    expect(prelude).not.toContain('$('); // no command substitution: it would fork
    expect(prelude.endsWith('exec "$@"')).toBe(true);
  });
});

describe('refusals', () => {
  it('enforces network: scoped through the egress proxy: own network namespace, the proxy socket bound in, the bridge in front', async () => {
    const p = policyFromTrust(
      { ...trust, network: 'scoped' },
      { workdir: makeTempDir(), allowedHosts: ['api.example.com'] },
    );
    const prepared = backend.prepare(p, { argv: ['/bin/true'], env: {} });
    const argv = prepared.argv.join(' ');
    expect(argv).not.toContain('--share-net');
    expect(argv).not.toContain('/etc/resolv.conf');
    expect(argv).toMatch(/--ro-bind \S+agentlang-egress-\S+ \/run\/agentlang\/egress/);
    expect(argv).toContain('--setenv HTTPS_PROXY http://127.0.0.1:3128');
    // After the prelude that applies the default limits.
    expect(argv).toMatch(
      / agentlang-sandbox \S*node \/run\/agentlang\/egress-bridge\.cjs 3128 \/run\/agentlang\/egress\/proxy\.sock \/bin\/true$/,
    );
    const dir = /--ro-bind (\S+agentlang-egress-\S+) /.exec(argv)?.[1] as string;
    expect(readdirSync(dir)).toEqual(['proxy.sock']);
    await prepared.cleanup();
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it('refuses the host root as a read-write workdir unless filesystem is full', () => {
    const p = policyFromTrust(trust, { workdir: '/' });
    expect(codeOf(() => backend.prepare(p, { argv: ['/bin/true'], env: {} }))).toBe('SANDBOX_INVALID_POLICY');
    const full = policyFromTrust({ ...trust, filesystem: 'full' }, { workdir: '/' });
    const prepared = backend.prepare(full, { argv: ['/bin/true'], env: {} });
    expect(prepared.argv.join(' ')).toContain('--bind / /');
    void prepared.cleanup();
  });

  it('refuses a bwrap binary that lies inside a path the sandbox may write (an agent would replace the next sandbox)', () => {
    const workdir = makeTempDir();
    mkdirSync(join(workdir, 'bin'));
    copyFileSync('/usr/bin/bwrap', join(workdir, 'bin', 'bwrap'));
    const planted = createBwrapBackend({ bwrapPath: join(workdir, 'bin', 'bwrap') });
    const p = policyFromTrust(trust, { workdir });
    expect(codeOf(() => planted.prepare(p, { argv: ['/bin/true'], env: {} }))).toBe('SANDBOX_UNSUPPORTED');
    expect(() => planted.prepare(p, { argv: ['/bin/true'], env: {} })).toThrow(/may write/);
    // Read-only, the same directory is no threat.
    const ro = planted.prepare(policyFromTrust({ ...trust, filesystem: 'read-only' }, { workdir }), {
      argv: ['/bin/true'],
      env: {},
    });
    void ro.cleanup();
  });

  it('picks the unprivileged host identity a root caller runs the sandbox as', () => {
    const p = policyFromTrust(trust, { workdir: makeTempDir() });
    expect(sandboxIdentity(p, { uid: 1234, gid: 99 })).toEqual({ uid: 1234, gid: 99 }); // AGENTLANG_SANDBOX_USER
    expect(sandboxIdentity(p, { uid: 0, gid: 0 })).toBeUndefined(); // the explicit opt-out
    expect(sandboxIdentity(p, undefined)).toEqual({ uid: 65534, gid: 65534 }); // nobody, not the workdir's owner
  });

  it('as root, refuses a grant the unprivileged sandbox user could not reach, saying what to do', () => {
    const outer = makeTempDir();
    const workdir = join(outer, 'project');
    mkdirSync(workdir, { mode: 0o755 });
    const p = policyFromTrust(trust, { workdir });
    const stranger = { uid: 4242, gid: 4242 };
    expect(() => assertReachable(p, undefined, stranger)).not.toThrow();
    chmodSync(outer, 0o700);
    expect(codeOf(() => assertReachable(p, undefined, stranger))).toBe('SANDBOX_UNSUPPORTED');
    expect(() => assertReachable(p, undefined, stranger)).toThrow(
      `uid 4242 (gid 4242), never as host root; that user cannot reach ${workdir} (blocked at ${outer})`,
    );
    expect(() => assertReachable(p, undefined, stranger)).toThrow(/AGENTLANG_SANDBOX_USER/);
    chmodSync(outer, 0o755);
  });

  it('refuses a granted path that does not exist, naming it', () => {
    const p = policyFromTrust(
      { ...trust, filesystem: 'scoped', scope: ['/nonexistent/agentlang-scope'] },
      { workdir: makeTempDir() },
    );
    expect(() => backend.prepare(p, { argv: ['/bin/true'], env: {} })).toThrow('/nonexistent/agentlang-scope');
  });

  it('refuses malformed commands', () => {
    const p = policyFromTrust(trust, { workdir: makeTempDir() });
    expect(codeOf(() => backend.prepare(p, { argv: [], env: {} }))).toBe('SANDBOX_INVALID_COMMAND');
    expect(codeOf(() => backend.prepare(p, { argv: ['/bin/true'], env: {}, secrets: { 'BAD NAME': 'x' } }))).toBe(
      'SANDBOX_INVALID_COMMAND',
    );
    expect(codeOf(() => backend.prepare(p, { argv: ['/bin/true'], env: { 'A=B': 'x' } }))).toBe(
      'SANDBOX_INVALID_COMMAND',
    );
    expect(
      codeOf(() => backend.prepare(p, { argv: ['/bin/true'], env: {}, files: [{ path: 'rel.txt', content: '' }] })),
    ).toBe('SANDBOX_INVALID_COMMAND');
    expect(
      codeOf(() =>
        backend.prepare(p, { argv: ['/bin/true'], env: {}, files: [{ path: '/tmp/../etc/x', content: '' }] }),
      ),
    ).toBe('SANDBOX_INVALID_COMMAND');
  });
});

describe('running', () => {
  it('creates the requested files inside the sandbox', async () => {
    const p = policyFromTrust(trust, { workdir: makeTempDir() });
    const r = await capture(backend, p, {
      argv: ['/bin/sh', '-c', 'cat /tmp/cfg/settings.json; cat /run/agentlang/extra.txt'],
      files: [
        { path: '/tmp/cfg/settings.json', content: '{"model":"x"}\n' },
        { path: '/run/agentlang/extra.txt', content: new TextEncoder().encode('bytes\n') },
      ],
    });
    expect(r.stdout).toBe('{"model":"x"}\nbytes\n');
  });

  it('runs in the requested cwd with stdin delivered', async () => {
    const workdir = makeTempDir();
    const p = policyFromTrust(trust, { workdir });
    const r = await capture(backend, p, { argv: ['/bin/sh', '-c', 'pwd; cat'], cwd: '/tmp' }, { input: 'from stdin' });
    expect(r.stdout).toBe('/tmp\nfrom stdin');
  });

  it('an abort signal kills the run', async () => {
    const p = policyFromTrust(trust, { workdir: makeTempDir() });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const r = await capture(backend, p, { argv: ['/bin/sleep', '30'] }, { signal: controller.signal });
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: false, aborted: true });
    expect(r.durationMs).toBeLessThan(20_000);
  });
});
