// Escape attempts run FOR REAL inside bubblewrap: each test tries the attack from inside the
// sandbox and asserts that it fails, with a control that shows the same probe succeeds when the
// grant (or the host) allows it, so a broken probe cannot pass by accident.
import { type ChildProcess, type StdioOptions, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { makeTempDir } from '@agentlang/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBwrapBackend } from './bwrap-backend.js';
import { IsolationError } from './errors.js';
import { policyFromTrust, type TrustInput } from './mapping.js';
import type { IsolationPolicy } from './policy.js';
import { capture, hostPids } from './test-support.js';

const bwrapPath = '/usr/bin/bwrap';
const backend = createBwrapBackend({ bwrapPath });
/** AGENTLANG_SANDBOX_USER=0: a root caller keeps host root by explicit choice (ignored when not root). */
const rootByChoice = createBwrapBackend({ bwrapPath, sandboxUser: { uid: 0, gid: 0 } });
const PY = '/usr/bin/python3';

function policy(
  trust: Partial<TrustInput> = {},
  extra: { timeoutMs?: number; memoryBytes?: number | null; maxProcesses?: number | null } = {},
): IsolationPolicy {
  const workdir = makeTempDir('agentlang-iso-wd-');
  return policyFromTrust(
    { filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [], ...trust },
    { workdir, timeoutMs: 20_000, ...extra },
  );
}

const sh = (script: string) => ['/bin/sh', '-c', script];
const py = (script: string) => [PY, '-c', script];

it('bubblewrap is installed (the escape tests below need it; .ci/run installs it)', () => {
  expect(existsSync(bwrapPath)).toBe(true);
});

describe('filesystem', () => {
  const outside = makeTempDir('agentlang-iso-host-');
  const secretFile = join(outside, 'host-secret.txt');
  writeFileSync(secretFile, 'HOST-ONLY-CONTENT\n');

  it('cannot read a host file outside the granted paths', async () => {
    const p = policy();
    const r = await capture(backend, p, {
      argv: sh(`cat ${secretFile}; cat /etc/shadow; cat /root/.bashrc; ls /work; echo done`),
    });
    expect(r.stdout).not.toContain('HOST-ONLY-CONTENT');
    expect(r.stdout.trim()).toBe('done');
    expect(r.stderr).toContain('No such file or directory');
  });

  it('control: the same file is readable once granted read-only through scope', async () => {
    const p = policy({ filesystem: 'read-only', scope: [outside] });
    const r = await capture(backend, p, {
      argv: sh(`cat ${secretFile}; echo tamper > ${secretFile} || echo write-refused`),
    });
    expect(r.stdout).toContain('HOST-ONLY-CONTENT');
    expect(r.stdout).toContain('write-refused');
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(readFileSync(secretFile, 'utf8')).toBe('HOST-ONLY-CONTENT\n');
  });

  it('cannot write outside the workdir; writes inside it reach the host', async () => {
    const p = policy();
    const r = await capture(backend, p, {
      argv: sh(
        `for f in /usr/agentlang-x /etc/agentlang-x /agentlang-x ${outside}/agentlang-x; do (echo x > $f) 2>/dev/null && echo "WROTE $f"; done; echo inside > ${p.workdir}/out.txt; echo scratch > /tmp/scratch.txt; echo done`,
      ),
    });
    expect(r.stdout).not.toContain('WROTE');
    expect(r.stdout.trim()).toBe('done');
    expect(readFileSync(join(p.workdir, 'out.txt'), 'utf8')).toBe('inside\n');
    expect(existsSync(join(outside, 'agentlang-x'))).toBe(false);
    expect(existsSync('/usr/agentlang-x')).toBe(false);
    expect(existsSync('/tmp/scratch.txt')).toBe(false); // /tmp is the sandbox's private tmpfs
  });

  it('filesystem: full passes the host filesystem through but keeps the rest of the sandbox', async () => {
    const p = policy({ filesystem: 'full' });
    const r = await capture(backend, p, {
      argv: sh(
        `cat ${secretFile}; grep CapEff /proc/self/status; ${PY} -c 'import ctypes\nprint("ptrace", ctypes.CDLL(None,use_errno=True).ptrace(0,0,0,0), ctypes.get_errno())'`,
      ),
    });
    expect(r.stdout).toContain('HOST-ONLY-CONTENT');
    expect(r.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(r.stdout).toContain('ptrace -1 1');
  });

  it('under filesystem: read-only even the workdir is read-only', async () => {
    const p = policy({ filesystem: 'read-only' });
    const r = await capture(backend, p, { argv: sh(`echo x > ${p.workdir}/w.txt || echo refused`) });
    expect(r.stdout.trim()).toBe('refused');
    expect(existsSync(join(p.workdir, 'w.txt'))).toBe(false);
  });

  it('under filesystem: scoped a scope path is writable', async () => {
    const scoped = makeTempDir('agentlang-iso-scope-');
    const p = policy({ filesystem: 'scoped', scope: [scoped] });
    const r = await capture(backend, p, { argv: sh(`echo granted > ${scoped}/s.txt && echo ok`) });
    expect(r.stdout.trim()).toBe('ok');
    expect(readFileSync(join(scoped, 's.txt'), 'utf8')).toBe('granted\n');
  });
});

describe('network', () => {
  let server: Server;
  let port = 0;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((socket) => {
      socket.on('data', (d) => received.push(d.toString()));
      socket.end('pong\n');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const connect = (marker: string) =>
    py(
      `import socket\ntry:\n  s=socket.create_connection(("127.0.0.1", ${port}), timeout=5)\n  s.sendall(b"${marker}")\n  print("CONNECTED", s.recv(16).decode().strip())\nexcept OSError as e:\n  print("FAILED", e.errno)`,
    );

  it('cannot reach a TCP server on the host loopback under network: none', async () => {
    const marker = `none-${randomBytes(4).toString('hex')}`;
    const r = await capture(backend, policy({ network: 'none' }), { argv: connect(marker) });
    expect(r.stdout).toMatch(/^FAILED \d+/);
    expect(received.join('')).not.toContain(marker);
  });

  it('cannot reach a host abstract unix socket (X11/D-Bus style) under network: none; can under allowed', async () => {
    const name = `agentlang-test-${randomBytes(6).toString('hex')}`;
    // The host side is python too: node's abstract-socket addresses carry the padded length.
    const server = spawn(
      PY,
      [
        '-u',
        '-c',
        `import socket\ns=socket.socket(socket.AF_UNIX)\ns.bind("\\0${name}")\ns.listen(4)\nprint("ready")\nwhile True:\n  c,_=s.accept(); c.sendall(b"abstract-pong\\n"); c.close()`,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await new Promise<void>((done) => server.stdout?.once('data', () => done()));
      const probe = py(
        `import socket\ns=socket.socket(socket.AF_UNIX)\ntry:\n  s.connect("\\0${name}"); print("CONNECTED", s.recv(32).decode().strip())\nexcept OSError as e:\n  print("FAILED", e.errno)`,
      );
      const none = await capture(backend, policy({ network: 'none' }), { argv: probe });
      expect(none.stdout).toMatch(/^FAILED \d+/);
      const allowed = await capture(backend, policy({ network: 'allowed' }), { argv: probe });
      expect(allowed.stdout.trim()).toBe('CONNECTED abstract-pong');
    } finally {
      server.kill('SIGKILL');
    }
  });

  it('reaches it under network: allowed', async () => {
    const marker = `allowed-${randomBytes(4).toString('hex')}`;
    const r = await capture(backend, policy({ network: 'allowed' }), { argv: connect(marker) });
    expect(r.stdout.trim()).toBe('CONNECTED pong');
    expect(received.join('')).toContain(marker);
  });
});

describe('privileges', () => {
  it('has no capabilities at all (CapEff, CapPrm, CapBnd, CapAmb are 0) and no new privileges', async () => {
    const r = await capture(backend, policy(), { argv: sh('grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status') });
    expect(r.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(r.stdout).toMatch(/CapPrm:\s+0000000000000000/);
    expect(r.stdout).toMatch(/CapBnd:\s+0000000000000000/);
    expect(r.stdout).toMatch(/CapAmb:\s+0000000000000000/);
    expect(r.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(r.stdout).toMatch(/Seccomp:\s+2/); // filter mode
  });

  it('cannot create a user namespace (unshare -U, unshare(2), clone(CLONE_NEWUSER)); and --disable-userns is in the profile', async () => {
    const r = await capture(backend, policy(), {
      argv: sh(
        `unshare -U true && echo UNSHARE-OK; ${PY} -c 'import ctypes,os\nlibc=ctypes.CDLL(None,use_errno=True)\nprint("unshare", libc.unshare(0x10000000), ctypes.get_errno())\nprint("clone", libc.syscall(56, 0x10000000|17, 0, 0, 0, 0), ctypes.get_errno())'`,
      ),
    });
    expect(r.stdout).not.toContain('UNSHARE-OK');
    expect(r.stdout).toContain('unshare -1 1');
    expect(r.stdout).toContain('clone -1 1');
    expect(r.stderr).toMatch(/unshare: unshare failed: Operation not permitted/);
  });

  it('--disable-userns holds on its own: with the seccomp filter taken out, unshare -U still fails (control: bare bwrap allows it)', () => {
    const prepared = backend.prepare(policy(), { argv: sh('unshare -U true && echo NESTED-OK; echo end'), env: {} });
    try {
      const at = prepared.argv.indexOf('--seccomp');
      const argv = [...prepared.argv.slice(0, at), ...prepared.argv.slice(at + 2)];
      const stdio = ['ignore', 'pipe', 'pipe', ...prepared.spawnOptions.stdio.slice(3)] as StdioOptions;
      const r = spawnSync(argv[0] as string, argv.slice(1), { ...prepared.spawnOptions, stdio, encoding: 'utf8' });
      expect(r.stdout).toBe('end\n');
      expect(r.stderr).toMatch(/No space left on device/); // the user-namespace count is exhausted, not EPERM from seccomp
    } finally {
      void prepared.cleanup();
    }
    const bare = spawnSync(
      bwrapPath,
      [
        '--unshare-all',
        '--unshare-user',
        '--cap-drop',
        'ALL',
        '--ro-bind',
        '/usr',
        '/usr',
        '--symlink',
        'usr/bin',
        '/bin',
        '--symlink',
        'usr/lib',
        '/lib',
        '--symlink',
        'usr/lib64',
        '/lib64',
        '--proc',
        '/proc',
        '--',
        '/bin/sh',
        '-c',
        'unshare -U true && echo NESTED-OK',
      ],
      { encoding: 'utf8' },
    );
    expect(bare.stdout).toBe('NESTED-OK\n');
  });

  it('cannot ptrace (attach to another sandboxed process, TRACEME) nor read its memory', async () => {
    const r = await capture(backend, policy(), {
      argv: py(
        'import ctypes,os,time\nlibc=ctypes.CDLL(None,use_errno=True)\npid=os.fork()\nif pid==0:\n  time.sleep(5); os._exit(0)\nprint("attach", libc.ptrace(16, pid, 0, 0), ctypes.get_errno())\nprint("traceme", libc.ptrace(0, 0, 0, 0), ctypes.get_errno())\nprint("vm_readv", libc.syscall(310, pid, 0, 0, 0, 0, 0), ctypes.get_errno())\nos.kill(pid, 9)',
      ),
    });
    expect(r.stdout).toContain('attach -1 1');
    expect(r.stdout).toContain('traceme -1 1');
    expect(r.stdout).toContain('vm_readv -1 1');
  });

  it('gets EPERM from io_uring, mount, bpf, keyctl, perf_event_open, userfaultfd, init_module and ENOSYS from clone3', async () => {
    const calls = {
      io_uring_setup: 425,
      mount: 165,
      bpf: 321,
      keyctl: 250,
      perf_event_open: 298,
      userfaultfd: 323,
      init_module: 175,
      setns: 308,
      clone3: 435,
    };
    const r = await capture(backend, policy(), {
      argv: py(
        `import ctypes\nlibc=ctypes.CDLL(None,use_errno=True)\nfor name,nr in ${JSON.stringify(calls)}.items():\n  ctypes.set_errno(0)\n  print(name, libc.syscall(nr, 0, 0, 0, 0, 0), ctypes.get_errno())`,
      ),
    });
    for (const name of Object.keys(calls)) {
      expect(r.stdout, name).toContain(`${name} -1 ${name === 'clone3' ? 38 : 1}\n`);
    }
  });

  it('is killed (SIGSYS) when it enters the kernel through the i386 (int 0x80) or x32 ABI, bypassing the x86_64 table', async () => {
    if (process.arch !== 'x64') return; // the ABIs under test exist on x86_64 only; aarch64 is covered by the interpreter tests
    // Machine code run through ctypes: getpid via `int 0x80` (i386 nr 20), via x32 (39 | 0x40000000), and natively (39).
    const probe = `import ctypes,mmap,sys,os
buf=mmap.mmap(-1,4096,prot=mmap.PROT_READ|mmap.PROT_WRITE|mmap.PROT_EXEC)
buf.write(bytes.fromhex(sys.argv[1]))
f=ctypes.CFUNCTYPE(ctypes.c_long)(ctypes.addressof(ctypes.c_char.from_buffer(buf)))
print("returned", f(), flush=True)`;
    const code = { i386: 'b814000000cd80c3', x32: 'b8270000400f05c3', native: 'b8270000000f05c3' };
    const script = Object.entries(code)
      .map(([name, hex]) => `${PY} -c '${probe}' ${hex}; echo "${name} status $?"`)
      .join('; ');
    const outcome = (stdout: string, name: string) => {
      const match = new RegExp(`(?:returned (-?\\d+)\\n)?${name} status (\\d+)`).exec(stdout);
      expect(match, `${name} in ${stdout}`).not.toBeNull();
      return { returned: match?.[1] === undefined ? null : Number(match[1]), status: Number(match?.[2]) };
    };
    // Control OUTSIDE the filter: the same sandbox without --seccomp tells which ABIs this kernel
    // offers (a kernel without ia32 emulation answers int 0x80 with SIGSEGV; one without x32 returns -ENOSYS).
    const prepared = backend.prepare(policy(), { argv: sh(script), env: {} });
    let control: ReturnType<typeof spawnSync>;
    try {
      const at = prepared.argv.indexOf('--seccomp');
      const argv = [...prepared.argv.slice(0, at), ...prepared.argv.slice(at + 2)];
      const stdio = ['ignore', 'pipe', 'pipe', ...prepared.spawnOptions.stdio.slice(3)] as StdioOptions;
      control = spawnSync(argv[0] as string, argv.slice(1), { ...prepared.spawnOptions, stdio, encoding: 'utf8' });
    } finally {
      await prepared.cleanup();
    }
    const offered = (name: string) => {
      const c = outcome(String(control.stdout), name);
      return c.status === 0 && c.returned !== null && c.returned > 0;
    };
    expect(offered('native')).toBe(true);
    const r = await capture(backend, policy(), { argv: sh(script) });
    expect(outcome(r.stdout, 'native')).toMatchObject({ status: 0 });
    for (const abi of ['i386', 'x32']) {
      const filtered = outcome(r.stdout, abi);
      if (offered(abi)) {
        expect(filtered, abi).toEqual({ returned: null, status: 159 }); // 128 + SIGSYS: the filter's verdict
      } else {
        // The kernel itself refuses it (SIGSEGV for int 0x80, -ENOSYS for x32), and the filter may kill first: never a return value.
        expect(filtered.returned === null || filtered.returned < 0, abi).toBe(true);
        expect([0, 139, 159], abi).toContain(filtered.status);
        expect(outcome(String(control.stdout), abi).returned ?? -1, abi).toBeLessThan(1);
      }
    }
  });

  it('cannot push input into a terminal with TIOCSTI (nor use TIOCLINUX); harmless ioctls still work', async () => {
    // The sandboxed process is a session leader (--new-session): it takes a fresh pty as its
    // controlling terminal, which makes TIOCSTI legal for the kernel — only seccomp stops it.
    const probe = `import fcntl,os,termios,struct
m,s=os.openpty()
try:
  fcntl.ioctl(s, termios.TIOCSCTTY, 0)
except OSError as e:
  print("sctty", e.errno)
def attempt(name, req, arg):
  try:
    fcntl.ioctl(s, req, arg); print(name, "OK")
  except OSError as e:
    print(name, e.errno)
attempt("tiocsti", termios.TIOCSTI, b"x")
attempt("tiocsti_high", termios.TIOCSTI | (1 << 32), b"x")
attempt("tioclinux", 0x541C, b"\\x00")
attempt("tiocgwinsz", termios.TIOCGWINSZ, b"\\x00" * 8)`;
    const r = await capture(backend, policy(), { argv: py(probe) });
    expect(r.stdout).toContain('tiocsti 1\n');
    expect(r.stdout).toContain('tiocsti_high 1\n');
    expect(r.stdout).toContain('tioclinux 1\n');
    expect(r.stdout).toContain('tiocgwinsz OK\n');
    // Control on the host (no sandbox): the same probe injects when the kernel allows legacy TIOCSTI.
    // Kernels before 6.2 have no such switch and always allow TIOCSTI.
    const legacy = existsSync('/proc/sys/dev/tty/legacy_tiocsti')
      ? readFileSync('/proc/sys/dev/tty/legacy_tiocsti', 'utf8').trim()
      : '1';
    const host = spawnSync(PY, ['-c', `import os\ntry:\n  os.setsid()\nexcept OSError:\n  pass\n${probe}`], {
      encoding: 'utf8',
    });
    expect(host.stdout).toContain(legacy === '1' ? 'tiocsti OK' : 'tiocsti');
    expect(host.stdout).not.toContain('tioclinux 1\n'); // ENOTTY/EINVAL on a pty, not EPERM
  });
});

describe('host kernel interfaces and identity (the same whether the tests run as root or not)', () => {
  // Opens for writing WITHOUT O_TRUNC and never writes: nothing on the host can change, whatever happens.
  const writable = [
    '/proc/sys/kernel/core_pattern',
    '/proc/sys/kernel/modprobe',
    '/proc/sys/vm/drop_caches',
    '/proc/sysrq-trigger',
    '/proc/irq/default_smp_affinity',
    '/proc/sys/fs/binfmt_misc/register',
    '/sys/kernel/mm/transparent_hugepage/enabled', // /sys is only there under filesystem: full
    '/sys/power/state',
    '/sys/fs/cgroup/cgroup.procs',
  ];
  const openProbe = py(
    `import os\nfor p in ${JSON.stringify(writable)}:\n  if not os.path.exists(p):\n    print(p, "absent"); continue\n  try:\n    fd=os.open(p, os.O_WRONLY); os.close(fd); print(p, "OPENED")\n  except OSError as e:\n    print(p, "refused", e.errno)\nprint("core_pattern=" + open("/proc/sys/kernel/core_pattern").read().strip())`,
  );

  it('cannot open kernel.core_pattern (or any other sysctl, sysrq-trigger, irq affinity, /sys tunable) for writing; the host value is untouched', async () => {
    const before = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
    for (const [sandbox, trust] of [
      [backend, {}],
      [backend, { filesystem: 'full' as const }],
      [rootByChoice, {}], // even a sandbox kept as host root by choice gets EROFS
      [rootByChoice, { filesystem: 'full' as const }],
    ] as const) {
      const r = await capture(sandbox, policy(trust), { argv: openProbe });
      expect(r.stdout).not.toContain('OPENED');
      expect(r.stdout).toMatch(/\/proc\/sys\/kernel\/core_pattern refused (30|13)\n/); // EROFS (read-only bind) or EACCES
      // Control: the probe reaches the real file (it reads the host's value), so the refusal is the sandbox's.
      expect(r.stdout).toContain(`core_pattern=${before.trim()}`);
    }
    expect(readFileSync('/proc/sys/kernel/core_pattern', 'utf8')).toBe(before);
  });

  it('runs under a host uid and gid that are not 0, with no capabilities, and what it writes is not owned by host root', async () => {
    const tag = `2.${String(Date.now() % 1000000).padStart(6, '1')}`; // a unique argv, sleeping about two seconds
    const p = policy();
    const run = capture(
      backend,
      p,
      {
        argv: sh(
          `grep -E "^(Uid|Gid|CapEff)" /proc/self/status; cat /proc/self/uid_map; echo made > ${p.workdir}/made.txt; sleep ${tag}`,
        ),
      },
      {},
    );
    let pids: number[] = [];
    for (let i = 0; i < 100 && pids.length === 0; i++) {
      await new Promise((done) => setTimeout(done, 50));
      pids = hostPids((argv) => argv[0] === 'sleep' && argv[1] === tag);
    }
    expect(pids.length).toBe(1);
    // The host's view of the sandboxed process: real, effective, saved and filesystem ids all non-zero.
    const status = readFileSync(`/proc/${pids[0]}/status`, 'utf8');
    for (const line of status.split('\n').filter((l) => /^(Uid|Gid):/.test(l))) {
      for (const id of line.split(/\s+/).slice(1)) expect(Number(id), line).not.toBe(0);
    }
    expect(readFileSync(`/proc/${pids[0]}/uid_map`, 'utf8')).not.toMatch(/^\s*\d+\s+0\s/m); // no inside uid maps to host root
    const r = await run;
    expect(r.stdout).toMatch(/CapEff:\s+0000000000000000/);
    const made = statSync(join(p.workdir, 'made.txt'));
    expect(made.uid).not.toBe(0);
    expect(made.gid).not.toBe(0);
  });

  it('the first process inside (/proc/1/environ) has no host environment, PATH included', async () => {
    const marker = `/agentlang-host-path-${randomBytes(4).toString('hex')}`;
    const saved = process.env.PATH;
    process.env.PATH = `${marker}:${saved ?? ''}`;
    try {
      const r = await capture(backend, policy(), { argv: sh('tr "\\0" "\\n" < /proc/1/environ; echo end') });
      expect(r.stdout).not.toContain(marker);
      expect(r.stdout.trim()).toBe('end'); // pid 1 (bwrap's init) started with an empty environment
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('environment and secrets', () => {
  it('does not see a secret from the parent environment; sees the delivered one, which is on no command line', async () => {
    const parentSecret = `parent-${randomBytes(8).toString('hex')}`;
    const delivered = `delivered-${randomBytes(8).toString('hex')}\nsecond line `;
    process.env.AGENTLANG_TEST_PARENT_SECRET = parentSecret;
    try {
      const p = policy();
      const prepared = backend.prepare(p, {
        argv: sh('env; echo "KEY=[$API_KEY]"; sleep 2'),
        env: { VISIBLE: 'yes' },
        secrets: { API_KEY: delivered },
      });
      let stdout = '';
      const stdio = ['ignore', 'pipe', 'pipe', ...prepared.spawnOptions.stdio.slice(3)] as StdioOptions;
      const child: ChildProcess = spawn(prepared.argv[0] as string, prepared.argv.slice(1), {
        ...prepared.spawnOptions,
        stdio,
      });
      child.stdout?.on('data', (c: Buffer) => {
        stdout += c;
      });
      await new Promise((done) => setTimeout(done, 700));
      const secretValue = delivered.split('\n')[0] as string;
      // No process on the host carries the secret on its command line (bwrap's included).
      const bwrapCmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
      expect(bwrapCmdline).toContain('--seccomp');
      expect(bwrapCmdline).not.toContain(secretValue);
      expect(hostPids((argv) => argv.join(' ').includes(secretValue))).toEqual([]);
      expect(readFileSync(`/proc/${child.pid}/environ`, 'utf8')).not.toContain(secretValue);
      await new Promise((done) => child.once('close', done));
      await prepared.cleanup();
      expect(stdout).toContain(`KEY=[${delivered}]`);
      expect(stdout).toContain('VISIBLE=yes');
      expect(stdout).not.toContain(parentSecret);
      expect(stdout).not.toContain('AGENTLANG_TEST_PARENT_SECRET');
      expect(prepared.argv.join(' ')).not.toContain(secretValue);
    } finally {
      delete process.env.AGENTLANG_TEST_PARENT_SECRET;
    }
  });

  it('passes exactly the variables the policy names', async () => {
    process.env.AGENTLANG_TEST_PASSED = 'passed-value';
    process.env.AGENTLANG_TEST_NOT_NAMED = 'hidden-value';
    try {
      const p = policyFromTrust(
        { filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [] },
        { workdir: makeTempDir(), env: ['AGENTLANG_TEST_PASSED'], setEnv: { FIXED: 'f' } },
      );
      const r = await capture(backend, p, { argv: ['/usr/bin/env'] });
      // PWD comes from bwrap's --chdir; SHLVL from bash when the prelude closes leaked descriptors.
      const names = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=')[0])
        .filter((n) => n !== 'SHLVL')
        .sort();
      expect(names).toEqual(['AGENTLANG_TEST_PASSED', 'FIXED', 'HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']);
      expect(r.stdout).toContain('AGENTLANG_TEST_PASSED=passed-value\n');
    } finally {
      delete process.env.AGENTLANG_TEST_PASSED;
      delete process.env.AGENTLANG_TEST_NOT_NAMED;
    }
  });
});

describe('limits and the process tree', () => {
  it('the timeout kills a process that forked children, grandchildren included', async () => {
    const tag = `${900 + Math.floor(Math.random() * 99)}.${Date.now() % 100000}`;
    const isSleep = (argv: string[]) => argv[0] === 'sleep' && argv[1] === tag;
    // Generous: on a loaded machine bwrap can take a while to start the tree.
    const p = policy({}, { timeoutMs: 6000 });
    const run = capture(backend, p, { argv: sh(`(sleep ${tag} &); sleep ${tag} & sleep ${tag}; wait`) });
    let seen: number[] = [];
    for (let i = 0; i < 100 && seen.length < 3; i++) {
      await new Promise((done) => setTimeout(done, 50));
      seen = hostPids(isSleep);
    }
    expect(seen.length).toBe(3); // the orphaned grandchild, the background child and the foreground one
    const r = await run;
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(null);
    expect(r.signal).toBe('SIGKILL');
    for (let i = 0; i < 40 && hostPids(isSleep).length > 0; i++) await new Promise((done) => setTimeout(done, 50));
    expect(hostPids(isSleep)).toEqual([]);
    for (const pid of seen) expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('propagates the exit code', async () => {
    const r = await capture(backend, policy(), { argv: sh('exit 7') });
    expect(r).toMatchObject({ exitCode: 7, signal: null, timedOut: false, backend: 'bwrap' });
  });

  it('exec: none forbids new processes but not threads', async () => {
    const p = policy({ exec: 'none' });
    const r = await capture(backend, p, {
      argv: py(
        'import os,threading\nt=threading.Thread(target=lambda: print("thread ran")); t.start(); t.join()\ntry:\n  os.fork(); print("FORKED")\nexcept OSError as e:\n  print("fork", e.errno)',
      ),
      secrets: { TOKEN: 'works-without-forking' },
    });
    expect(r.stdout).toBe('thread ran\nfork 1\n');
  });

  it('enforces the memory limit (RLIMIT_DATA)', async () => {
    const p = policy({}, { memoryBytes: 256 * 1024 * 1024 });
    const r = await capture(backend, p, {
      argv: py('try:\n  b=bytearray(512*1024*1024); print("ALLOCATED")\nexcept MemoryError:\n  print("MemoryError")'),
    });
    expect(r.stdout.trim()).toBe('MemoryError');
    const control = await capture(backend, policy({}, { memoryBytes: null }), {
      argv: py('b=bytearray(512*1024*1024); print("ALLOCATED")'),
    });
    expect(control.stdout.trim()).toBe('ALLOCATED');
  });

  // malloc without touching the pages: the limit is what refuses it, and the control costs no memory.
  const mallocProbe = py(
    'import ctypes\nlibc=ctypes.CDLL(None)\nlibc.malloc.restype=ctypes.c_void_p\nlibc.malloc.argtypes=[ctypes.c_size_t]\np=libc.malloc(3<<30)\nprint("ALLOCATED" if p else "REFUSED")',
  );

  it('by default, a 3 GiB allocation is refused (control: allowed once the host configuration lifts the limit)', async () => {
    const r = await capture(backend, policy(), { argv: mallocProbe });
    expect(r.stdout.trim()).toBe('REFUSED');
    const control = await capture(backend, policy({}, { memoryBytes: null }), { argv: mallocProbe });
    expect(control.stdout.trim()).toBe('ALLOCATED');
  });

  it('by default, a fork bomb is stopped below the task limit (bounded: at most 700 attempts, children sleep then exit)', async () => {
    const bomb = py(
      'import os,time\nkids=[]\nfor i in range(700):\n  try:\n    pid=os.fork()\n  except OSError:\n    break\n  if pid==0:\n    time.sleep(4); os._exit(0)\n  kids.append(pid)\nprint(len(kids), flush=True)\nfor k in kids: os.kill(k, 9)\nfor k in kids: os.waitpid(k, 0)',
    );
    const r = await capture(backend, policy(), { argv: bomb });
    const forked = Number(r.stdout.trim());
    expect(forked).toBeGreaterThan(100);
    expect(forked).toBeLessThan(512);
  });

  it('the default limits fit a node runtime: fetch (WebAssembly llhttp), a worker thread and a child process all run', async () => {
    const node = process.execPath;
    const script = `const http=require('http');const s=http.createServer((q,r)=>r.end('pong')).listen(0,'127.0.0.1',async()=>{const r=await fetch('http://127.0.0.1:'+s.address().port);console.log('fetch',await r.text());const{Worker}=require('worker_threads');new Worker('0',{eval:true}).on('exit',()=>{console.log('worker');console.log(require('child_process').execFileSync('/bin/echo',['child']).toString().trim());s.close()})})`;
    const readOnly = node.startsWith('/usr/') ? [] : [dirname(node)];
    const p = policyFromTrust(
      { filesystem: 'none', network: 'none', exec: 'sandboxed', scope: [] },
      { workdir: makeTempDir('agentlang-iso-wd-'), timeoutMs: 20_000, readOnly },
    );
    const r = await capture(backend, p, { argv: [node, '-e', script] });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('fetch pong\nworker\nchild\n');
  });

  it('with the sandbox kept as host root by choice (AGENTLANG_SANDBOX_USER=0), the task limit still holds through a pids cgroup, or the run is refused', async () => {
    const probe = py(
      'import os,time\nkids=[]\nfor i in range(30):\n  try:\n    pid=os.fork()\n  except OSError:\n    break\n  if pid==0:\n    time.sleep(3); os._exit(0)\n  kids.append(pid)\nprint(len(kids))\nfor k in kids: os.kill(k, 9)',
    );
    let outcome: string;
    try {
      const r = await capture(rootByChoice, policy({}, { maxProcesses: 8 }), { argv: probe });
      outcome = `forked ${Number(r.stdout.trim()) < 8 && Number(r.stdout.trim()) > 0 ? 'below the limit' : r.stdout.trim()}`;
    } catch (error) {
      // Root without a writable pids cgroup: RLIMIT_NPROC cannot bind host root, so the run is refused, never unbounded.
      outcome =
        error instanceof IsolationError &&
        error.code === 'SANDBOX_UNSUPPORTED' &&
        /AGENTLANG_SANDBOX_USER/.test(error.message)
          ? 'refused'
          : String(error);
    }
    expect(['forked below the limit', 'refused']).toContain(outcome);
  });

  it('enforces the process-count limit', async () => {
    const p = policy({}, { maxProcesses: 8 });
    const r = await capture(backend, p, {
      argv: py(
        'import os\nn=0\nkids=[]\nfor i in range(30):\n  try:\n    pid=os.fork()\n  except OSError:\n    break\n  if pid==0:\n    import time; time.sleep(3); os._exit(0)\n  kids.append(pid)\nprint(len(kids))\nfor k in kids: os.kill(k, 9)',
      ),
    });
    const forked = Number(r.stdout.trim());
    expect(forked).toBeGreaterThan(0);
    expect(forked).toBeLessThan(8);
  });
});
