// The sandbox floor: bare bubblewrap running /bin/echo, against the hardened profile
// @agentlang/isolation builds (seccomp program, passwd data, read-only root, env clearing) and
// against /bin/echo with no sandbox. The runner's suite compares `agentlang run` with BARE_BWRAP.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBwrapBackend, policyFromTrust } from '@agentlang/isolation';
import { BWRAP_USR_ROOT, median, row } from '../harness.js';

/** The bare bwrap invocation used as the sandbox floor (the flags seed 000 names, nothing else). */
export const BARE_BWRAP = [
  '/usr/bin/bwrap',
  [
    '--unshare-all',
    '--die-with-parent',
    '--cap-drop',
    'ALL',
    ...BWRAP_USR_ROOT,
    '--clearenv',
    '--',
    '/bin/echo',
    'floor',
  ],
];

function time(command, args, options) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0)
    throw new Error(`${command} exited ${result.status}: ${result.stderr?.toString().slice(0, 500)}`);
  return ms;
}

export async function run() {
  const workdir = mkdtempSync(join(tmpdir(), 'agentlang-bench-bwrap-'));
  // mkdtemp makes it 0700; as root the sandbox runs as uid 65534, which must be able to enter it.
  chmodSync(workdir, 0o755);
  try {
    const backend = createBwrapBackend({ bwrapPath: '/usr/bin/bwrap' });
    const policy = policyFromTrust({ filesystem: 'none', network: 'none', exec: 'full', scope: [] }, { workdir });
    const samples = { echo: [], bare: [], hardened: [], prepare: [] };
    const rounds = 15;
    const warmup = 3;
    for (let i = 0; i < warmup + rounds; i++) {
      const echo = time('/bin/echo', ['floor']);
      const bare = time(BARE_BWRAP[0], BARE_BWRAP[1]);
      const t0 = process.hrtime.bigint();
      const prepared = backend.prepare(policy, { argv: ['/bin/echo', 'floor'], env: {} });
      const prepareMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const stdio = ['ignore', 'ignore', 'pipe', ...prepared.spawnOptions.stdio.slice(3)];
      const hardened = time(prepared.argv[0], prepared.argv.slice(1), {
        ...prepared.spawnOptions,
        detached: false,
        stdio,
      });
      await prepared.cleanup();
      if (i >= warmup) {
        samples.echo.push(echo);
        samples.bare.push(bare);
        samples.hardened.push(hardened);
        samples.prepare.push(prepareMs);
      }
    }
    const echo = median(samples.echo);
    const bare = median(samples.bare);
    const hardened = median(samples.hardened);
    const prepare = median(samples.prepare);
    return [
      row('bwrap', '/bin/echo, no sandbox (median wall ms)', { value: echo.toFixed(1), unit: 'ms' }),
      row('bwrap', 'bare bwrap … /bin/echo (the sandbox floor)', {
        value: bare.toFixed(1),
        unit: 'ms',
        ratio: bare / echo,
      }),
      row('bwrap', 'hardened profile /bin/echo (seccomp, ro root)', {
        value: hardened.toFixed(1),
        unit: 'ms',
        ratio: hardened / bare,
        note: `ratio is against bare bwrap; prepare() in process: ${prepare.toFixed(2)} ms (seccomp BPF + fd files)`,
      }),
      row('bwrap', 'hardened profile overhead over bare bwrap', {
        value: (hardened - bare).toFixed(1),
        unit: 'ms',
        note: 'userns + --disable-userns, seccomp, passwd/group data, tmpfs /tmp and /run, read-only root; part of the run budget of issue 4 (floor + 15 ms)',
      }),
    ];
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}
