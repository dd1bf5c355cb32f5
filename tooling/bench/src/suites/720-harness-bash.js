// A bash tool call through the sandbox (issue 12): @agentlang/harness's createBashTool on the
// isolation package's bwrap backend under a default policy (no filesystem, no network) running
// `/bin/echo floor`. Target: tool call <= bare bwrap + 15 ms.
//
// Three floors, interleaved per round (so machine noise hits each alike), each delta the median of
// the per-round differences:
// - bare bwrap: bench 300's BARE_BWRAP (the flags seed 000 names, nothing else), spawnSync;
// - the same profile: bwrap with exactly the argv and descriptors the backend prepares for this
//   call (user namespace with --disable-userns, read-only /proc/sys and friends, /etc files,
//   passwd/group data, seccomp filter, read-only root, and the /bin/sh prelude that applies the
//   policy's rlimits before exec'ing the command), spawnSync, prepare() not timed. What it costs
//   over bare bwrap is work the profile exists to do; bare bwrap does none of it;
// - the same profile without the rlimit prelude (a diagnostic: how much of that is the extra
//   /bin/sh exec, which only setrlimit in the launcher could avoid, and node has none).
// The tool call over the same profile is the host-side cost of the harness and the isolation
// package: prepare(), an async spawn with two pipes, the close/drain bookkeeping.
// Beside wall time, CPU per call (this process from process.cpuUsage, plus its reaped children
// from /proc/self/stat, summed over all rounds) as a second view: on this shared machine the wall
// figures stretch with everyone's load. The children's part comes in 10 ms ticks (±10 ms / rounds)
// and has read smaller profile costs than `perf stat -e task-clock` of the same argv; treat it as
// a rough figure. AGENTLANG_BENCH_ROUNDS sets rounds (default 15).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBwrapBackend, policyFromTrust } from '@agentlang/isolation';
import { median, root, row } from '../harness.js';
import { BARE_BWRAP } from './300-bwrap-floor.js';

const COMMAND = ['/bin/echo', 'floor'];

/** CPU ms of this process's reaped children so far (utime + stime of waited-for descendants). */
function childrenCpuMs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime), counted from the state field (3) here.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}
const TICKS_PER_SECOND = 100;

/** Wall ms, this process's CPU ms and its children's CPU ms of fn (sync or async). */
async function measure(fn) {
  const cpu = process.cpuUsage();
  const children = childrenCpuMs();
  const start = process.hrtime.bigint();
  await fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000, childCpu: childrenCpuMs() - children };
}

function check(result, label) {
  if (result.status !== 0) throw new Error(`${label} exited ${result.status}: ${result.stderr}`);
  if (result.stdout.toString().trim() !== 'floor')
    throw new Error(`${label} printed ${JSON.stringify(result.stdout.toString())}`);
}

/** The prepared sandbox's argv with the inner command run directly (no rlimit prelude). */
function withoutPrelude(argv) {
  const cut = argv.indexOf('--');
  if (argv[cut + 1] !== '/bin/sh')
    throw new Error(`expected the rlimit prelude after --, found ${argv.slice(cut + 1, cut + 3).join(' ')}`);
  return [...argv.slice(0, cut + 1), ...COMMAND];
}

/** Times spawnSync of the sandbox the backend prepares (prepare and cleanup not timed). */
async function timeProfile(backend, policy, { prelude }) {
  const prepared = backend.prepare(policy, { argv: COMMAND, env: {} });
  try {
    const argv = prelude ? prepared.argv : withoutPrelude(prepared.argv);
    const stdio = ['ignore', 'pipe', 'pipe', ...prepared.spawnOptions.stdio.slice(3)];
    let result;
    const t = await measure(() => {
      result = spawnSync(argv[0], argv.slice(1), { ...prepared.spawnOptions, detached: false, stdio });
    });
    check(result, prelude ? 'the same-profile bwrap' : 'the same-profile bwrap without prelude');
    return t;
  } finally {
    await prepared.cleanup();
  }
}

