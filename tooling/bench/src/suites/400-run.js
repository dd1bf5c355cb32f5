// `agentlang run examples/demo.agent` (seed 000 step 3: test-echo under bubblewrap, record written)
// against its floors, interleaved in one run so machine noise hits each alike, medians:
//   node      `node -e 0`                                  — the CLI's process start
//   bwrap     bare `bwrap … -- /bin/echo` with the same namespaces, binds and env clearing
//   validate  `agentlang validate examples/demo.agent`     — load + schema + digest (validate overhead = validate − node)
//   run       `agentlang run examples/demo.agent`          — resolve, policy, seccomp, bwrap, echo, record
// Target (ARCHITECTURE.md): run ≤ node + bwrap + (validate − node) + 15 ms.
// AGENTLANG_BENCH_CLI may point at another build of the bundle; AGENTLANG_BENCH_ROUNDS sets rounds.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BWRAP_USR_ROOT, cli, interleave, root, row } from '../harness.js';

function which(binary) {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export async function run() {
  const bundle = process.env.AGENTLANG_BENCH_CLI ?? cli;
  if (!existsSync(bundle))
    throw new Error(`${bundle} is missing; build the CLI first: pnpm --filter @agentlang/cli... build`);
  const bwrap = which('bwrap');
  if (!bwrap) throw new Error('bwrap is not on PATH: apt-get install bubblewrap');
  const agent = join(root, 'examples/demo.agent');
  const work = mkdtempSync(join(tmpdir(), 'agentlang-bench-run-'));
  // Run as root, the sandbox runs as uid 65534: it must be able to reach the working directory.
  chmodSync(work, 0o755);
  const rounds = Number(process.env.AGENTLANG_BENCH_ROUNDS ?? 21);
  // Bare bwrap with the profile's shape: every namespace, new session, no caps, cleared env,
  // /usr read-only, the workdir read-write, private /tmp — minus seccomp, which is part of what we measure.
  const bareBwrap = [
    '--unshare-all',
    '--unshare-user',
    '--new-session',
    '--die-with-parent',
    '--cap-drop',
    'ALL',
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin:/bin',
    ...BWRAP_USR_ROOT,
    '--tmpfs',
    '/tmp',
    '--bind',
    work,
    work,
    '--chdir',
    work,
    '--',
    '/bin/echo',
    '[test-echo] demo@0.1.0',
  ];
  try {
    const t = interleave(
      {
        node: [process.execPath, ['-e', '0']],
        bwrap: [bwrap, bareBwrap],
        validate: [process.execPath, [bundle, 'validate', agent], { cwd: work }],
        run: [process.execPath, [bundle, 'run', agent], { cwd: work }],
      },
      { rounds, warmup: 3 },
    );
    const records = readdirSync(join(work, '.agentlang', 'records')).filter((f) => f.endsWith('.json')).length;
    const validateOverhead = t.validate - t.node;
    const budget = t.node + t.bwrap + validateOverhead + 15;
    const overhead = t.run - t.node - t.bwrap - validateOverhead;
    return [
      row('run', 'node -e 0 (median wall ms)', { value: t.node.toFixed(1), unit: 'ms' }),
      row('run', 'bare bwrap … /bin/echo (median wall ms)', {
        value: t.bwrap.toFixed(1),
        unit: 'ms',
        ratio: t.bwrap / t.node,
      }),
      row('run', 'agentlang validate examples/demo.agent', {
        value: t.validate.toFixed(1),
        unit: 'ms',
        ratio: t.validate / t.node,
        note: `validate overhead (validate − node) = ${validateOverhead.toFixed(1)} ms`,
      }),
      row('run', 'agentlang run examples/demo.agent', {
        value: t.run.toFixed(1),
        unit: 'ms',
        ratio: t.run / budget,
        target: '≤ 1.0 of node + bwrap + validate overhead + 15 ms',
        pass: t.run <= budget,
        note: `budget ${budget.toFixed(1)} ms; run − (node + bwrap + validate overhead) = ${overhead.toFixed(1)} ms (allowed 15); run/node ${(t.run / t.node).toFixed(2)}, run/bwrap ${(t.run / t.bwrap).toFixed(2)}; ${records} records written over ${rounds} rounds + warmup`,
      }),
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