export async function run() {
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 15);
  const harness = await import(pathToFileURL(join(root, 'packages/harness/dist/index.js')).href);
  const workdir = mkdtempSync(join(tmpdir(), 'agentlang-bench-bash-'));
  // mkdtemp makes it 0700; the sandbox user (65534 when the bench runs as root) must reach it, as it would a project folder.
  chmodSync(workdir, 0o755);
  try {
    const backend = createBwrapBackend({ bwrapPath: BARE_BWRAP[0] });
    const policy = policyFromTrust({ filesystem: 'none', network: 'none', exec: 'full', scope: [] }, { workdir });
    const tool = harness.createBashTool({ name: 'echo', command: COMMAND[0] }, { backend, policy });
    const signal = new AbortController().signal;
    const cases = ['bare', 'profile', 'noPrelude', 'tool'];
    const t = Object.fromEntries(cases.map((c) => [c, []]));
    const cpu = Object.fromEntries(cases.map((c) => [c, { self: 0, children: 0 }]));
    for (let i = 0; i < rounds + 3; i++) {
      let bareResult;
      let outcome;
      const round = {
        bare: await measure(() => {
          bareResult = spawnSync(BARE_BWRAP[0], BARE_BWRAP[1], { stdio: ['ignore', 'pipe', 'pipe'] });
        }),
        profile: await timeProfile(backend, policy, { prelude: true }),
        noPrelude: await timeProfile(backend, policy, { prelude: false }),
        tool: await measure(async () => {
          outcome = await tool.execute({ args: [COMMAND[1]] }, { callId: `c${i}`, signal });
        }),
      };
      check(bareResult, 'bare bwrap');
      if (!outcome.ok || outcome.content.trim() !== 'floor')
        throw new Error(`the bash tool failed: ${JSON.stringify(outcome)}`);
      if (i < 3) continue;
      for (const c of cases) {
        t[c].push(round[c].wall);
        cpu[c].self += round[c].cpu / rounds;
        cpu[c].children += round[c].childCpu / rounds;
      }
    }
    const delta = (a, b) => median(t[a].map((v, i) => v - t[b][i]));
    const cpuOf = (c) =>
      `${(cpu[c].self + cpu[c].children).toFixed(1)} ms (${cpu[c].self.toFixed(1)} here + ${cpu[c].children.toFixed(1)} children)`;
    const cpuDelta = (a, b) => cpu[a].self + cpu[a].children - (cpu[b].self + cpu[b].children);
    const bare = median(t.bare);
    const profile = median(t.profile);
    const call = median(t.tool);
    const overBare = delta('tool', 'bare');
    const overProfile = delta('tool', 'profile');
    return [
      row('harness', 'bash: bare bwrap … /bin/echo (median wall ms)', {
        value: bare.toFixed(1),
        unit: 'ms',
        note: `CPU per call ${cpuOf('bare')}`,
      }),
      row('harness', 'bash: bwrap with the sandbox profile, /bin/echo', {
        value: profile.toFixed(1),
        unit: 'ms',
        ratio: profile / bare,
        note: `the tool's own argv and descriptors, spawned directly: ${delta('profile', 'bare').toFixed(1)} ms wall / ${cpuDelta('profile', 'bare').toFixed(1)} ms CPU over bare bwrap, inherent to the profile (userns + --disable-userns, read-only /proc/sys …, /etc and passwd binds, seccomp, read-only root, rlimits); of that the rlimit prelude (one more exec, /bin/sh) ${delta('profile', 'noPrelude').toFixed(1)} ms wall / ${cpuDelta('profile', 'noPrelude').toFixed(1)} ms CPU. CPU per call ${cpuOf('profile')}`,
      }),
      row('harness', 'bash: createBashTool call, sandboxed /bin/echo', {
        value: call.toFixed(1),
        unit: 'ms',
        ratio: call / (bare + 15),
        target: '≤ bare bwrap + 15 ms',
        pass: overBare <= 15,
        note: `tool call − bare bwrap = ${overBare.toFixed(1)} ms (allowed 15); CPU per call ${cpuOf('tool')} (medians of ${rounds}, wall deltas paired per round)`,
      }),
      row('harness', 'bash: tool call over the same profile (host side)', {
        value: overProfile.toFixed(1),
        unit: 'ms',
        ratio: call / profile,
        note: `${cpuDelta('tool', 'profile').toFixed(1)} ms CPU: prepare(), an async spawn with two pipes, the close/drain bookkeeping — what the harness and isolation code add; the profile itself is security the bare floor leaves out`,
      }),
    ];
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
}
